"""``flask users create-admin`` and ``flask users set-role``: the operator's way in before any admin exists."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ..audit.services import record
from ..errors import ValidationFailed
from ..extensions import db
from ..workflow import SYSTEM
from .services import find_user_by_email, register_user, set_platform_role

users_cli = AppGroup("users", help="用户与平台角色管理")

ROLE_CHOICES = ("broker", "admin", "none")
ROLE_LABELS = {"broker": "技术经纪人", "admin": "平台管理员", None: "无平台角色"}


def _messages(error: ValidationFailed) -> str:
    return "；".join(message for messages in error.errors.values() for message in messages) or error.message


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="平台管理员", show_default=True, help="姓名")
@click.option("--password", prompt="密码", hide_input=True, confirmation_prompt="再次输入密码",
              help="密码（省略时在终端隐藏输入）")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform administrator account."""
    if find_user_by_email(email) is not None:
        raise click.ClickException(f"用户已存在：{email}（如需授予管理员角色，请用 flask users set-role {email} admin）")
    try:
        user = register_user(email, name, password, platform_role="admin", email_verified=True)
    except ValidationFailed as error:
        db.session.rollback()
        raise click.ClickException(_messages(error)) from None
    record(None, "user.platform_role", user, {"role": "admin", "via": "cli"})
    db.session.commit()
    click.echo(f"已创建平台管理员：{user.email}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLE_CHOICES))
def set_role(email: str, role: str) -> None:
    """Give the user with EMAIL the platform role ROLE (broker, admin, or none to remove it)."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"用户不存在：{email}")
    new_role = None if role == "none" else role
    # The CLI acts as the system: the operator has shell access, so no admin actor is required.
    if not set_platform_role(SYSTEM, user, new_role, via="cli"):
        click.echo(f"{user.email} 已是{ROLE_LABELS[new_role]}，未作更改")
        return
    db.session.commit()
    click.echo(f"已将 {user.email} 设为{ROLE_LABELS[new_role]}")


def register(app: Flask) -> None:
    """Add the ``users`` command group to ``app``."""
    app.cli.add_command(users_cli)
