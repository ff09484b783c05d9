"""Technology-contract figures: counts, 合同成交额 and 技术交易额 by a dimension, aggregated in SQL (the same statement
on SQLite and PostgreSQL). Amounts are summed as whole 0.0001 万元 units (exact integers on both databases) and
returned as :class:`~decimal.Decimal` 万元.

Which contracts count (README, "Statistics"): recorded on the platform, signed in the period (a contract counts in the
year it was signed), not refused registration (不予登记). 输出 is counted at the seller's region, 吸纳 at the buyer's.

The figures read the summary table :class:`~.models.ContractFact` (one row per counted contract, its parties' types
and provinces already derived: one narrow table, no join); :func:`nature_group`, :func:`province` and
:func:`with_parties` are how :mod:`.facts` derives it from the deals and their parties.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from flask import current_app
from sqlalchemy import BigInteger, and_, case, cast, func, literal, select

from ..deals.models import Deal, DealParty
from ..deals.vocabularies import (CONTRACT_FIELDS, CONTRACT_IP_TYPES, CONTRACT_KINDS, CONTRACT_TYPES, PLAN_SOURCES)
from ..extensions import db
from ..sql_hints import indexed_by
from ..taxonomy import REGIONS
from .filters import INSTITUTION_TYPES, StatsFilter
from .models import ContractFact as Fact

UNITS = 10000  # 0.0001 万元 per 万元
# table aliases (not mapped ones: building them needs no mapper configuration at import time)
SELLER = DealParty.__table__.alias("seller")
BUYER = DealParty.__table__.alias("buyer")


def units(column):
    """``column`` (万元) as whole 0.0001 万元 units, summable exactly."""
    return cast(func.round(column * UNITS), BigInteger)


def to_wan(value) -> Decimal:
    return (Decimal(int(value or 0)) / UNITS).quantize(Decimal("0.0001"))


def nature_group(party):
    """The institution type of a party's 主体性质 code (022 高等院校, 021 科研机构, 1xx/2xx/3xx 企业, else other)."""
    return case((party.c.nature == "022", literal("university")), (party.c.nature == "021", literal("institute")),
                (func.substr(party.c.nature, 1, 1).in_(("1", "2", "3")), literal("enterprise")), else_=literal("other"))


def province(party):
    return func.substr(party.c.region, 1, 2) + literal("0000")


def home_province() -> str:
    return current_app.config.get("PLATFORM_PROVINCE", "220000")


def flow(_filter=None):
    """Within the platform's province, flowing out of it, into it, or elsewhere (by the two parties' provinces)."""
    home = home_province()[:2] + "0000"
    seller_home, buyer_home = Fact.seller_province == home, Fact.buyer_province == home
    return case((and_(seller_home, buyer_home), literal("within")), (seller_home, literal("outflow")),
                (buyer_home, literal("inflow")), else_=literal("elsewhere"))


FLOWS: dict[str, tuple[str, str]] = {
    "within": ("省内技术合同", "Within the province"), "outflow": ("输出到省外", "Out of the province"),
    "inflow": ("从省外吸纳", "Into the province"), "elsewhere": ("省外之间", "Between other provinces"),
}


@dataclass(frozen=True)
class Dimension:
    name: str
    label: tuple[str, str]
    expression: Callable  # (StatsFilter) -> SQL expression
    vocabulary: dict | None  # key → (中文, English); None: keys shown as they are
    index: str  # the grouping index (models.GROUPINGS) whose leading columns the rows are grouped by
    grouping: tuple = ()  # those columns, when the expression is not the first of them alone


DIMENSIONS: dict[str, Dimension] = {d.name: d for d in (
    Dimension("contract_type", ("合同类别", "Contract type"), lambda f: Fact.contract_type, CONTRACT_TYPES,
              "ix_contract_facts_by_kind"),
    Dimension("contract_kind", ("合同类别及子类", "Contract type and sub-type"), lambda f: Fact.kind, CONTRACT_KINDS,
              "ix_contract_facts_by_kind", (Fact.contract_type, Fact.kind)),
    Dimension("technical_field", ("技术领域", "Technical field"), lambda f: Fact.technical_field, CONTRACT_FIELDS,
              "ix_contract_facts_by_field"),
    Dimension("ip_type", ("知识产权类型", "IP type"), lambda f: Fact.ip_type, CONTRACT_IP_TYPES,
              "ix_contract_facts_by_ip_type"),
    Dimension("plan_source", ("计划来源", "Programme"), lambda f: Fact.plan_source, PLAN_SOURCES,
              "ix_contract_facts_by_plan_source"),
    Dimension("seller_type", ("卖方类型", "Seller type"), lambda f: Fact.seller_type, INSTITUTION_TYPES,
              "ix_contract_facts_by_seller_type"),
    Dimension("buyer_type", ("买方类型", "Buyer type"), lambda f: Fact.buyer_type, INSTITUTION_TYPES,
              "ix_contract_facts_by_buyer_type"),
    Dimension("outflow_region", ("输出地区（卖方）", "Outflow by seller's province"), lambda f: Fact.seller_province,
              REGIONS, "ix_contract_facts_by_provinces"),
    Dimension("inflow_region", ("吸纳地区（买方）", "Inflow by buyer's province"), lambda f: Fact.buyer_province,
              REGIONS, "ix_contract_facts_by_buyer_province"),
    # grouped by the two provinces (the index's order), each pair's rows then added to its flow
    Dimension("flow", ("省内 / 跨省", "Within / across the province"), flow, FLOWS, "ix_contract_facts_by_provinces",
              (Fact.seller_province, Fact.buyer_province)),
    Dimension("year", ("签订年份", "Year signed"), lambda f: Fact.year, None, "ix_contract_facts_by_month"),
    Dimension("month", ("签订月份", "Month signed"), lambda f: Fact.month, None, "ix_contract_facts_by_month",
              (Fact.year, Fact.month)),
)}


