"""``flask users create-admin`` and ``flask users set-role``."""
from __future__ import annotations

from marketplace.accounts.auth import verify_password
from marketplace.accounts.services import find_user_by_email
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from tests import factories


def user(app, email):
    with app.app_context():
        found = find_user_by_email(email)
        if found is not None:
            db.session.expunge(found)
        return found


def test_create_admin_with_password_option(app, runner):
    result = runner.invoke(args=["users", "create-admin", "Root@Example.cn", "--name", "张管理",
                                 "--password", "very-secret-1"])
    assert result.exit_code == 0, result.output
    assert "已创建平台管理员：root@example.cn" in result.output
    admin = user(app, "root@example.cn")
    assert admin.platform_role == "admin" and admin.name == "张管理" and admin.is_admin
    assert verify_password(admin.password_hash, "very-secret-1")


def test_create_admin_prompts_for_hidden_password(app, runner):
    result = runner.invoke(args=["users", "create-admin", "ops@example.cn"], input="prompted-pw-1\nprompted-pw-1\n")
    assert result.exit_code == 0, result.output
    assert "prompted-pw-1" not in result.output  # hidden input is not echoed
    assert verify_password(user(app, "ops@example.cn").password_hash, "prompted-pw-1")


def test_create_admin_rejects_short_password_and_existing_user(app, runner):
    result = runner.invoke(args=["users", "create-admin", "a@example.cn", "--password", "short"])
    assert result.exit_code == 1 and "密码至少需要 8 个字符" in result.output
    assert user(app, "a@example.cn") is None
    runner.invoke(args=["users", "create-admin", "a@example.cn", "--password", "long-enough-1"])
    result = runner.invoke(args=["users", "create-admin", "a@example.cn", "--password", "long-enough-1"])
    assert result.exit_code == 1 and "用户已存在" in result.output


def test_set_role_grants_and_removes(app, runner):
    with app.app_context():
        factories.user(factories.organization(), email="broker@example.cn")
        db.session.commit()
    result = runner.invoke(args=["users", "set-role", "broker@example.cn", "broker"])
    assert result.exit_code == 0 and "技术经纪人" in result.output
    assert user(app, "broker@example.cn").is_broker
    assert "未作更改" in runner.invoke(args=["users", "set-role", "broker@example.cn", "broker"]).output
    runner.invoke(args=["users", "set-role", "broker@example.cn", "none"])
    assert user(app, "broker@example.cn").platform_role is None
    with app.app_context():
        events = db.session.execute(db.select(AuditEvent.details).where(
            AuditEvent.action == "user.platform_role")).scalars().all()
        assert [e["role"] for e in events] == ["broker", None]


def test_set_role_unknown_user_or_role(runner):
    result = runner.invoke(args=["users", "set-role", "ghost@example.cn", "admin"])
    assert result.exit_code == 1 and "用户不存在" in result.output
    assert runner.invoke(args=["users", "set-role", "ghost@example.cn", "king"]).exit_code == 2
