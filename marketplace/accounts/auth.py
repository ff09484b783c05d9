"""Authentication plumbing: password hashing, session loading, personal access tokens for the API."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import g, request
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import joinedload

from ..extensions import db, login_manager
from ..timeutil import utcnow
from .models import ApiToken, Membership, User

ACCOUNT_SUSPENDED = "该账户已被平台管理员停用，如有疑问请联系平台管理员"

# argon2id (memory-hard); argon2-cffi's defaults follow RFC 9106's second recommendation (64 MiB, t=3, p=4).
_hasher = PasswordHasher()
TOKEN_PREFIX = "tmk_"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Anonymous(AnonymousUserMixin):
    platform_role = None
    membership = None
    org_id = None
    organization = None
    is_broker = False
    is_admin = False
    is_org_admin = False
    id = None


login_manager.anonymous_user = Anonymous
login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录"
login_manager.session_protection = "basic"


def _load(user_id: int) -> User | None:
    return db.session.execute(
        db.select(User).options(joinedload(User.membership).joinedload(Membership.organization))
        .where(User.id == user_id)
    ).scalar_one_or_none()


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Session ids are ``"<user id>:<epoch>"``; an epoch older than the user's ends that session."""
    try:
        user_id, epoch = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = _load(user_id)
    if user is None or user.session_epoch != epoch or not user.active:
        return None
    return user


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    """``Authorization: Bearer tmk_…`` — a personal access token. Read-scoped tokens may only read."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    secret = header[len("Bearer "):].strip()
    token = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == token_digest(secret), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if token is None:
        return None
    if not token.user.active:
        g.auth_refusal = ACCOUNT_SUSPENDED  # the API's 401 says why (api_common.require_user)
        return None
    if token.scope != "write" and req.method in UNSAFE_METHODS:
        return None
    token.last_used_at = utcnow()
    return _load(token.user_id)


@login_manager.unauthorized_handler
def unauthorized():
    from flask import redirect, url_for

    from ..errors import _render

    if request.path.startswith("/api/"):
        return _render(401, "请先登录或提供有效的访问令牌", None)
    return redirect(url_for("accounts.login", next=request.full_path))


def uses_bearer_token() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def register_api_security(api) -> None:
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                       "description": "个人访问令牌 (tmk_...)"})
    api.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session"})