def with_parties(statement):
    """``statement`` joined to each deal's seller and buyer (the tables the filters and dimensions read)."""
    return statement.join(SELLER, and_(SELLER.c.deal_id == Deal.id, SELLER.c.role == "seller")) \
        .join(BUYER, and_(BUYER.c.deal_id == Deal.id, BUYER.c.role == "buyer"))


def restrict(statement, stats: StatsFilter, source=Fact):
    """The conditions of ``stats`` except the period on a statement over :class:`~.models.ContractFact` (which
    holds only contracts not refused registration) or ``source``, a table carrying its columns: the region of one
    side, the field, the seller institution or its type."""
    if stats.region is not None:
        province_of = source.seller_province if stats.side == "seller" else source.buyer_province
        statement = statement.where(province_of == stats.region[:2] + "0000")
    if stats.field is not None:
        statement = statement.where(source.technical_field == stats.field)
    if stats.institution_id is not None:
        statement = statement.where(source.seller_org_id == stats.institution_id)
    if stats.institution_type is not None:
        statement = statement.where(source.seller_type == stats.institution_type)
    return statement


def counted(statement, stats: StatsFilter):
    """``statement`` over the contracts ``stats`` covers: signed in the period, and :func:`restrict`."""
    statement = statement.select_from(Fact)
    return restrict(statement, stats).where(Fact.signed_on >= stats.start, Fact.signed_on < stats.end)


def through(statement, stats: StatsFilter, index: str):
    """``statement``, grouped by the leading columns of grouping index ``index``, read through that index on SQLite
    (``INDEXED BY``): the groups come in the index's order, each added up as it passes. Without statistics
    SQLite's planner would rather read the period by the signing date and sort it — much slower for a long period.
    One institution's contracts are few: its own index (ix_contract_facts_seller_org) finds them, unhinted."""
    if stats.institution_id is not None:
        return statement
    return indexed_by(statement, Fact, index)


@dataclass(frozen=True)
class Row:
    key: object
    contracts: int
    total_amount: Decimal  # 合同成交额, 万元
    technical_amount: Decimal  # 技术交易额, 万元

    @property
    def average_amount(self) -> Decimal:
        if not self.contracts:
            return Decimal("0.0000")
        return (self.total_amount / self.contracts).quantize(Decimal("0.0001"))


AGGREGATES = (func.count(Fact.deal_id), func.sum(Fact.total_units), func.sum(Fact.technical_units))


def total(stats: StatsFilter) -> Row:
    count, amount, technical = db.session.execute(counted(select(*AGGREGATES), stats)).one()
    return Row(None, int(count or 0), to_wan(amount), to_wan(technical))


def total_of(rows: list[Row]) -> Row:
    """The total of a :func:`breakdown` (every counted contract has one value of each dimension: the rows add up)."""
    zero = Decimal("0.0000")
    return Row(None, sum(row.contracts for row in rows), sum((row.total_amount for row in rows), zero),
               sum((row.technical_amount for row in rows), zero))


def breakdown(stats: StatsFilter, dimension: str) -> list[Row]:
    """One row per value of ``dimension`` that has contracts: vocabulary order, else by key."""
    spec = DIMENSIONS[dimension]
    key = spec.expression(stats).label("key")
    statement = through(counted(select(key, *AGGREGATES), stats).group_by(*(spec.grouping or (key,))), stats,
                        spec.index)
    sums: dict = {}
    for value, count, amount, technical in db.session.execute(statement):
        cells = sums.setdefault(value, [0, 0, 0])  # a key of several groups (flow) adds them up
        for index, number in enumerate((count, amount, technical)):
            cells[index] += int(number or 0)
    rows = [Row(value, count, to_wan(amount), to_wan(technical)) for value, (count, amount, technical) in sums.items()]
    if spec.vocabulary is not None:
        order = {code: position for position, code in enumerate(spec.vocabulary)}
        rows.sort(key=lambda row: (order.get(row.key, len(order)), str(row.key)))
    else:
        rows.sort(key=lambda row: row.key)
    return rows
