"""The conversion funnel's summary of signed listings stays in step: every flush that links a contract, changes its
date or registration, refuses, resubmits or deletes it, unlinks it, or moves a listing's publication re-derives the
rows of the listings concerned; the rows equal a full re-derivation and the migration's backfill."""
from __future__ import annotations

import importlib.util
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select

from marketplace.deals.models import deal_achievements
from marketplace.extensions import db
from marketplace.statistics import signings
from marketplace.statistics.models import ListingSigning
from marketplace.workflow import SYSTEM
from marketplace.workflow.deals import DEAL

from .. import factories
from . import fixture

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / \
    "b977426a77f4_statistics_read_paths.py"
COLUMNS = [column.name for column in ListingSigning.__table__.columns]


def rows() -> set[tuple]:
    return set(db.session.execute(select(*ListingSigning.__table__.columns)).all())


def row(kind: str, listing_id: int) -> ListingSigning | None:
    db.session.expire_all()
    return db.session.execute(select(ListingSigning).where(
        ListingSigning.listing_kind == kind, ListingSigning.listing_id == listing_id)).scalar_one_or_none()


def world():
    university = factories.organization("university")
    owner, broker = factories.user(university), factories.broker()
    seller = fixture.party("seller", "某大学", "022", "220100", 1, university)
    buyer = fixture.party("buyer", "某公司", "150", "220100", 4)

    def listed(when: datetime, **changes):
        record = factories.achievement(owner, publish_by=broker, **changes)
        record.published_at = when
        return record

    def patent(when: datetime):
        record = factories.patent(owner)
        record.published_at = when
        return record

    def contract(on: str, *, status="pending", **links):
        return fixture.deal("合同", "licence", "patent_ordinary", "10", "10", on, seller, buyer, status=status,
                            **links)

    return listed, patent, contract


def test_the_rows_follow_contracts_links_and_publication(ctx):
    listed, patent, contract = world()
    a = listed(datetime(2025, 1, 10, 9, 30))
    b = listed(datetime(2025, 3, 1))
    p = patent(datetime(2025, 2, 1))
    db.session.flush()
    assert row("achievement", a.id) is None  # nothing signed yet
    first = contract("2025-03-01", achievements=[a], patents=[p])
    db.session.flush()
    found = row("achievement", a.id)
    assert (found.year, found.first_signed_on, found.signed_days, found.first_registered_on,
            found.registered_within) == (2025, date(2025, 3, 1), 50, None, False)
    assert row("patent", p.id).signed_days == 28 and row("patent", p.id).technical_field is None
    DEAL.apply(SYSTEM, first, "register")
    db.session.flush()
    assert row("achievement", a.id).registered_within is True
    # a later contract of b signed 400 days after publication: a row, outside the 12 months
    late = contract("2026-04-05", achievements=[b])
    db.session.flush()
    assert (row("achievement", b.id).signed_days, row("achievement", b.id).first_signed_on) == (None, date(2026, 4, 5))
    # the listing's publication moves: the window follows it
    b.published_at = datetime(2025, 6, 1)
    db.session.flush()
    assert row("achievement", b.id).signed_days == 308
    # refused: no longer counted; resubmitted: counted again
    DEAL.apply(SYSTEM, late, "refuse", reason="标的不明")
    db.session.flush()
    assert row("achievement", b.id) is None
    DEAL.apply(SYSTEM, late, "resubmit")
    db.session.flush()
    assert row("achievement", b.id) is not None
    # unlinked from the contract: gone; the contract deleted: its listings' rows gone
    late.achievements.remove(b)
    db.session.flush()
    assert row("achievement", b.id) is None
    db.session.delete(first)
    db.session.flush()
    assert row("achievement", a.id) is None and row("patent", p.id) is None


def test_a_listing_deleted_loses_its_row(ctx):
    listed, _patent, contract = world()
    a = listed(datetime(2025, 1, 10))
    contract("2025-02-01", achievements=[a])
    db.session.flush()
    assert row("achievement", a.id) is not None
    listing_id = a.id
    db.session.execute(deal_achievements.delete().where(deal_achievements.c.achievement_id == listing_id))
    db.session.delete(a)
    db.session.flush()
    assert row("achievement", listing_id) is None


def test_the_rows_equal_a_full_rederivation_and_the_migrations_backfill(ctx):
    listed, patent, contract = world()
    listings = [listed(datetime(2024 + i % 3, 1 + i % 12, 1 + i)) for i in range(12)]
    patents = [patent(datetime(2025, 1 + i, 5)) for i in range(4)]
    db.session.flush()
    for index, record in enumerate(listings):
        contract(f"{2024 + index % 3}-{1 + (index * 5) % 12:02d}-15", achievements=[record],
                 status="registered" if index % 2 else "pending")
    contract("2025-06-30", patents=patents[:3], achievements=listings[:2], status="refused")
    contract("2025-09-30", patents=patents[1:])
    db.session.flush()
    # links written in bulk (as the benchmark does) bypass the listener: the writer refreshes their listings
    extra = contract("2025-10-01")
    db.session.flush()
    db.session.execute(insert(deal_achievements), [{"deal_id": extra.id, "achievement_id": listings[5].id}])
    signings.refresh(db.session.connection(), [("achievement", listings[5].id)])
    kept = rows()
    assert len(kept) == 15  # 12 achievements and the 3 patents of the counted contract
    signings.refresh(db.session.connection())
    assert rows() == kept
    spec = importlib.util.spec_from_file_location("read_paths_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    with Operations.context(MigrationContext.configure(db.session.connection())):
        backfilled = {tuple(found[name] for name in COLUMNS) for found in migration._signings()}
    assert backfilled == kept
