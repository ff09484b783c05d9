"""Who may see and change which listing.

Published records are public. Anything else is visible only to the owning organisation and to brokers/admins
(who review it); to everyone else it does not exist — the same 404 as a missing id.
"""
from __future__ import annotations

from typing import TypeVar

from .errors import NotFound, PermissionDenied
from .extensions import db
from .listings import PUBLISHED

T = TypeVar("T")


def can_see(user, record) -> bool:
    if record.status == PUBLISHED:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return user.org_id == record.org_id or user.is_broker


def can_edit(user, record) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.org_id is not None and user.org_id == record.org_id)


def get_visible(model: type[T], record_id: int, user) -> T:
    """The record if ``user`` may see it, else :class:`NotFound`."""
    record = db.session.get(model, record_id)
    if record is None or not can_see(user, record):
        raise NotFound()
    return record


def get_editable(model: type[T], record_id: int, user) -> T:
    """The record if ``user``'s organisation owns it. Others get 404 for what they cannot see, 403 otherwise."""
    record = get_visible(model, record_id, user)
    if not can_edit(user, record):
        raise PermissionDenied("只有该记录所属机构的成员可以修改")
    return record


def visible_filter(model, user):
    """A WHERE clause selecting the records of ``model`` that ``user`` may see."""
    if getattr(user, "is_broker", False):
        return db.true()
    clause = model.status == PUBLISHED
    if getattr(user, "is_authenticated", False) and user.org_id is not None:
        clause = clause | (model.org_id == user.org_id)
    return clause


def check_version(record, expected_version: int | None) -> None:
    """Optimistic locking for forms and API updates: the client says which version it edited."""
    from .errors import Conflict

    if expected_version is not None and int(expected_version) != record.version:
        raise Conflict("该记录已被他人修改（当前版本 %d，您编辑的是版本 %d），请刷新后重试" % (record.version, int(expected_version)))
