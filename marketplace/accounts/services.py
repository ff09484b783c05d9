"""Account operations: registration, login checks, organisations, invitations, tokens."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func

from ..listing_edits import check_version
from ..permissions import can_manage_organization, is_platform_admin, require, require_organization_admin
from ..audit.services import record
from ..deals.identifiers import is_valid_credit_code
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..taxonomy import ORG_TYPES, REGIONS
from ..timeutil import utcnow
from ..validation import load_or_raise
from .auth import ACCOUNT_SUSPENDED, hash_password, new_token_secret, token_digest, verify_password
from .models import ApiToken, Invitation, Membership, Organization, OrgStatus, User
from .schemas import OrganizationInput

MIN_PASSWORD = 8
INVITATION_DAYS = 14


def _normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password(password: str) -> None:
    """The password rules of sign-up, password change and reset."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(errors={"password": [f"密码至少需要 {MIN_PASSWORD} 个字符"]})


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).where(User.email == _normalise_email(email))).scalar_one_or_none()


def find_organization_by_name(name: str) -> Organization | None:
    return db.session.execute(
        db.select(Organization).where(Organization.name == (name or "").strip())).scalar_one_or_none()


def find_organization_by_credit_code(code: str | None) -> Organization | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return db.session.execute(db.select(Organization).where(Organization.credit_code == code)).scalars().first()


CREDIT_CODE_TAKEN = "该统一社会信用代码已被其他机构使用：同一法人在平台上只能有一个机构"


def credit_code_errors(code: str | None, org: Organization | None = None) -> list[str]:
    """Problems with an organisation's 统一社会信用代码 (valid per GB 32100, not another organisation's)."""
    code = (code or "").strip().upper()
    if not code:
        return []
    if not is_valid_credit_code(code):
        return ["统一社会信用代码无效：应为 18 位，且最后一位校验码正确"]
    other = find_organization_by_credit_code(code)
    return [CREDIT_CODE_TAKEN] if other is not None and other is not org else []


