"""Bulk export of achievements in the import format (so an export can be imported again unchanged).

Rows are streamed from the database with ``yield_per``: memory stays flat for 100k records.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from ..accounts.models import Organization
from ..extensions import db
from ..listings import PUBLISHED
from .models import Achievement
from .schemas import AchievementInput

CHUNK = 1000
INPUT_FIELDS = [name for name in AchievementInput._declared_fields if name != "patent_ids"]
# What the import reads back, then information the import ignores (it decides those itself).
EXPORT_COLUMNS = INPUT_FIELDS + ["patent_numbers", "org", "status", "published_at", "quality_year"]


def _query(org: Organization | None, status: str):
    query = db.select(Achievement)
    if org is not None:
        query = query.where(Achievement.org_id == org.id)
    if status != "all":
        query = query.where(Achievement.status == status)
    return query


def count_achievements(org: Organization | None = None, status: str = PUBLISHED) -> int:
    """How many records :func:`export_achievements` will yield."""
    query = _query(org, status).with_only_columns(func.count(), maintain_column_froms=True)
    return db.session.execute(query).scalar_one()


def export_achievements(org: Organization | None = None, status: str = PUBLISHED) -> Iterator[dict]:
    """Plain dicts (``EXPORT_COLUMNS``) of the achievements of ``org`` (all organisations when None), filtered by
    ``status`` (a listing status, or ``"all"``), in id order."""
    org_names = dict(db.session.execute(db.select(Organization.id, Organization.name)).all())
    query = (_query(org, status).order_by(Achievement.id)
             .options(selectinload(Achievement.patents)).execution_options(yield_per=CHUNK))
    for record in db.session.execute(query).scalars():
        row = {name: getattr(record, name) for name in INPUT_FIELDS}
        row["patent_numbers"] = sorted(p.number for p in record.patents)
        row["org"] = org_names.get(record.org_id)
        row["status"] = record.status
        row["published_at"] = record.published_at
        row["quality_year"] = record.quality_year
        yield row
