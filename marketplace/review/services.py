"""The listing lifecycle verbs shared by achievements, patents and demands, and the review queue."""
from __future__ import annotations

from sqlalchemy import DateTime, Integer, func, literal, literal_column, union_all
from sqlalchemy.orm import selectinload

from ..access import can_edit
from ..audit.services import record
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..listings import ARCHIVED, CLOSED, DRAFT, PUBLISHED, REJECTED, SUBMITTED
from ..timeutil import utcnow

REVIEWABLE_KINDS = ("achievement", "patent", "demand")


def _event(listing, verb: str) -> str:
    return f"{listing.__tablename__[:-1]}.{verb}"


def _require_owner(actor, listing) -> None:
    if not can_edit(actor, listing):
        raise NotFound()


def _require_reviewer(actor) -> None:
    if not getattr(actor, "is_broker", False):
        raise PermissionDenied("只有技术经纪人或平台管理员可以审核")


def submit(actor, listing) -> None:
    """Send a draft (or a rejected record, after changes) for review."""
    _require_owner(actor, listing)
    if listing.status not in (DRAFT, REJECTED):
        raise ValidationFailed("只有草稿或被退回的记录可以提交审核")
    listing.status = SUBMITTED
    listing.submitted_at = utcnow()
    record(actor, _event(listing, "submit"), listing)


def withdraw(actor, listing) -> None:
    """Take a submitted or published record back to draft."""
    _require_owner(actor, listing)
    if listing.status not in (SUBMITTED, PUBLISHED):
        raise ValidationFailed("只有待审核或已发布的记录可以撤回")
    listing.status = DRAFT
    record(actor, _event(listing, "withdraw"), listing)


def publish(actor, listing) -> None:
    _require_reviewer(actor)
    if listing.status != SUBMITTED:
        raise ValidationFailed("只有待审核的记录可以发布")
    listing.status = PUBLISHED
    listing.reject_reason = None
    listing.published_at = utcnow()
    record(actor, _event(listing, "publish"), listing)


def reject(actor, listing, reason: str) -> None:
    _require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": ["请填写退回原因，以便提交方修改"]})
    if len(reason) > 2000:
        raise ValidationFailed(errors={"reason": ["退回原因不能超过2000个字符"]})
    if listing.status != SUBMITTED:
        raise ValidationFailed("只有待审核的记录可以退回")
    listing.status = REJECTED
    listing.reject_reason = reason
    record(actor, _event(listing, "reject"), listing, {"reason": reason})


def archive(actor, listing) -> None:
    if not (can_edit(actor, listing) or getattr(actor, "is_admin", False)):
        raise NotFound()
    if listing.status == ARCHIVED:
        raise ValidationFailed("该记录已归档")
    listing.status = ARCHIVED
    record(actor, _event(listing, "archive"), listing)


def close(actor, listing) -> None:
    """Close a demand (solved or no longer needed)."""
    _require_owner(actor, listing)
    if listing.status != PUBLISHED:
        raise ValidationFailed("只有已发布的需求可以关闭")
    listing.status = CLOSED
    record(actor, _event(listing, "close"), listing)


def _listing_models() -> dict:
    """The reviewable models in REVIEWABLE_KINDS order (imported late: the models import this package's users)."""
    from ..achievements.models import Achievement
    from ..demands.models import Demand
    from ..patents.models import Patent

    models = {"achievement": Achievement, "patent": Patent, "demand": Demand}
    return {kind: models[kind] for kind in REVIEWABLE_KINDS}


def review_queue(kind: str | None = None, page: int = 1, per_page: int = 20):
    """One page of the submitted records, oldest first (first come, first reviewed), and their total.

    ``kind`` narrows the queue to one of REVIEWABLE_KINDS; anything else means all of them. Order: submission time;
    a submitted record without one (only possible when set by hand) counts as submitted now, i.e. after every
    earlier submission; equal times go in REVIEWABLE_KINDS order, then by id. ``page`` starts at 1.

    Paged in the database: a UNION ALL of (kind, id, submission time) over the chosen tables picks the page with
    LIMIT/OFFSET, then only that page's records are loaded (with their organisations, which the queue shows); the
    total is a COUNT over the same union."""
    models = _listing_models()
    chosen = [kind] if kind in models else list(models)
    now = literal(utcnow(), DateTime())
    parts = [db.select(literal_column(str(REVIEWABLE_KINDS.index(name)), Integer).label("kind_rank"),
                       models[name].id.label("id"),
                       func.coalesce(models[name].submitted_at, now).label("queued_at"))
             .where(models[name].status == SUBMITTED) for name in chosen]
    queue = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("review_queue")
    total = db.session.execute(db.select(func.count()).select_from(queue)).scalar_one()
    if page < 1 or not total:
        return [], total
    keys = [(REVIEWABLE_KINDS[rank], record_id) for rank, record_id in db.session.execute(
        db.select(queue.c.kind_rank, queue.c.id).order_by(queue.c.queued_at, queue.c.kind_rank, queue.c.id)
        .limit(per_page).offset((page - 1) * per_page))]
    loaded = {}
    for name in chosen:
        ids = [record_id for key_kind, record_id in keys if key_kind == name]
        if ids:
            model = models[name]
            for listing in db.session.execute(db.select(model).where(model.id.in_(ids))
                                              .options(selectinload(model.organization))).scalars():
                loaded[name, listing.id] = listing
    return [loaded[key] for key in keys if key in loaded], total


def queue_counts() -> dict[str, int]:
    """The number of submitted records of each kind."""
    return {kind: db.session.execute(db.select(func.count()).select_from(model).where(
        model.status == SUBMITTED)).scalar_one()
        for kind, model in _listing_models().items()}
