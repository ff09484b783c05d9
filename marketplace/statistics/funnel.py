"""The conversion funnel of the listings published in a period (a cohort): published → asked about (an inquiry) →
in negotiation (an inquiry answered, or a pipeline opportunity in 洽谈 or later) → signed (a contract linked to the
listing) → registered (that contract registered), each counted when it happened within 12 months of publication.

Conversion rate = listings of the cohort that reached a signed contract within 12 months ÷ listings published in the
period. Time to signature = days from publication to the first linked contract's signing date (median and 90th
percentile over the listings that reached one). Listings are achievements and patents (the supply side); the field
filter keeps achievements of the national 技术领域 asked (patents carry no field), the institution filters keep the
listings of that organisation or organisation type.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import false, func, or_, select

from ..accounts.models import Organization
from ..achievements.models import Achievement
from ..deals.models import Opportunity
from ..deals.vocabularies import FIELD_TO_CONTRACT_FIELD
from ..extensions import db
from ..inquiries.models import Inquiry
from ..patents.models import Patent
from ..sql_hints import indexed_by
from .filters import StatsFilter
from .models import ListingSigning as Signing
from .signings import days_within

STAGES: dict[str, tuple[str, str]] = {
    "published": ("发布", "Published"), "inquired": ("收到洽谈", "Asked about"),
    "negotiation": ("进入洽谈", "In negotiation"), "signed": ("签约", "Signed"), "registered": ("登记", "Registered"),
}
ORG_TYPE_OF_INSTITUTION = {"university": ("university",), "institute": ("institute",),
                           "enterprise": ("enterprise",), "other": ("broker_agency", "investor", "government")}


@dataclass(frozen=True)
class FunnelRow:
    period: int | None  # the publication year; None = the whole range
    counts: dict[str, int]  # stage → listings
    median_days: int | None
    p90_days: int | None

    def rate(self, stage: str) -> Decimal:
        """Share of the cohort that reached ``stage`` (%)."""
        published = self.counts["published"]
        if not published:
            return Decimal("0.0")
        return (Decimal(self.counts[stage]) * 100 / published).quantize(Decimal("0.1"))

    def step_rate(self, stage: str) -> Decimal:
        """Share of the previous stage that reached ``stage`` (%)."""
        names = list(STAGES)
        previous = self.counts[names[names.index(stage) - 1]] if names.index(stage) else self.counts[stage]
        if not previous:
            return Decimal("0.0")
        return (Decimal(self.counts[stage]) * 100 / previous).quantize(Decimal("0.1"))


#: the column of the national 技术领域's codes of each source of listings (patents carry no field)
FIELD_COLUMNS = {Achievement: Achievement.technical_field, Patent: None, Signing: Signing.technical_field}


def _cohort(source, stats: StatsFilter, years: range | None = None):
    """Conditions on ``source`` (Achievement, Patent or the signed listings) for the cohort ``stats`` describes
    (published in ``years`` of its range when given)."""
    years = years or range(stats.year_from, stats.year_to + 1)
    conditions = [source.published_at >= datetime(years[0], 1, 1), source.published_at < datetime(years[-1] + 1, 1, 1)]
    if stats.institution_id is not None:
        conditions.append(source.org_id == stats.institution_id)
    if stats.institution_type is not None or stats.region is not None:
        org = select(Organization.id)
        if stats.institution_type is not None:
            org = org.where(Organization.org_type.in_(ORG_TYPE_OF_INSTITUTION[stats.institution_type]))
        if stats.region is not None:
            org = org.where(func.substr(Organization.region, 1, 2) == stats.region[:2])
        conditions.append(source.org_id.in_(org))
    if stats.field is not None:
        column = FIELD_COLUMNS[source]
        fields = [code for code, national in FIELD_TO_CONTRACT_FIELD.items() if national == stats.field]
        conditions.append(column.in_(fields) if column is not None else false())
    return conditions


#: the index each kind of listing's cohorts are counted from (published_at first, then the filters' columns)
COHORT_INDEXES = {Achievement: "ix_achievements_published", Patent: "ix_patents_published"}


def _cohort_sizes(model, stats: StatsFilter) -> dict[int, int]:
    """Publication year → listings of ``model`` in the cohort: one count of a range of its cohort index per year
    (SQLite: ``INDEXED BY``; without statistics its planner may pick an index without the publication date)."""
    return {year: db.session.execute(indexed_by(select(func.count(model.id)).where(
        *_cohort(model, stats, range(year, year + 1))), model, COHORT_INDEXES[model])).scalar()
        for year in stats.years}


def _asked(model, kind: str, stats: StatsFilter) -> dict[str, dict[int, tuple[datetime, datetime]]]:
    """The asked-about and in-negotiation stages: listing id → (published_at, when the stage was first reached)."""
    cohort = _cohort(model, stats)
    inquired = select(model.id, model.published_at, func.min(Inquiry.created_at)).join(
        Inquiry, (Inquiry.subject_kind == kind) & (Inquiry.subject_id == model.id)).where(*cohort).group_by(model.id)
    answered = select(model.id, model.published_at, func.min(Inquiry.answered_at)).join(
        Inquiry, (Inquiry.subject_kind == kind) & (Inquiry.subject_id == model.id)).where(
        *cohort, Inquiry.answered_at.is_not(None)).group_by(model.id)
    column = Opportunity.achievement_id if model is Achievement else Opportunity.patent_id
    negotiated = select(model.id, model.published_at, func.min(Opportunity.negotiation_at)).join(
        Opportunity, column == model.id).where(*cohort, Opportunity.negotiation_at.is_not(None)).group_by(model.id)
    negotiation = {row[0]: (row[1], row[2]) for row in db.session.execute(answered)}
    for listing_id, published, when in db.session.execute(negotiated):
        if listing_id not in negotiation or when < negotiation[listing_id][1]:
            negotiation[listing_id] = (published, when)
    return {"inquired": {row[0]: (row[1], row[2]) for row in db.session.execute(inquired)},
            "negotiation": negotiation}


def _signed(stats: StatsFilter):
    """The signed and registered stages of the cohort's listings (achievements and patents), from their summary
    (:mod:`.signings` decided each one's 12 months when it derived the row): (publication year, days to the first
    signing or None, registered within 12 months) for each listing that reached one."""
    return db.session.execute(select(Signing.year, Signing.signed_days, Signing.registered_within).where(
        *_cohort(Signing, stats), or_(Signing.signed_days.is_not(None), Signing.registered_within)))


def _percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile (the median at 0.5)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[rank - 1]


def funnel(stats: StatsFilter) -> list[FunnelRow]:
    """One row per publication year of the range, then the whole range (period None)."""
    published: Counter[int] = Counter()
    reached: dict[str, Counter[int]] = {stage: Counter() for stage in STAGES if stage != "published"}
    days: dict[int, list[int]] = {year: [] for year in stats.years}  # publication year → days to signature
    for model, kind in ((Achievement, "achievement"), (Patent, "patent")):
        published.update(_cohort_sizes(model, stats))
        for stage, firsts in _asked(model, kind, stats).items():
            for published_at, when in firsts.values():
                if days_within(published_at, when) is not None:
                    reached[stage][published_at.year] += 1
    for year, signed_days, registered in _signed(stats):
        if signed_days is not None:
            reached["signed"][year] += 1
            days[year].append(signed_days)
        if registered:
            reached["registered"][year] += 1
    rows = []
    for period in [*stats.years, None]:
        years = stats.years if period is None else [period]
        counts = {"published": sum(published[year] for year in years)}
        counts.update({stage: sum(by_year[year] for year in years) for stage, by_year in reached.items()})
        signed_days = [value for year in years for value in days[year]]
        rows.append(FunnelRow(period, counts, _percentile(signed_days, 0.5), _percentile(signed_days, 0.9)))
    return rows
