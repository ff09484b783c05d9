"""E-mail address verification: a self-registered account proves its address with a signed link (expiring after
``EMAIL_VERIFICATION_MAX_AGE`` seconds, bound to the address it was sent to). Until then the account may sign in
and browse, but not submit listings for review nor send inquiries (:func:`marketplace.permissions
.has_verified_email`). Accounts made by operators, invited members (the invitation reached their mailbox) and
accounts older than verification count as verified."""
from __future__ import annotations

from flask import current_app, url_for

from ..audit.services import record
from ..errors import ValidationFailed
from ..extensions import db
from ..timeutil import utcnow
from ..alerts.messages import N_, Message
from . import mail, signed_links
from .models import User

PURPOSE = "email-verification"
LINK_INVALID = N_("邮箱验证链接无效或已过期，请登录后在工作台重新发送验证邮件")


def max_age() -> int:
    return int(current_app.config.get("EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 3600))


def send_link(user: User) -> bool:
    """Queue a verification link to ``user``'s address (part of the caller's transaction); False when the address
    is verified already."""
    if user.email_verified:
        return False
    token = signed_links.sign(PURPOSE, {"u": user.id, "e": user.email})
    mail.send(user, Message(N_("请验证您的电子邮箱")),
              Message(N_("欢迎注册科技成果转化交易平台。请在 %(days)s 天内打开下面的链接验证您的电子邮箱；"
                         "验证后即可提交成果、需求审核和发起洽谈。如果您没有注册，请忽略本邮件。"),
                      days=max(1, max_age() // 86400)),
              link=url_for("accounts.verify_email", token=token))
    return True


def mark_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record(user, "user.email_verify", user)


def account_for(token: str) -> User:
    """The account a link verifies, changing nothing; ValidationFailed for an invalid or expired link, or one sent
    to an address the account no longer has."""
    claims = signed_links.read(PURPOSE, token, max_age())
    user = db.session.get(User, claims.get("u")) if claims and isinstance(claims.get("u"), int) else None
    if user is None or user.email != claims.get("e"):
        raise ValidationFailed(errors={"token": [LINK_INVALID]})
    return user


def verify(token: str) -> User:
    """Verify the address a link was sent to (again: harmless); ValidationFailed as :func:`account_for`."""
    user = account_for(token)
    mark_verified(user)
    return user
