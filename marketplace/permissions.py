"""Who may do what, as predicates named for the domain. Services check them (through the declared lifecycles or
directly); pages and the API only ask.

Published records are public. Anything else is visible only to the owning organisation and to reviewers (brokers
and admins); to everyone else it does not exist — the same 404 as a missing id.
"""
from __future__ import annotations

from .errors import PermissionDenied
from .listings import PUBLISHED


def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_system(user) -> bool:
    """The platform itself (imports, CLI jobs): see :data:`marketplace.workflow.SYSTEM`."""
    return bool(getattr(user, "is_system", False))


def is_member_of(user, org_id: int | None) -> bool:
    """``user`` belongs to organisation ``org_id``."""
    return is_signed_in(user) and org_id is not None and getattr(user, "org_id", None) == org_id


def owns(user, record) -> bool:
    """``user`` is a member of the organisation the record belongs to."""
    return is_system(user) or is_member_of(user, getattr(record, "org_id", None))


def can_review(user, record=None) -> bool:
    """Brokers (技术经纪人) and platform admins review listings before publication."""
    return is_signed_in(user) and bool(getattr(user, "is_broker", False))


def is_platform_admin(user, record=None) -> bool:
    return is_signed_in(user) and bool(getattr(user, "is_admin", False))


def can_manage_quality_list(user, record=None) -> bool:
    """Platform admins (government staff) keep the yearly high-quality list (年度优质成果)."""
    return is_platform_admin(user)


def can_archive(user, record) -> bool:
    """The owning organisation, or a platform admin taking a listing down."""
    return owns(user, record) or is_platform_admin(user)


def can_manage_organization(user, org) -> bool:
    """An organisation's own admins (机构管理员) and platform admins edit its profile and members."""
    return is_platform_admin(user) or (is_member_of(user, org.id) and bool(getattr(user, "is_org_admin", False)))


def can_view_matches(user, listing) -> bool:
    """Matches of a listing are for its own organisation and for brokers."""
    return owns(user, listing) or can_review(user)


def can_curate_matches(user, record=None) -> bool:
    """Brokers pin, dismiss and recommend matches."""
    return can_review(user)


def can_administer_search(user, record=None) -> bool:
    return is_platform_admin(user)


def can_see_listing(user, record) -> bool:
    """Published listings are public; the rest only for the owner organisation and reviewers."""
    return record.status == PUBLISHED or owns(user, record) or can_review(user)


def can_create_listing(user) -> bool:
    return is_system(user) or (is_signed_in(user) and getattr(user, "org_id", None) is not None)


# -- refusals, raised by services -------------------------------------------------------------------------------------

def require(allowed: bool, message: str) -> None:
    """Raise :class:`PermissionDenied` with ``message`` unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def require_reviewer(user) -> None:
    require(can_review(user), "只有技术经纪人或平台管理员可以审核")


def require_quality_manager(user) -> None:
    require(can_manage_quality_list(user), "只有平台管理员可以评定年度优质成果")


def require_organization_admin(user, org) -> None:
    require(can_manage_organization(user, org), "只有机构管理员可以管理成员")
