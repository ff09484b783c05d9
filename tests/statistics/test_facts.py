"""The statistics' summary tables stay in step with the contracts: every flush re-derives the rows of the contracts
it touched (new, edited parties, payments and rewards, refused, resubmitted, deleted), the rows equal a full
re-derivation, and the migrations' backfills derive the same rows."""
from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from marketplace.deals.contract_input import PARTY_FIELDS, apply_contract
from marketplace.deals.models import Deal, DealPayment, DealReward
from marketplace.extensions import db
from marketplace.statistics import annual_report, contracts, facts
from marketplace.statistics.filters import StatsFilter
from marketplace.statistics.models import ContractFact, ContractMoney
from marketplace.workflow import SYSTEM
from marketplace.workflow.deals import DEAL

from . import fixture
from .generated import generate

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
MIGRATION = VERSIONS / "5c1f0e7d2b94_contract_facts_statistics_summary.py"
MONEY_MIGRATION = VERSIONS / "b977426a77f4_statistics_read_paths.py"
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
    migration = _module(MIGRATION)
    assert migration.COLUMNS == facts.COLUMNS
    assert set(db.session.execute(migration._derivation()).all()) == kept


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def money() -> set[tuple]:
    return set(db.session.execute(select(*(facts.MONEY.c[name] for name in facts.MONEY_COLUMNS))).all())


def test_the_money_rows_follow_payments_rewards_and_parties(ctx):
    deals = fixture.load()
    c, x = deals["c"], deals["x"]
    c.payments.append(DealPayment(received_on=date(2025, 10, 1), amount=Decimal("100")))
    c.payments.append(DealPayment(received_on=date(2025, 12, 1), amount=Decimal("50.5")))
    c.payments.append(DealPayment(received_on=date(2026, 1, 5), amount=Decimal("20")))
    c.rewards.append(DealReward(form="cash", amount=Decimal("8"), persons=3, awarded_on=None))  # the signing year
    x.payments.append(DealPayment(received_on=date(2025, 6, 1), amount=Decimal("999")))  # refused: never counted
    db.session.flush()
    rows = {(row.kind, row.year, row.form): (row.seller_type, row.units, row.persons) for row in
            db.session.execute(select(ContractMoney).where(ContractMoney.deal_id == c.id)).scalars()}
    assert rows == {("payment", 2025, ""): ("institute", 1505000, 0), ("payment", 2026, ""): ("institute", 200000, 0),
                    ("reward", 2025, "cash"): ("institute", 80000, 3)}
    assert not db.session.execute(select(ContractMoney).where(ContractMoney.deal_id == x.id)).all()
    assert annual_report.received(StatsFilter(2025, 2025), "institute") == Decimal("150.5000")
    # the seller becomes a university: its money moves with it; a payment removed leaves the year's sum
    parties = [{**{name: getattr(p, name) for name in PARTY_FIELDS}, **({"nature": "022"} if p.role == "seller"
                                                                         else {})} for p in c.parties]
    apply_contract(c, {"parties": parties})
    c.payments.remove(c.payments[0])
    db.session.flush()
    assert annual_report.received(StatsFilter(2025, 2025), "institute") == Decimal("0.0000")
    assert annual_report.received(StatsFilter(2025, 2025), "university") == Decimal("50.5000")
    assert annual_report.rewards(StatsFilter(2025, 2025), "university")[0].persons == 3


def test_the_money_rows_equal_a_full_rederivation_and_the_migrations(ctx):
    generate(120, seed=5)
    kept = money()
    assert {kind for kind, *_rest in kept} == {"payment", "reward"}
    facts.refresh(db.session.connection())
    assert money() == kept
    migration = _module(MONEY_MIGRATION)
    assert migration.MONEY_COLUMNS == facts.MONEY_COLUMNS
    assert set().union(*(db.session.execute(statement).all() for statement in migration._money_derivations())) \
        == kept
