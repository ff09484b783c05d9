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

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, case, cast, func, select

from ..accounts.models import Organization
from ..achievements.models import Achievement
from ..deals.models import Deal, Opportunity, RegistrationStatus, deal_achievements, deal_patents
from ..deals.vocabularies import FIELD_TO_CONTRACT_FIELD
from ..extensions import db
from ..inquiries.models import Inquiry
from ..patents.models import Patent
from .filters import StatsFilter

WINDOW = timedelta(days=365)
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


def _cohort(model, stats: StatsFilter):
    """Conditions on ``model`` (Achievement or Patent) for the cohort ``stats`` describes."""
    start = datetime.combine(stats.start, datetime.min.time())
    end = datetime.combine(stats.end, datetime.min.time())
    conditions = [model.published_at >= start, model.published_at < end]
    if stats.institution_id is not None:
        conditions.append(model.org_id == stats.institution_id)
    if stats.institution_type is not None or stats.region is not None:
        org = select(Organization.id)
        if stats.institution_type is not None:
            org = org.where(Organization.org_type.in_(ORG_TYPE_OF_INSTITUTION[stats.institution_type]))
        if stats.region is not None:
            org = org.where(func.substr(Organization.region, 1, 2) == stats.region[:2])
        conditions.append(model.org_id.in_(org))
    if stats.field is not None:
        if model is Patent:
            conditions.append(model.id.is_(None))  # patents carry no field
        else:
            fields = [code for code, national in FIELD_TO_CONTRACT_FIELD.items() if national == stats.field]
            conditions.append(model.technical_field.in_(fields))
    return conditions


def _year_of(column):
    return cast(func.extract("year", column), BigInteger)


def _firsts(model, kind: str, link, stats: StatsFilter) -> dict[str, dict[int, tuple[datetime, object]]]:
    """For each stage after publication: listing id → (published_at, when the stage was first reached)."""
    cohort = _cohort(model, stats)
    inquired = select(model.id, model.published_at, func.min(Inquiry.created_at)).join(
        Inquiry, (Inquiry.subject_kind == kind) & (Inquiry.subject_id == model.id)).where(*cohort).group_by(model.id)
    answered = select(model.id, model.published_at, func.min(Inquiry.answered_at)).join(
        Inquiry, (Inquiry.subject_kind == kind) & (Inquiry.subject_id == model.id)).where(
        *cohort, Inquiry.answered_at.is_not(None)).group_by(model.id)
    column = Opportunity.achievement_id if model is Achievement else Opportunity.patent_id
    negotiated = select(model.id, model.published_at, func.min(Opportunity.negotiation_at)).join(
        Opportunity, column == model.id).where(*cohort, Opportunity.negotiation_at.is_not(None)).group_by(model.id)
    listing_column = link.c.achievement_id if model is Achievement else link.c.patent_id
    registered_on = case((Deal.registration_status == RegistrationStatus.REGISTERED, Deal.signed_on))
    linked = select(model.id, model.published_at, func.min(Deal.signed_on), func.min(registered_on)).join(
        link, listing_column == model.id).join(Deal, Deal.id == link.c.deal_id).where(
        *cohort, Deal.registration_status != RegistrationStatus.REFUSED).group_by(model.id)
    result = {"inquired": {row[0]: (row[1], row[2]) for row in db.session.execute(inquired)},
              "signed": {}, "registered": {}}
    for listing_id, published, signed, registered in db.session.execute(linked):  # both stages in one statement
        result["signed"][listing_id] = (published, signed)
        if registered is not None:
            result["registered"][listing_id] = (published, registered)
    negotiation = {row[0]: (row[1], row[2]) for row in db.session.execute(answered)}
    for listing_id, (published, when) in ((row[0], (row[1], row[2])) for row in db.session.execute(negotiated)):
        if listing_id not in negotiation or when < negotiation[listing_id][1]:
            negotiation[listing_id] = (published, when)
    result["negotiation"] = negotiation
    return result


def _within(published: datetime, when) -> bool:
    moment = when if isinstance(when, datetime) else datetime.combine(when, datetime.min.time())
    return published.date() - timedelta(days=1) <= moment.date() and moment - published <= WINDOW


def _percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile (the median at 0.5)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[rank - 1]


def funnel(stats: StatsFilter) -> list[FunnelRow]:
    """One row per publication year of the range, then the whole range (period None)."""
    published: dict[int, int] = {}
    reached: dict[str, list[tuple[int, datetime, object]]] = {stage: [] for stage in STAGES if stage != "published"}
    for model, kind, link in ((Achievement, "achievement", deal_achievements), (Patent, "patent", deal_patents)):
        year = _year_of(model.published_at)
        for period, count in db.session.execute(select(year, func.count(model.id)).where(*_cohort(model, stats))
                                                .group_by(year)):
            published[int(period)] = published.get(int(period), 0) + int(count)
        for stage, firsts in _firsts(model, kind, link, stats).items():
            reached[stage].extend((published_at.year, published_at, when) for published_at, when in firsts.values()
                                  if _within(published_at, when))
    rows = []
    for period in [*stats.years, None]:
        counts = {"published": sum(published.values()) if period is None else published.get(period, 0)}
        for stage, items in reached.items():
            counts[stage] = sum(1 for year, _p, _w in items if period is None or year == period)
        days = [(date_of(when) - published_at.date()).days for year, published_at, when in reached["signed"]
                if period is None or year == period]
        rows.append(FunnelRow(period, counts, _percentile(days, 0.5), _percentile(days, 0.9)))
    return rows


def date_of(value) -> date:
    return value.date() if isinstance(value, datetime) else value