def create_organization(name: str, org_type: str, region: str, description: str | None = None,
                        website: str | None = None, actor: User | None = None,
                        credit_code: str | None = None, verified: bool = True) -> Organization:
    """A new organisation. ``verified=False`` (self-service sign-up) leaves it pending until a platform admin
    verifies it (marketplace.workflow.organizations); organisations the platform creates itself start verified."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["请填写机构名称"]
    elif len(name) > 200:
        errors["name"] = ["机构名称不能超过200个字符"]
    elif find_organization_by_name(name):
        errors["name"] = ["该机构名称已被注册"]
    if org_type not in ORG_TYPES:
        errors["org_type"] = ["请选择有效的机构类型"]
    if region not in REGIONS:
        errors["region"] = ["请选择有效的所在地区"]
    if code_errors := credit_code_errors(credit_code):
        errors["credit_code"] = code_errors
    if errors:
        raise ValidationFailed(errors=errors)
    org = Organization(name=name, org_type=org_type, region=region, description=description, website=website,
                       credit_code=(credit_code or "").strip().upper() or None,
                       status=OrgStatus.VERIFIED if verified else OrgStatus.PENDING,
                       verified_at=utcnow() if verified else None)
    db.session.add(org)
    db.session.flush()
    record(actor, "organization.create", org)
    return org


_organization_input = OrganizationInput()


def update_organization(actor: User, org: Organization, data: dict, expected_version: int | None = None,
                        partial: bool = False) -> list[str]:
    """Edit ``org``'s profile from raw input ``data``; returns the names of the fields that changed.

    ``expected_version`` (the form's hidden field or the API's If-Match) turns a concurrent edit into a conflict.
    A change of the name, the type or the province reaches the search documents of the organisation's published
    listings through the search outbox (see :mod:`marketplace.indexing.outbox`); nothing else is needed here."""
    if not can_manage_organization(actor, org):
        raise PermissionDenied("只有机构管理员或平台管理员可以修改机构资料")
    check_version(org, expected_version)
    errors: dict[str, list[str]] = {}
    try:
        values = load_or_raise(_organization_input, data, partial=partial)
    except ValidationFailed as error:  # report the name's problems too, all in one answer
        values, errors = {}, dict(error.errors)
    for key in ("name", "description", "website"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip() or None
    name = data.get("name") if "name" not in errors else None
    if isinstance(name, str):
        other = find_organization_by_name(name) if name.strip() else None
        if not name.strip():
            errors["name"] = ["请填写机构名称"]
        elif other is not None and other.id != org.id:
            errors["name"] = ["该机构名称已被注册"]
    code = values.get("credit_code", data.get("credit_code"))
    if "credit_code" not in errors and isinstance(code, str) and (code_errors := credit_code_errors(code, org)):
        errors["credit_code"] = code_errors
    if errors:
        raise ValidationFailed(errors=errors)
    changed = [key for key, value in values.items() if getattr(org, key) != value]
    for key in changed:
        setattr(org, key, values[key])
    if changed:
        record(actor, "organization.update", org, {"fields": changed})
    return changed


def register_user(email: str, name: str, password: str, *, organization: Organization | None = None,
                  org_role: str = "member", platform_role: str | None = None,
                  email_verified: bool = False) -> User:
    """Create a user, optionally as a member of ``organization``. ``email_verified``: the address is known to be
    theirs (an operator made the account, or an invitation reached it); otherwise it has to be verified
    (:mod:`marketplace.accounts.email_verification`)."""
    email = _normalise_email(email)
    errors: dict[str, list[str]] = {}
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        errors["email"] = ["请输入有效的电子邮箱地址"]
    elif find_user_by_email(email):
        errors["email"] = ["该邮箱已注册，请直接登录"]
    if not (name or "").strip():
        errors["name"] = ["请填写姓名"]
    try:
        check_password(password)
    except ValidationFailed as error:
        errors.update(error.errors)
    if org_role not in ("member", "org_admin"):
        errors["org_role"] = ["无效的机构角色"]
    if platform_role not in (None, "broker", "admin"):
        errors["platform_role"] = ["无效的平台角色"]
    if errors:
        raise ValidationFailed(errors=errors)
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), platform_role=platform_role,
                email_verified_at=utcnow() if email_verified else None)
    db.session.add(user)
    if organization is not None:
        user.membership = Membership(organization=organization, role=org_role)
    db.session.flush()
    record(user, "user.register", user, {"org_id": organization.id if organization else None})
    return user


def register_with_new_organization(email: str, name: str, password: str, org_name: str, org_type: str,
                                   region: str) -> User:
    """Self-service sign-up: the first user of a new organisation becomes its admin."""
    org = create_organization(org_name, org_type, region, verified=False)
    return register_user(email, name, password, organization=org, org_role="org_admin")


class AccountSuspended(PermissionDenied):
    """The credentials are right but a platform admin suspended the account."""

    def __init__(self) -> None:
        super().__init__(ACCOUNT_SUSPENDED)


def authenticate(email: str, password: str) -> User | None:
    """The user if the credentials are right and the account is active, else None (same answer for an unknown
    e-mail and a wrong password). A suspended account with the right password raises :class:`AccountSuspended`:
    only someone who knows the password learns why they cannot sign in."""
    user = find_user_by_email(email)
    if user is None:
        verify_password(hash_password("timing-equaliser"), password or "")  # keep timing similar
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    if not user.active:
        raise AccountSuspended()
    user.last_login_at = utcnow()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change the password and end every other session (the epoch in session ids moves on)."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed(errors={"current_password": ["当前密码不正确"]})
    check_password(new)
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    record(user, "user.password_change", user)


def end_other_sessions(user: User) -> None:
    user.session_epoch += 1
    record(user, "user.logout_everywhere", user)


def set_locale(user: User, locale: str | None) -> bool:
    """Remember the language ``user`` reads ("zh" or "en": the site's 中文/English switch), in which their
    notifications and e-mails are written; True when it changed."""
    if locale not in ("zh", "en") or user.locale == locale:
        return False
    user.locale = locale
    return True


def set_platform_role(actor: User, user: User, role: str | None, **details) -> bool:
    """Give ``user`` the platform role ``role`` (None removes it); False when it already was. ``details`` go into
    the audit event (the CLI adds ``via="cli"``)."""
    require(is_platform_admin(actor), "只有平台管理员可以设置平台角色")
    if role not in (None, "broker", "admin"):
        raise ValidationFailed(errors={"platform_role": ["无效的平台角色"]})
    if user.id is not None and user.id == getattr(actor, "id", None) and role != "admin":
        raise ValidationFailed(errors={"platform_role": ["不能取消自己的平台管理员角色，请让另一位管理员操作"]})
    if user.platform_role == role:
        return False
    user.platform_role = role
    record(actor, "user.platform_role", user, {"role": role, **details})
    return True


# -- organisation membership -------------------------------------------------------------------------------------

def _require_org_admin(actor: User, org: Organization) -> None:
    require_organization_admin(actor, org)


def members(org: Organization) -> list[Membership]:
    return list(db.session.execute(
        db.select(Membership).where(Membership.org_id == org.id).order_by(Membership.created_at)).scalars())


def invite_member(actor: User, org: Organization, email: str, role: str = "member") -> tuple[Invitation, str]:
    """Create an invitation; returns it with the one-time secret to send to the invitee."""
    _require_org_admin(actor, org)
    email = _normalise_email(email)
    if "@" not in email:
        raise ValidationFailed(errors={"email": ["请输入有效的电子邮箱地址"]})
    if role not in ("member", "org_admin"):
        raise ValidationFailed(errors={"role": ["无效的机构角色"]})
    existing = find_user_by_email(email)
    if existing and existing.membership:
        raise ValidationFailed(errors={"email": ["该用户已属于一个机构"]})
    secret = secrets.token_urlsafe(24)
    invitation = Invitation(org_id=org.id, email=email, role=role, token_hash=token_digest(secret),
                            invited_by_id=actor.id, expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    record(actor, "organization.invite", org, {"email": email, "role": role})
    return invitation, secret


def find_invitation(secret: str) -> Invitation:
    invitation = db.session.execute(
        db.select(Invitation).where(Invitation.token_hash == token_digest(secret or ""))).scalar_one_or_none()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        raise NotFound("邀请链接无效或已过期")
    return invitation


def accept_invitation(secret: str, name: str, password: str, user: User | None = None) -> User:
    """Join the inviting organisation: as a new user, or as the logged-in user without an organisation."""
    invitation = find_invitation(secret)
    if user is None:
        # the invitation reached this address: it is verified
        user = register_user(invitation.email, name, password, organization=invitation.organization,
                             org_role=invitation.role, email_verified=True)
    else:
        if user.membership:
            raise ValidationFailed(errors={"email": ["您已属于一个机构"]})
        user.membership = Membership(organization=invitation.organization, role=invitation.role)
        if user.email_verified_at is None and user.email == invitation.email:
            user.email_verified_at = utcnow()
            record(user, "user.email_verify", user)
    invitation.accepted_at = utcnow()
    record(user, "organization.join", invitation.organization, {"role": invitation.role})
    return user


def remove_member(actor: User, org: Organization, user_id: int) -> None:
    _require_org_admin(actor, org)
    membership = db.session.execute(
        db.select(Membership).where(Membership.org_id == org.id, Membership.user_id == user_id)).scalar_one_or_none()
    if membership is None:
        raise NotFound()
    if membership.role == "org_admin":
        admins = db.session.execute(db.select(func.count()).select_from(Membership).where(
            Membership.org_id == org.id, Membership.role == "org_admin")).scalar_one()
        if admins <= 1:
            raise ValidationFailed("机构至少需要保留一名管理员")
    db.session.delete(membership)
    member = db.session.get(User, user_id)
    if member is not None:
        member.session_epoch += 1  # a removed member's open sessions end with the membership
    record(actor, "organization.remove_member", org, {"user_id": user_id})


# -- personal access tokens -----------------------------------------------------------------------------------------

def create_token(user: User, name: str, scope: str = "read") -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its digest is stored."""
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = ["请为令牌填写名称（100字以内）"]
    if scope not in ("read", "write"):
        errors["scope"] = ["权限范围只能是 read 或 write"]
    if errors:
        raise ValidationFailed(errors=errors)
    secret = new_token_secret()
    token = ApiToken(user_id=user.id, name=name, scope=scope, token_hash=token_digest(secret), prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    record(user, "token.create", token, {"scope": scope})
    return token, secret


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.execute(
        db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())).scalars())


def revoke_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(user, "token.revoke", token)
