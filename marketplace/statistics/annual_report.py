"""The annual conversion report's structure (《中国科技成果转化年度报告（高等院校与科研院所篇）》): for contracts sold
by universities and research institutes in a year — 转让 / 许可 / 作价投资 and 技术开发 / 咨询 / 服务 (contracts,
amount, average), 当年到账金额, rewards to individuals, size bands and the institutions ranked.

Definitions (README, "Statistics"): a contract counts in the year it was signed; money counts in the year it arrived
(当年到账金额 = payments received that year on the institutions' contracts, whatever year they were signed); a reward
counts in the year it was awarded (the signing year when no date was recorded); 作价投资 = a 技术转让 contract flagged
技术入股 (it is not also counted under 转让); amounts in 万元.

All three parts (overall, universities, institutes) come from four statements over the summary tables
(:class:`~.models.ContractFact` and its money by year, :class:`~.models.ContractMoney`): the categories with the size
bands, the money received, the rewards and the institutions, each grouped by the seller's type.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select

from ..extensions import db
from .contracts import UNITS, Row, counted, restrict, through, to_wan
from .filters import StatsFilter
from .models import ContractFact as Fact
from .models import ContractMoney as Money

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
    """The report's category of a counted contract (作价投资 = a 技术转让 flagged 技术入股)."""
    return Fact.category


INSTITUTIONS = ("university", "institute")


def _parts_of(seller_type: str) -> tuple[str, ...]:
    return ("all", seller_type)


def _institutions(statement, part: str):
    """Restrict to sellers that are universities and institutes (or one of them)."""
    if part == "all":
        return statement.where(Fact.seller_type.in_(INSTITUTIONS))
    return statement.where(Fact.seller_type == part)


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


def _sums(stats: StatsFilter) -> dict[str, dict]:
    """Per part: category → [contracts, amount units, technical units], and band → [contracts, amount units]
    (one statement)."""
    band_columns = []
    for threshold, _labels in BANDS.values():
        big = Fact.total_units >= int(threshold * UNITS)
        band_columns += [func.sum(case((big, 1), else_=0)), func.sum(case((big, Fact.total_units), else_=0))]
    statement = through(report_contracts(select(Fact.seller_type, Fact.category, func.count(Fact.deal_id),
                                                func.sum(Fact.total_units), func.sum(Fact.technical_units),
                                                *band_columns), stats)
                        .group_by(Fact.seller_type, Fact.category), stats, "ix_contract_facts_by_seller_type")
    sums = {part: {"categories": {code: [0, 0, 0] for code in REPORT_CATEGORIES},
                   "bands": {code: [0, 0] for code in BANDS}} for part in PARTS}
    for seller_type, category, count, amount, technical, *bands in db.session.execute(statement):
        for part in _parts_of(seller_type):
            cells = sums[part]["categories"].setdefault(category, [0, 0, 0])
            for index, value in enumerate((count, amount, technical)):
                cells[index] += int(value or 0)
            for position, code in enumerate(BANDS):
                band = sums[part]["bands"][code]
                band[0] += int(bands[2 * position] or 0)
                band[1] += int(bands[2 * position + 1] or 0)
    return sums


def _rows(categories: dict[str, list[int]]) -> list[Row]:
    return [Row(code, count, to_wan(amount), to_wan(technical))
            for code, (count, amount, technical) in categories.items() if code in REPORT_CATEGORIES]


def categories(stats: StatsFilter, part: str) -> list[Row]:
    """One row per report category (zeros included) of ``part``."""
    return _rows(_sums(stats)[part]["categories"])


def _money(kind: str, stats: StatsFilter, keys: tuple = (), sums: tuple = ()):
    """The institutions' money of ``kind`` (payment, reward) in the period: seller type, ``keys`` and ``sums``,
    grouped by seller type and ``keys`` (the summary's order: one sweep of its rows)."""
    statement = select(Money.seller_type, *keys, *sums).where(
        Money.kind == kind, Money.seller_type.in_(INSTITUTIONS), Money.year >= stats.year_from,
        Money.year <= stats.year_to)
    return restrict(statement, stats.with_(institution_type=None), Money).group_by(Money.seller_type, *keys)


