"""Test data for the indexing tests: published records in bulk (through the ORM, so the outbox listener runs)."""
from __future__ import annotations

from marketplace.achievements.models import Achievement
from marketplace.extensions import db
from marketplace.indexing.models import OutboxEntry
from marketplace.timeutil import utcnow


def published_achievements(org, count: int, title: str = "高镍正极材料包覆技术", **fields) -> list[Achievement]:
    """``count`` published achievements of ``org`` (an Organization or its id), flushed (one outbox row each)."""
    org_id = org if isinstance(org, int) else org.id
    records = []
    for i in range(count):
        values = {"title": f"{title}{i}", "summary": "原子层沉积包覆，提升循环寿命与热稳定性。",
                  "keywords": ["高镍正极", "包覆"], "technical_field": "new_materials", "industries": ["energy"],
                  "trl": 1 + i % 9, "ip_type": "invention_patent", "transfer_modes": ["licence"],
                  "price_amount": 10 * (i % 30), "region": "220102", "status": "published",
                  "published_at": utcnow()}
        values.update(fields)
        records.append(Achievement(org_id=org_id, **values))
    db.session.add_all(records)
    db.session.flush()
    return records


def pending_rows(kind: str | None = None) -> list[OutboxEntry]:
    query = db.select(OutboxEntry).where(OutboxEntry.done_at.is_(None)).order_by(OutboxEntry.id)
    if kind:
        query = query.where(OutboxEntry.kind == kind)
    return list(db.session.execute(query).scalars())


def published_ids(kind_model) -> dict[int, int]:
    rows = db.session.execute(db.select(kind_model.id, kind_model.version).where(kind_model.status == "published"))
    return {r.id: r.version for r in rows}
