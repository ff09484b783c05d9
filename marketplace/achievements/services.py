"""Achievement operations: create, update, delete, and the yearly high-quality list."""
from __future__ import annotations

from ..access import can_edit, check_version
from ..audit.services import record
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..listings import DRAFT, PUBLISHED, REJECTED
from ..patents.models import Patent
from ..timeutil import utcnow
from ..validation import load_or_raise
from .models import Achievement
from .schemas import AchievementInput

_input = AchievementInput()
_FIELDS = [name for name in AchievementInput._declared_fields if name != "patent_ids"]


def _require_org(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or actor.org_id is None:
        raise PermissionDenied("请先加入一个机构再发布成果")


def _link_patents(achievement: Achievement, patent_ids: list[int]) -> None:
    if not patent_ids:
        achievement.patents = []
        return
    patents = list(db.session.execute(db.select(Patent).where(Patent.id.in_(patent_ids))).scalars())
    if len(patents) != len(set(patent_ids)) or any(p.org_id != achievement.org_id for p in patents):
        raise ValidationFailed(errors={"patent_ids": ["只能关联本机构登记的专利"]})
    achievement.patents = patents


def _check_external_id(org_id: int, external_id: str | None, exclude_id: int | None = None) -> None:
    if not external_id:
        return
    query = db.select(Achievement.id).where(Achievement.org_id == org_id, Achievement.external_id == external_id)
    if exclude_id:
        query = query.where(Achievement.id != exclude_id)
    if db.session.execute(query).first():
        raise ValidationFailed(errors={"external_id": ["本机构已有相同外部编号的成果"]})


def create_achievement(actor, data: dict) -> Achievement:
    """Create a draft achievement for the actor's organisation from raw input ``data``."""
    _require_org(actor)
    values = load_or_raise(_input, data)
    _check_external_id(actor.org_id, values.get("external_id"))
    achievement = Achievement(org_id=actor.org_id, owner_id=actor.id, status=DRAFT,
                              **{k: v for k, v in values.items() if k in _FIELDS})
    if achievement.region is None and actor.organization is not None:
        achievement.region = actor.organization.region
    db.session.add(achievement)
    _link_patents(achievement, values.get("patent_ids") or [])
    db.session.flush()
    record(actor, "achievement.create", achievement)
    return achievement


def update_achievement(actor, achievement: Achievement, data: dict, expected_version: int | None = None,
                       partial: bool = False) -> Achievement:
    """Apply edits. ``expected_version`` (from the form or the API's If-Match) guards against lost updates."""
    if not can_edit(actor, achievement):
        raise NotFound()
    check_version(achievement, expected_version)
    values = load_or_raise(_input, data, partial=partial)
    _check_external_id(achievement.org_id, values.get("external_id"), exclude_id=achievement.id)
    changed = []
    for key, value in values.items():
        if key in _FIELDS and getattr(achievement, key) != value:
            setattr(achievement, key, value)
            changed.append(key)
    if "patent_ids" in values:
        _link_patents(achievement, values["patent_ids"])
        changed.append("patents")
    if changed:
        achievement.updated_at = utcnow()
        record(actor, "achievement.update", achievement, {"fields": changed})
    return achievement


def delete_achievement(actor, achievement: Achievement) -> None:
    """Drafts and rejected records may be deleted; published ones are archived instead."""
    if not can_edit(actor, achievement):
        raise NotFound()
    if achievement.status not in (DRAFT, REJECTED):
        raise ValidationFailed("只能删除草稿或被退回的成果；已发布的成果请归档")
    record(actor, "achievement.delete", achievement, {"title": achievement.title})
    db.session.delete(achievement)


# -- 年度优质成果 (the yearly high-quality list) ---------------------------------------------------------------------

def mark_high_quality(actor, achievement: Achievement, year: int) -> None:
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied("只有平台管理员可以评定年度优质成果")
    if achievement.status != PUBLISHED:
        raise ValidationFailed("只有已发布的成果可以列入年度优质成果")
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(errors={"year": ["年份无效"]})
    achievement.quality_year = int(year)
    achievement.quality_marked_at = utcnow()
    record(actor, "achievement.mark_quality", achievement, {"year": int(year)})


def unmark_high_quality(actor, achievement: Achievement) -> None:
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied("只有平台管理员可以评定年度优质成果")
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