def _received(stats: StatsFilter) -> dict[str, Decimal]:
    """Per part: payments that arrived in the period on contracts the institutions sold (any signing year)."""
    found = {part: 0 for part in PARTS}
    for seller_type, amount in db.session.execute(_money("payment", stats, sums=(func.sum(Money.units),))):
        for part in _parts_of(seller_type):
            found[part] += int(amount or 0)
    return {part: to_wan(amount) for part, amount in found.items()}


def received(stats: StatsFilter, part: str) -> Decimal:
    return _received(stats)[part]


def _rewards(stats: StatsFilter) -> dict[str, list[Reward]]:
    """Per part: rewards to individuals awarded in the period (the signing date when none was recorded)."""
    found = {part: {form: [0, 0] for form in REWARD_FORMS} for part in PARTS}
    for seller_type, form, amount, persons in db.session.execute(
            _money("reward", stats, (Money.form,), (func.sum(Money.units), func.sum(Money.persons)))):
        for part in _parts_of(seller_type):
            cells = found[part].setdefault(form, [0, 0])
            cells[0] += int(amount or 0)
            cells[1] += int(persons or 0)
    return {part: [Reward(form, to_wan(found[part][form][0]), found[part][form][1]) for form in REWARD_FORMS]
            for part in PARTS}


def rewards(stats: StatsFilter, part: str) -> list[Reward]:
    return _rewards(stats)[part]


def _bands(band_sums: dict[str, list[int]], total: Row) -> list[Band]:
    result = []
    for code in BANDS:
        count, amount = band_sums[code]
        amount = to_wan(amount)
        result.append(Band(code, count, amount, _percent(count, total.contracts), _percent(amount, total.total_amount)))
    return result


def _rankings(stats: StatsFilter, limit: int) -> dict[str, list[Ranked]]:
    """Per part: the institutions by contract amount, then name (one statement)."""
    statement = through(report_contracts(select(Fact.seller_type, Fact.seller_org_id, Fact.seller_name,
                                                func.count(Fact.deal_id), func.sum(Fact.total_units)), stats)
                        .group_by(Fact.seller_type, Fact.seller_org_id, Fact.seller_name), stats,
                        "ix_contract_facts_by_seller")
    found: dict[str, dict[tuple, list[int]]] = {part: {} for part in PARTS}
    for seller_type, org_id, name, count, amount in db.session.execute(statement):
        for part in _parts_of(seller_type):
            cells = found[part].setdefault((org_id, name), [0, 0])
            cells[0] += int(count)
            cells[1] += int(amount or 0)
    return {part: [Ranked(org_id, name, count, to_wan(amount)) for (org_id, name), (count, amount)
                   in sorted(ranks.items(), key=lambda item: (-item[1][1], item[0][1]))[:limit]]
            for part, ranks in found.items()}


def ranking(stats: StatsFilter, part: str, limit: int = 20) -> list[Ranked]:
    return _rankings(stats, limit)[part]


def _total(rows: list[Row]) -> Row:
    zero = Decimal("0.0000")
    return Row(None, sum(row.contracts for row in rows), sum((row.total_amount for row in rows), zero),
               sum((row.technical_amount for row in rows), zero))


def annual_report(stats: StatsFilter, *, with_ranking: bool = True) -> dict[str, PartReport]:
    """The three parts (overall, universities, institutes) for the contracts ``stats`` covers (its institution
    type aside: the parts are the institution types)."""
    stats = stats.with_(institution_type=None)
    sums, money, given = _sums(stats), _received(stats), _rewards(stats)
    ranks = _rankings(stats, 20) if with_ranking else {part: [] for part in PARTS}
    reports = {}
    for part in PARTS:
        rows = _rows(sums[part]["categories"])
        total = _total(rows)
        reports[part] = PartReport(part, rows, total, money[part], given[part], _bands(sums[part]["bands"], total),
                                   ranks[part])
    return reports


def part_report(stats: StatsFilter, part: str) -> PartReport:
    return annual_report(stats)[part]
