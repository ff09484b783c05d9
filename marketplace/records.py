"""Finding records the way their visibility rules allow: a record an actor may not see answers 404, the same as a
missing id (ASVS 4.2.1)."""
from __future__ import annotations

from typing import TypeVar

from sqlalchemy import and_, or_, select

from .accounts.models import Organization, OrgStatus
from .errors import NotFound
from .extensions import db
from .listings import PUBLISHED
from .permissions import can_review, can_see_listing, is_signed_in

T = TypeVar("T")


def get_visible(model: type[T], record_id: int, user) -> T:
    """The listing if ``user`` may see it, else :class:`NotFound`."""
    record = db.session.get(model, record_id)
    if record is None or not can_see_listing(user, record):
        raise NotFound()
    return record


def visible_filter(model, user):
    """A WHERE clause selecting the listings of ``model`` that ``user`` may see (the SQL of can_see_listing)."""
    if can_review(user):
        return db.true()
    clause = public_listing_clause(model)
    if is_signed_in(user) and getattr(user, "org_id", None) is not None:
        clause = clause | (model.org_id == user.org_id)
    return clause


def suspended_org_ids() -> list[int]:
    """The organisations the platform has suspended (usually none: the clause below then adds nothing)."""
    return list(db.session.execute(
        select(Organization.id).where(Organization.status == OrgStatus.SUSPENDED).order_by(Organization.id)).scalars())


def public_listing_clause(model):
    """WHERE clause of the public listings of ``model``: published, of no suspended organisation. The suspended
    organisations are read first and named, so that with none (the usual case) the query is the plain published
    one and its plans and counts from the status indexes are unchanged."""
    suspended = suspended_org_ids()
    if not suspended:
        return model.status == PUBLISHED
    return and_(model.status == PUBLISHED, or_(model.org_id.is_(None), model.org_id.not_in(suspended)))

