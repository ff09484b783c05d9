"""Keeping the conversion funnel's summary of signed listings (:class:`~.models.ListingSigning`) in step.

A listing's row depends on its publication (date, owner, field), its links to contracts and those contracts'
signing dates and registration statuses. Every flush that changes one of these re-derives the rows of the listings
concerned in the same transaction: a contract created, edited, refused or deleted (its listings before the flush
and after it, so a link removed counts too) and a listing whose publication date, owner or field changed, or that
was deleted. Writers that bypass the ORM (bulk inserts of contracts or links) call :func:`refresh` with the
listings they touched, or with none to re-derive every row.

The 12-month window is decided here, once, when a row is derived: a stage counts when it was reached at most 365
days after publication (and not before the day before it: the same day in another time zone)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import chain

from sqlalchemy import case, delete, event, func, insert, inspect, literal, null, select, union_all
from sqlalchemy.orm import Session

from ..achievements.models import Achievement
from ..deals.models import Deal, RegistrationStatus, deal_achievements, deal_patents
from ..patents.models import Patent
from .models import ListingSigning

WINDOW = timedelta(days=365)
ONE_DAY = timedelta(days=1)
MIDNIGHT = datetime.min.time()
CHUNK = 500
TABLE = ListingSigning.__table__
#: kind → (listing model, link table, the link's listing column, the listing's field column or None)
LISTINGS = {
    "achievement": (Achievement, deal_achievements, deal_achievements.c.achievement_id, Achievement.technical_field),
    "patent": (Patent, deal_patents, deal_patents.c.patent_id, None),
}
#: a listing's attributes its row depends on
WATCHED = ("published_at", "org_id", "technical_field")

Key = tuple[str, int]  # (listing kind, listing id)


def days_within(published: datetime, when: date | datetime) -> int | None:
    """Days from publication to ``when`` if ``when`` is within the funnel's 12 months after it, else None."""
    moment = when if isinstance(when, datetime) else datetime.combine(when, MIDNIGHT)
    day = moment.date()
    if day < published.date() - ONE_DAY or moment - published > WINDOW:
        return None
    return (day - published.date()).days


def _firsts(kind: str, ids: list[int] | None):
    """Each listing of ``kind`` (of ``ids``; every one when None) with a counted contract linked: its publication,
    owner, field, first signing date and first registered contract's signing date."""
    model, link, listing, field = LISTINGS[kind]
    registered_on = case((Deal.registration_status == RegistrationStatus.REGISTERED, Deal.signed_on))
    statement = select(model.id, model.published_at, model.org_id, field if field is not None else null(),
                       func.min(Deal.signed_on), func.min(registered_on)) \
        .join(link, listing == model.id).join(Deal, Deal.id == link.c.deal_id) \
        .where(model.published_at.is_not(None), Deal.registration_status != RegistrationStatus.REFUSED) \
        .group_by(model.id)
    return statement if ids is None else statement.where(model.id.in_(ids))


def _row(kind: str, listing_id: int, published_at: datetime, org_id, field, signed: date, registered) -> dict:
    return {"published_at": published_at, "listing_kind": kind, "listing_id": listing_id,
            "year": published_at.year, "org_id": org_id, "technical_field": field, "first_signed_on": signed,
            "first_registered_on": registered, "signed_days": days_within(published_at, signed),
            "registered_within": registered is not None and days_within(published_at, registered) is not None}


def _derive(connection, kind: str, ids: list[int] | None) -> None:
    rows = [_row(kind, *found) for found in connection.execute(_firsts(kind, ids))]
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(TABLE), rows[start:start + CHUNK])


def refresh(connection, keys: Iterable[Key] | None = None) -> None:
    """Re-derive the rows of the listings ``keys`` ((kind, id) pairs; every listing when None) on ``connection``."""
    if keys is None:
        connection.execute(delete(TABLE))
        for kind in LISTINGS:
            _derive(connection, kind, None)
        return
    for kind in LISTINGS:
        ids = sorted({listing_id for each, listing_id in keys if each == kind})
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            connection.execute(delete(TABLE).where(TABLE.c.listing_kind == kind, TABLE.c.listing_id.in_(chunk)))
            _derive(connection, kind, chunk)


def linked_listings(connection, deal_ids: Iterable[int]) -> set[Key]:
    """The listings linked to contracts ``deal_ids`` (as the database holds them now)."""
    ids, found = sorted(set(deal_ids)), set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        statement = union_all(*(select(literal(kind), listing).where(link.c.deal_id.in_(chunk))
                                for kind, (_model, link, listing, _field) in LISTINGS.items()))
        found.update((kind, listing_id) for kind, listing_id in connection.execute(statement))
    return found


def _deal_ids(objects) -> set[int]:
    return {obj.id for obj in objects if isinstance(obj, Deal) and obj.id is not None}


def _listings_changed(session) -> set[Key]:
    keys = set()
    for obj in chain(session.dirty, session.deleted):
        kind = getattr(obj, "__search_kind__", None)
        if kind not in LISTINGS or not isinstance(obj, LISTINGS[kind][0]) or obj.id is None:
            continue
        state = inspect(obj)
        if obj in session.deleted or any(state.attrs[name].history.has_changes() for name in WATCHED
                                         if name in state.attrs):
            keys.add((kind, obj.id))
    return keys


@event.listens_for(Session, "before_flush")
def _remember_listings_of_changing_contracts(session, flush_context, instances) -> None:
    # a contract edited or deleted may lose links in this flush: its listings as they are before it
    ids = _deal_ids(chain(session.dirty, session.deleted))
    if ids:
        session.info.setdefault("listing_signings", set()).update(linked_listings(session.connection(), ids))


@event.listens_for(Session, "after_flush")
def _refresh_touched_listings(session, flush_context) -> None:
    keys = session.info.pop("listing_signings", set()) | _listings_changed(session)
    ids = _deal_ids(chain(session.new, session.dirty))
    if ids:
        keys |= linked_listings(session.connection(), ids)
    if keys:
        refresh(session.connection(), keys)
