"""Favourites (收藏): add a published listing to one's watch-list, remove it, list it by kind.

Only a public (published) listing can be added; anything else answers 404, the same as a missing id. A listing that
stops being public later stays in the list as *unavailable*: its kind and id only, never its title or content.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func

from .. import kinds
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..indexing.records import load_public_in_order
from ..kinds import RecordKind
from ..permissions import is_signed_in
from ..web.messages import N_, tr
from .models import Favourite

MAX_FAVOURITES = 1000
#: The kinds one can favourite: every listing kind, in the review queue's order.
FAVOURITE_KINDS: dict[str, RecordKind] = dict(kinds.LISTING_KINDS)
_BY_COLLECTION = {kind.collection: kind for kind in FAVOURITE_KINDS.values()}
TOO_MANY = N_("每位用户最多收藏 %(n0)s 条，请先取消不再关注的收藏")


@dataclass(frozen=True)
class Entry:
    """One favourite with its listing when that is still public (``record`` None: 已下架)."""

    kind: RecordKind
    record_id: int
    created_at: datetime
    record: object | None

    @property
    def available(self) -> bool:
        return self.record is not None

    @property
    def title(self) -> str | None:
        return self.record.title if self.record is not None else None

    @property
    def path(self) -> str | None:
        return f"/{self.kind.collection}/{self.record_id}" if self.record is not None else None


def kind_named(name: str) -> RecordKind:
    """The favourite kind called ``name`` (``achievement``) or its collection (``achievements``); else 404."""
    kind = FAVOURITE_KINDS.get(name) or _BY_COLLECTION.get(name)
    if kind is None:
        raise NotFound()
    return kind


def _require_user(user) -> None:
    if not is_signed_in(user):
        raise ValidationFailed(tr(N_("请先登录")))


def _public(kind: RecordKind, record_id: int):
    records = load_public_in_order(kind.name, [record_id])
    if not records:
        raise NotFound()
    return records[0]


def _find(user, kind: RecordKind, record_id: int) -> Favourite | None:
    return db.session.execute(db.select(Favourite).where(
        Favourite.user_id == user.id, Favourite.kind == kind.name, Favourite.record_id == record_id)
    ).scalar_one_or_none()


def add(user, kind: RecordKind, record_id: int) -> Entry:
    """Add the published listing to ``user``'s favourites (idempotent); 404 when it is not public."""
    _require_user(user)
    record = _public(kind, record_id)
    favourite = _find(user, kind, record_id)
    if favourite is None:
        count = db.session.execute(db.select(func.count()).select_from(Favourite).where(
            Favourite.user_id == user.id)).scalar_one()
        if count >= MAX_FAVOURITES:
            raise ValidationFailed(tr(TOO_MANY, n0=MAX_FAVOURITES))
        favourite = Favourite(user_id=user.id, kind=kind.name, record_id=record_id)
        db.session.add(favourite)
        db.session.flush()
    return Entry(kind, record_id, favourite.created_at, record)


def remove(user, kind: RecordKind, record_id: int) -> None:
    """Remove a favourite (also of a listing no longer public); 404 when it is not one."""
    _require_user(user)
    favourite = _find(user, kind, record_id)
    if favourite is None:
        raise NotFound()
    db.session.delete(favourite)


def get(user, kind: RecordKind, record_id: int) -> Entry:
    """``user``'s favourite of this listing; 404 when it is not one."""
    _require_user(user)
    favourite = _find(user, kind, record_id)
    if favourite is None:
        raise NotFound()
    return entries([favourite])[0]


def is_favourite(user, kind_name: str, record_id: int) -> bool:
    if not is_signed_in(user):
        return False
    return db.session.execute(db.select(Favourite.id).where(
        Favourite.user_id == user.id, Favourite.kind == kind_name, Favourite.record_id == record_id)
    ).first() is not None


def favourites_query(user, kind: RecordKind | None = None):
    """``user``'s favourites (of ``kind``, or all), newest first."""
    query = db.select(Favourite).where(Favourite.user_id == user.id)
    if kind is not None:
        query = query.where(Favourite.kind == kind.name)
    return query.order_by(Favourite.created_at.desc(), Favourite.id.desc())


def entries(favourites: list[Favourite]) -> list[Entry]:
    """The favourites with their listings where still public (one query per kind), in the given order."""
    ids: dict[str, list[int]] = {}
    for favourite in favourites:
        ids.setdefault(favourite.kind, []).append(favourite.record_id)
    public = {(name, record.id): record for name, record_ids in ids.items() if name in FAVOURITE_KINDS
              for record in load_public_in_order(name, record_ids)}
    return [Entry(FAVOURITE_KINDS[f.kind], f.record_id, f.created_at, public.get((f.kind, f.record_id)))
            for f in favourites if f.kind in FAVOURITE_KINDS]


def grouped(user) -> dict[str, list[Entry]]:
    """All of ``user``'s favourites by kind (every favourite kind present, possibly empty), newest first."""
    _require_user(user)
    out: dict[str, list[Entry]] = {name: [] for name in FAVOURITE_KINDS}
    for entry in entries(list(db.session.execute(favourites_query(user)).scalars())):
        out[entry.kind.name].append(entry)
    return out
