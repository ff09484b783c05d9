"""The listing lifecycle verbs shared by achievements, patents and demands, and the review queue."""
from __future__ import annotations

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


def review_queue(kind: str | None = None, page: int = 1, per_page: int = 20):
    """Submitted records, oldest first (first come, first reviewed)."""
    from ..achievements.models import Achievement
    from ..demands.models import Demand
    from ..patents.models import Patent

    models = {"achievement": Achievement, "patent": Patent, "demand": Demand}
    chosen = [models[kind]] if kind in models else list(models.values())
    items = []
    for model in chosen:
        items.extend(db.session.execute(
            db.select(model).where(model.status == SUBMITTED).order_by(model.submitted_at)).scalars())
    items.sort(key=lambda r: r.submitted_at or utcnow())
    total = len(items)
    start = (page - 1) * per_page
    return items[start:start + per_page], total


def queue_counts() -> dict[str, int]:
    from sqlalchemy import func

    from ..achievements.models import Achievement
    from ..demands.models import Demand
    from ..patents.models import Patent

    return {kind: db.session.execute(db.select(func.count()).select_from(model).where(
        model.status == SUBMITTED)).scalar_one()
        for kind, model in (("achievement", Achievement), ("patent", Patent), ("demand", Demand))}
