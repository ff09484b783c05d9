"""Password reset by e-mail.

Anyone may ask for a reset link for an address (:func:`request_reset`); the answer is the same whether or not an
account has it, and the same work is done either way (a token is signed; only for an existing, active account is
it queued for e-mail). The link carries a token signed with the application's key (salted for this purpose),
expiring after ``PASSWORD_RESET_MAX_AGE`` seconds and bound to a fingerprint of the account's password hash and
last sign-in: setting a new password (a fresh argon2 hash, new salt) or signing in makes every earlier link
worthless, so a link works once. Setting the new password (:func:`reset_password`) applies the sign-up's password
rules, ends every session of the account, records ``user.password_reset`` and e-mails a confirmation."""
from __future__ import annotations

import hashlib
from types import SimpleNamespace

from flask import current_app, url_for

from ..audit.services import record
from ..errors import ValidationFailed
from ..extensions import db
from ..alerts.messages import N_, Message
from . import mail, signed_links
from .auth import hash_password
from .models import User
from .services import check_password, find_user_by_email

PURPOSE = "password-reset"
LINK_INVALID = N_("重置密码链接无效、已使用或已过期，请重新申请")


def _fingerprint(user: User) -> str:
    material = f"{user.id}|{user.password_hash}|{user.last_login_at}|{user.session_epoch}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


# signed for unknown addresses: the same work either way
_NOBODY = SimpleNamespace(id=0, password_hash="", last_login_at=None, session_epoch=0)


def max_age() -> int:
    return int(current_app.config.get("PASSWORD_RESET_MAX_AGE", 3600))


def request_reset(email: str) -> None:
    """Queue a reset link to the account with address ``email`` if there is an active one; nothing otherwise.
    The caller answers the same in both cases (and commits)."""
    user = find_user_by_email(email)
    account = user if user is not None and user.active else None
    token = signed_links.sign(PURPOSE, {"u": (account or _NOBODY).id, "f": _fingerprint(account or _NOBODY)})
    if account is None:
        return
    minutes = max_age() // 60
    mail.send(account, Message(N_("重置您的密码")),
              Message(N_("有人（希望是您本人）申请重置您在科技成果转化交易平台的账户密码。请在 %(minutes)s 分钟内打开下面的链接设置新密码，"
                         "链接只能使用一次。如果不是您本人申请，请忽略本邮件，您的密码不会改变。"), minutes=minutes),
              link=url_for("accounts.reset_password", token=token))
    record(None, "user.password_reset_request", account)


def account_for(token: str) -> User:
    """The account a reset link is for; ValidationFailed when the link is invalid, used or expired."""
    claims = signed_links.read(PURPOSE, token, max_age())
    user = db.session.get(User, claims.get("u")) if claims and isinstance(claims.get("u"), int) else None
    if user is None or not user.active or claims.get("f") != _fingerprint(user):
        raise ValidationFailed(errors={"token": [LINK_INVALID]})
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link: every session of the account ends, the link with them."""
    user = account_for(token)
    check_password(password)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    record(user, "user.password_reset", user)
    mail.send(user, Message(N_("您的密码已重置")),
              Message(N_("您在科技成果转化交易平台的账户密码刚刚通过邮件链接重置，所有设备上的登录均已退出。"
                         "如果这不是您本人的操作，请立即再次重置密码并联系平台管理员。")),
              link=url_for("accounts.login"))
    return user
