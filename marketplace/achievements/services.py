"""Achievement operations: create, update, delete, and the yearly high-quality list."""
from __future__ import annotations

from .. import kinds, listing_edits
from ..audit.services import record
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..listing_edits import ListingEditor
from ..listings import PUBLISHED
from ..patents.models import Patent
from ..permissions import require_quality_manager
from ..timeutil import utcnow
from .models import Achievement
from .schemas import AchievementInput

def _prepare(actor, values: dict, record: Achievement | None) -> None:
    """An achievement's own rules: its external id, when not blank, is unique within the organisation; linked patents
    are the organisation's own."""
    org_id = record.org_id if record is not None else actor.org_id
    if "external_id" in values and not (values["external_id"] or "").strip():
        values["external_id"] = None  # blank is no external id (two blanks are no duplicate)
    external_id = values.get("external_id")
    if external_id:
        query = db.select(Achievement.id).where(Achievement.org_id == org_id, Achievement.external_id == external_id)
        if record is not None:
            query = query.where(Achievement.id != record.id)
        if db.session.execute(query).first():
            raise ValidationFailed(errors={"external_id": ["本机构已有相同外部编号的成果"]})
    patent_ids = values.get("patent_ids") or []
    if patent_ids:
        owners = db.session.execute(db.select(Patent.org_id).where(Patent.id.in_(patent_ids))).scalars().all()
        if len(owners) != len(set(patent_ids)) or any(owner != org_id for owner in owners):
            raise ValidationFailed(errors={"patent_ids": ["只能关联本机构登记的专利"]})


EDITOR = ListingEditor(kinds.ACHIEVEMENT, AchievementInput(), "请先加入一个机构再发布成果", _prepare)


def create_achievement(actor, data: dict) -> Achievement:
    """Create a draft achievement for the actor's organisation from raw input ``data``."""
    return listing_edits.create(actor, EDITOR, data)


def update_achievement(actor, achievement: Achievement, data: dict, expected_version: int | None = None,
                       partial: bool = False) -> Achievement:
    """Apply edits (see :func:`marketplace.listing_edits.update`: a published achievement gets a pending revision)."""
    return listing_edits.update(actor, EDITOR, achievement, data, expected_version, partial)


def delete_achievement(actor, achievement: Achievement) -> None:
    """Drafts and rejected records may be deleted; published ones are archived instead."""
    listing_edits.perform(actor, achievement, "delete")


# -- 年度优质成果 (the yearly high-quality list) ---------------------------------------------------------------------

def mark_high_quality(actor, achievement: Achievement, year: int) -> None:
    require_quality_manager(actor)
    if achievement.status != PUBLISHED:
        raise ValidationFailed("只有已发布的成果可以列入年度优质成果")
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(errors={"year": ["年份无效"]})
    achievement.quality_year = int(year)
    achievement.quality_marked_at = utcnow()
    record(actor, "achievement.mark_quality", achievement, {"year": int(year)})


def unmark_high_quality(actor, achievement: Achievement, year: int | None = None) -> None:
    """Take the achievement off the list (of ``year``, when given: 404 if it is not on that year's list)."""
    require_quality_manager(actor)
    if year is not None and achievement.quality_year != year:
        raise NotFound("该成果不在此年度的优质成果名单中")
    if achievement.quality_year is not None:
        record(actor, "achievement.unmark_quality", achievement, {"year": achievement.quality_year})
        achievement.quality_year = None
        achievement.quality_marked_at = None


def quality_progress(year: int, target: int) -> dict:
    """How many achievements are on ``year``'s list, against the target (at least 200 a year)."""
    from sqlalchemy import func

    count = db.session.execute(db.select(func.count()).select_from(Achievement).where(
        Achievement.quality_year == year, Achievement.status == PUBLISHED)).scalar_one()
    return {"year": year, "count": count, "target": target, "remaining": max(0, target - count),
            "percent": min(100, round(100 * count / target)) if target else 100}
