"""The annual conversion report's structure (《中国科技成果转化年度报告（高等院校与科研院所篇）》): for contracts sold
by universities and research institutes in a year — 转让 / 许可 / 作价投资 and 技术开发 / 咨询 / 服务 (contracts,
amount, average), 当年到账金额, rewards to individuals, size bands and the institutions ranked.

Definitions (README, "Statistics"): a contract counts in the year it was signed; money counts in the year it arrived
(当年到账金额 = payments received that year on the institutions' contracts, whatever year they were signed); a reward
counts in the year it was awarded (the signing year when no date was recorded); 作价投资 = a 技术转让 contract flagged
技术入股 (it is not also counted under 转让); amounts in 万元.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, literal, select

from ..deals.models import Deal, DealPayment, DealReward
from ..extensions import db
from .contracts import AGGREGATES, SELLER, Row, counted, nature_group, restrict, to_wan, units, with_parties
from .filters import StatsFilter

REPORT_CATEGORIES: dict[str, tuple[str, str]] = {
    "transfer": ("转让", "Assignment"), "licence": ("许可", "Licence"), "equity": ("作价投资", "Equity investment"),
    "development": ("技术开发", "Development"), "consulting": ("技术咨询", "Consulting"),
    "service": ("技术服务", "Service"),
}
#: the report's two groups of categories
TRANSFER_GROUP = ("transfer", "licence", "equity")
SERVICE_GROUP = ("development", "consulting", "service")
PARTS: dict[str, tuple[str, str]] = {
    "all": ("总体", "Overall"), "university": ("高等院校", "Universities"), "institute": ("科研院所", "Research institutes"),
}
BANDS: dict[str, tuple[Decimal, tuple[str, str]]] = {
    "gte_100": (Decimal("100"), ("100万元及以上", "¥1M and above")),
    "gte_10000": (Decimal("10000"), ("1亿元及以上", "¥100M and above")),
}
REWARD_FORMS = {"cash": ("现金", "Cash"), "equity": ("股权", "Equity")}


def report_category():
    return case((Deal.equity_investment.is_(True), literal("equity")), else_=Deal.contract_type)


def _part_filter(stats: StatsFilter, part: str) -> StatsFilter:
    return stats.with_(institution_type=None if part == "all" else part)


def _institutions(statement, part: str):
    """Restrict to sellers that are universities and institutes (or one of them)."""
    if part == "all":
        return statement.where(nature_group(SELLER).in_(("university", "institute")))
    return statement.where(nature_group(SELLER) == part)


def report_contracts(statement, stats: StatsFilter, part: str = "all"):
    """``statement`` over the contracts the report counts for ``part``: signed in the period, sold by universities
    and institutes (or one of them), within the other filters of ``stats`` (its institution type aside)."""
    return _institutions(counted(statement, stats.with_(institution_type=None)), part)


@dataclass(frozen=True)
class Band:
    code: str
    contracts: int
    amount: Decimal
    count_share: Decimal  # % of the contracts
    amount_share: Decimal  # % of the amount


@dataclass(frozen=True)
class Reward:
    form: str
    amount: Decimal
    persons: int


@dataclass(frozen=True)
class Ranked:
    org_id: int | None
    name: str
    contracts: int
    total_amount: Decimal


@dataclass(frozen=True)
class PartReport:
    part: str
    categories: list[Row]  # one per REPORT_CATEGORIES code (zeros included), key = the code
    total: Row
    received: Decimal  # 当年到账金额
    rewards: list[Reward]
    bands: list[Band]
    ranking: list[Ranked]


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def categories(stats: StatsFilter, part: str) -> list[Row]:
    key = report_category().label("key")
    statement = _institutions(counted(select(key, *AGGREGATES), stats), part).group_by(key)
    found = {value: Row(value, int(count), to_wan(amount), to_wan(technical))
             for value, count, amount, technical in db.session.execute(statement)}
    zero = Decimal("0.0000")
    return [found.get(code, Row(code, 0, zero, zero)) for code in REPORT_CATEGORIES]


def received(stats: StatsFilter, part: str) -> Decimal:
    """Payments that arrived in the period on contracts the institutions sold (any signing year)."""
    statement = with_parties(select(func.sum(units(DealPayment.amount))).select_from(DealPayment)
                             .join(Deal, Deal.id == DealPayment.deal_id))
    statement = restrict(statement, stats).where(DealPayment.received_on >= stats.start,
                                                 DealPayment.received_on < stats.end)
    return to_wan(db.session.execute(_institutions(statement, part)).scalar())


def rewards(stats: StatsFilter, part: str) -> list[Reward]:
    """Rewards to individuals awarded in the period (the signing date when none was recorded)."""
    awarded = func.coalesce(DealReward.awarded_on, Deal.signed_on)
    statement = with_parties(select(DealReward.form, func.sum(units(DealReward.amount)), func.sum(DealReward.persons))
                             .select_from(DealReward).join(Deal, Deal.id == DealReward.deal_id))
    statement = restrict(statement, stats).where(awarded >= stats.start, awarded < stats.end) \
        .group_by(DealReward.form)
    found = {form: (to_wan(amount), int(persons or 0))
             for form, amount, persons in db.session.execute(_institutions(statement, part))}
    return [Reward(form, *found.get(form, (Decimal("0.0000"), 0))) for form in REWARD_FORMS]


def bands(stats: StatsFilter, part: str, total: Row) -> list[Band]:
    result = []
    for code, (threshold, _labels) in BANDS.items():
        statement = _institutions(counted(select(func.count(Deal.id), func.sum(units(Deal.total_amount))), stats),
                                  part).where(Deal.total_amount >= threshold)
        count, amount = db.session.execute(statement).one()
        amount = to_wan(amount)
        result.append(Band(code, int(count or 0), amount, _percent(int(count or 0), total.contracts),
                           _percent(amount, total.total_amount)))
    return result


def ranking(stats: StatsFilter, part: str, limit: int = 20) -> list[Ranked]:
    amount = func.sum(units(Deal.total_amount))
    statement = _institutions(counted(select(SELLER.c.org_id, SELLER.c.name, func.count(Deal.id), amount), stats),
                              part).group_by(SELLER.c.org_id, SELLER.c.name) \
        .order_by(amount.desc(), SELLER.c.name).limit(limit)
    return [Ranked(org_id, name, int(count), to_wan(total))
            for org_id, name, count, total in db.session.execute(statement)]


def part_report(stats: StatsFilter, part: str) -> PartReport:
    rows = categories(stats, part)
    zero = Decimal("0.0000")
    total = Row(None, sum(row.contracts for row in rows), sum((row.total_amount for row in rows), zero),
                sum((row.technical_amount for row in rows), zero))
    return PartReport(part, rows, total, received(stats, part), rewards(stats, part), bands(stats, part, total),
                      ranking(stats, part))


def annual_report(stats: StatsFilter) -> dict[str, PartReport]:
    """The three parts (overall, universities, institutes) for the contracts ``stats`` covers."""
    stats = stats.with_(institution_type=None)
    return {part: part_report(stats, part) for part in PARTS}
