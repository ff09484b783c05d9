"""Platform administration: the overview, users and organisations. Each operation checks here, once, that the actor
is a platform admin (organisation state changes through the declared lifecycle, which checks it itself) and leaves
an audit event."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload

from ..accounts.models import Membership, Organization, OrgStatus, User
from ..accounts.services import set_platform_role
from ..audit.services import record
from ..errors import NotFound, StateConflict, ValidationFailed
from ..extensions import db
from ..pagination import Page, paginate
from ..permissions import require_platform_admin
from ..workflow.organizations import ORGANIZATION
from ..web.messages import N_
from . import notifications  # noqa: F401  (connects the receiver: the organisation hears the verdict)
from .merge import move_references

PER_PAGE = 20
MAX_QUERY = 100
MAX_REASON = 2000
USER_STATUSES = {"active": ("正常", "Active"), "suspended": ("已停用", "Suspended")}
ROLE_FILTERS = ("broker", "admin", "none")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _query_text(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_QUERY:
        raise ValidationFailed(errors={"q": [N_("检索词不能超过100个字符")]})
    return text


# -- overview ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overview:
    pending_organizations: int
    organizations: int
    suspended_organizations: int
    users: int
    suspended_users: int
    admins: int
    brokers: int


def overview(actor) -> Overview:
    require_platform_admin(actor)

    def count(model, *conditions) -> int:
        return db.session.execute(db.select(func.count()).select_from(model).where(*conditions)).scalar_one()

    return Overview(
        pending_organizations=count(Organization, Organization.status == OrgStatus.PENDING),
        organizations=count(Organization, Organization.status != OrgStatus.MERGED),
        suspended_organizations=count(Organization, Organization.status == OrgStatus.SUSPENDED),
        users=count(User), suspended_users=count(User, User.active.is_(False)),
        admins=count(User, User.platform_role == "admin"), brokers=count(User, User.platform_role == "broker"))


# -- users ------------------------------------------------------------------------------------------------------------

def users_page(actor, q: str | None = None, role: str | None = None, status: str | None = None,
               page: int = 1) -> Page:
    """Users by name or e-mail (part of either), platform role (``none``: without one) and status, newest first."""
    require_platform_admin(actor)
    text = _query_text(q)
    conditions = []
    if text:
        conditions.append(or_(User.name.ilike(_like(text), escape="\\"), User.email.ilike(_like(text), escape="\\")))
    if role in ("broker", "admin"):
        conditions.append(User.platform_role == role)
    elif role == "none":
        conditions.append(User.platform_role.is_(None))
    if status in USER_STATUSES:
        conditions.append(User.active.is_(status == "active"))
    return paginate(User, conditions, [User.created_at.desc(), User.id.desc()], page=page, per_page=PER_PAGE,
                    options=[joinedload(User.membership).joinedload(Membership.organization)])


def _get(actor, model, record_id: int):
    """A row for a platform admin: 403 for anyone else, 404 when there is none."""
    require_platform_admin(actor)
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    return record


def get_user(actor, user_id: int) -> User:
    return _get(actor, User, user_id)


def change_platform_role(actor, user_id: int, role: str | None) -> bool:
    """Set a user's platform role (None or "" removes it); False when it already was."""
    return set_platform_role(actor, get_user(actor, user_id), role or None)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [N_("请填写原因")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(errors={"reason": [N_("原因不能超过2000个字符")]})
    return reason


def suspend_user(actor, user_id: int, reason: str | None) -> User:
    """Suspend an account: it can no longer sign in, its sessions end and its API tokens stop working (they work
    again once restored)."""
    user = get_user(actor, user_id)
    if user.id == actor.id:
        raise ValidationFailed(errors={"reason": [N_("不能停用自己的账户")]})
    if not user.active:
        raise StateConflict(N_("该账户已经停用"))
    reason = _reason(reason)
    user.active = False
    user.session_epoch += 1  # every open session ends now
    record(actor, "user.suspend", user, {"reason": reason})
    return user


def restore_user(actor, user_id: int) -> User:
    user = get_user(actor, user_id)
    if user.active:
        raise StateConflict(N_("该账户没有被停用"))
    user.active = True
    record(actor, "user.restore", user)
    return user


# -- organisations ----------------------------------------------------------------------------------------------------

def organizations_page(actor, q: str | None = None, status: str | None = None, page: int = 1) -> Page:
    """Organisations by name or credit code (part of either) and status; pending ones first (the work to do), then
    by name. Merged duplicates only when asked for by status."""
    require_platform_admin(actor)
    text = _query_text(q)
    conditions = []
    if text:
        conditions.append(or_(Organization.name.ilike(_like(text), escape="\\"),
                              Organization.credit_code.ilike(_like(text.upper()), escape="\\")))
    if status in {member.value for member in OrgStatus}:
        conditions.append(Organization.status == status)
    else:
        conditions.append(Organization.status != OrgStatus.MERGED)
    pending_first = (Organization.status != OrgStatus.PENDING)
    return paginate(Organization, conditions, [pending_first, Organization.name, Organization.id], page=page,
                    per_page=PER_PAGE)


def get_organization(actor, org_id: int) -> Organization:
    return _get(actor, Organization, org_id)


def organization_members(actor, org: Organization) -> list[Membership]:
    require_platform_admin(actor)
    return list(db.session.execute(db.select(Membership).options(joinedload(Membership.user))
                                   .where(Membership.org_id == org.id).order_by(Membership.created_at)).scalars())


def verify_organization(actor, org: Organization, data: dict) -> None:
    """Verify ``org`` with the credit code, type and region the admin confirmed (``data``; missing: the org's)."""
    values = {key: (data.get(key) or "").strip() or None for key in ("credit_code", "org_type", "region")}
    ORGANIZATION.apply(actor, org, "verify", **values)


def decide_organization(actor, org: Organization, action: str, reason: str | None = None) -> None:
    """``reject`` or ``suspend`` (with a reason), or ``restore``."""
    if action not in ("reject", "suspend", "restore"):
        raise NotFound()
    ORGANIZATION.apply(actor, org, action, reason=reason)


def find_kept_organization(actor, text: str | None) -> Organization:
    """The organisation to keep, by id or exact name (a field error naming ``into`` when there is none)."""
    require_platform_admin(actor)
    text = (text or "").strip()
    org = None
    if text.isdigit():
        org = db.session.get(Organization, int(text))
    elif text:
        org = db.session.execute(db.select(Organization).where(Organization.name == text)).scalar_one_or_none()
    if org is None:
        raise ValidationFailed(errors={"into": [N_("请填写要保留的机构的编号或完整名称")]})
    return org


def merge_organizations(actor, duplicate: Organization, kept: Organization) -> dict[str, int]:
    """Move everything of ``duplicate`` (members, listings, contracts' parties, ...) to ``kept`` and mark the
    duplicate merged; returns how many rows moved per table (also in the audit event)."""
    ORGANIZATION.apply(actor, duplicate, "merge", into=kept)
    moved = move_references(duplicate, kept)
    record(actor, "organization.merge_into", kept, {"from": duplicate.id, "moved": moved})
    return moved
