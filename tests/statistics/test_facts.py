"""The statistics' summary table stays in step with the contracts: every flush re-derives the rows of the contracts
it touched (new, edited parties, refused, resubmitted, deleted), the rows equal a full re-derivation, and the
migration's backfill derives the same rows."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select

from marketplace.deals.contract_input import PARTY_FIELDS, apply_contract
from marketplace.deals.models import Deal
from marketplace.extensions import db
from marketplace.statistics import contracts, facts
from marketplace.statistics.filters import StatsFilter
from marketplace.statistics.models import ContractFact
from marketplace.workflow import SYSTEM
from marketplace.workflow.deals import DEAL

from . import fixture
from .generated import generate

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / \
    "5c1f0e7d2b94_contract_facts_statistics_summary.py"
BOTH = StatsFilter(2025, 2026)


def fact(deal) -> ContractFact | None:
    return db.session.execute(select(ContractFact).where(ContractFact.deal_id == deal.id)).scalar_one_or_none()


def rows() -> set[tuple]:
    return set(db.session.execute(select(*(facts.FACTS.c[name] for name in facts.COLUMNS))).all())


def test_the_rows_follow_every_change_of_a_contract(ctx):
    deals = fixture.load()
    assert fact(deals["x"]) is None  # refused: not counted
    assert contracts.total(BOTH).contracts == 6
    row = fact(deals["b"])
    assert (row.seller_type, row.buyer_province, row.category, row.total_units) == \
        ("university", "440000", "transfer", 2000000)
    # the buyer moves to Jilin: 吸纳 follows
    parties = [{**{name: getattr(p, name) for name in PARTY_FIELDS}, **({"region": "220100"} if p.role == "buyer"
                                                                         else {})} for p in deals["b"].parties]
    apply_contract(deals["b"], {"parties": parties})
    db.session.flush()
    db.session.expire_all()
    assert fact(deals["b"]).buyer_province == "220000"
    assert {row.key: row.contracts for row in contracts.breakdown(BOTH, "inflow_region")} == {"220000": 4,
                                                                                            "440000": 2}
    DEAL.apply(SYSTEM, deals["d"], "refuse", reason="标的不明")  # pending → refused: no longer counted
    db.session.flush()
    assert contracts.total(BOTH).contracts == 5
    DEAL.apply(SYSTEM, deals["d"], "resubmit")
    db.session.flush()
    assert contracts.total(BOTH).contracts == 6
    db.session.delete(deals["e"])
    db.session.flush()
    assert fact(deals["e"]) is None and contracts.total(BOTH).contracts == 5


def test_the_rows_equal_a_full_rederivation_and_the_migrations(ctx):
    generate(120, seed=3)
    kept = rows()
    assert len(kept) == db.session.execute(select(db.func.count(Deal.id)).where(
        Deal.registration_status != "refused")).scalar()
    facts.refresh(db.session.connection())
    assert rows() == kept
    spec = importlib.util.spec_from_file_location("contract_facts_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.COLUMNS == facts.COLUMNS
    assert set(db.session.execute(migration._derivation()).all()) == kept
