"""Ending a request's unit of work: one commit, where a concurrent change becomes a 409 :class:`Conflict` (a clear
message on the form, problem+json on the API) instead of a 500."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict
from .extensions import db


def commit() -> None:
    """Commit the session; a stale version or a uniqueness clash rolls back and raises :class:`Conflict`."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict() from None
    except IntegrityError:
        db.session.rollback()
        raise Conflict("与已有记录冲突（例如编号重复或记录已被删除），请刷新后重试") from None
