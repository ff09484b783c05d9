"""Figures of the platform's programmes for a period: open licences (declared, granted), 揭榜挂帅 challenges, the
yearly high-quality list against its target, and the brokers' pipeline (attribution).

Definitions (README, "Statistics"):
- open licences declared = declarations made in the period (declared_at) and still in force at the end of it;
  granted = licences taken under an open licence in the period;
- challenges published = 榜单 published in the period; applications per challenge = submitted applications (not
  withdrawn, not mere registrations of interest) ÷ challenges published; award rate = challenges that chose a 揭榜方
  ÷ challenges published whose applications have closed; acceptance rate = challenges accepted ÷ challenges whose
  delivery ended (accepted, failed or terminated); funding committed = signed agreements' funding; paid = milestone
  tranches paid in the period plus award payments of challenges accepted in the period;
- the high-quality list of a year = published achievements on that year's list, against the target (200);
- brokers: opportunities attributed to a broker (any stage) opened in the period; won = closed as 成交 in the period;
  contracts = contracts signed in the period that name the broker, with their 合同成交额.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from ..accounts.models import User
from ..achievements.models import Achievement
from ..challenges.models import (AgreementStatus, ApplicationStatus, Challenge, ChallengeAgreement,
                                 ChallengeApplication, ChallengeMilestone, ChallengeStage)
from ..deals.models import Opportunity, OpportunityStage, PatentLicence
from ..extensions import db
from ..listings import PUBLISHED
from ..patents.models import OpenLicence
from .contracts import counted, through, to_wan, units
from .filters import StatsFilter
from .models import ContractFact as Fact

QUALITY_TARGET = 200


def _moments(stats: StatsFilter) -> tuple[datetime, datetime]:
    return (datetime.combine(stats.start, datetime.min.time()), datetime.combine(stats.end, datetime.min.time()))


@dataclass(frozen=True)
class OpenLicenceFigures:
    declared: int
    in_force: int
    granted: int


def open_licences(stats: StatsFilter) -> OpenLicenceFigures:
    start, end = _moments(stats)
    declared = db.session.execute(select(func.count(OpenLicence.id)).where(
        OpenLicence.declared_at >= start, OpenLicence.declared_at < end)).scalar()
    in_force = db.session.execute(select(func.count(OpenLicence.id)).where(
        OpenLicence.declared_at < end, OpenLicence.active.is_(True))).scalar()
    granted = db.session.execute(select(func.count(PatentLicence.id)).where(
        PatentLicence.via_open_licence.is_(True), PatentLicence.created_at >= start,
        PatentLicence.created_at < end)).scalar()
    return OpenLicenceFigures(int(declared or 0), int(in_force or 0), int(granted or 0))


@dataclass(frozen=True)
class ChallengeFigures:
    published: int
    applications: int
    awarded: int
    closed: int  # applications closed (reviewing or later)
    accepted: int
    delivery_ended: int
    committed: Decimal
    paid: Decimal

    @property
    def applications_per_challenge(self) -> Decimal:
        if not self.published:
            return Decimal("0.0")
        return (Decimal(self.applications) / self.published).quantize(Decimal("0.1"))

    @property
    def award_rate(self) -> Decimal:
        return _percent(self.awarded, self.closed)

    @property
    def acceptance_rate(self) -> Decimal:
        return _percent(self.accepted, self.delivery_ended)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


AWARDED_STAGES = (ChallengeStage.AWARDED, ChallengeStage.IN_DELIVERY, ChallengeStage.ACCEPTED, ChallengeStage.FAILED,
                  ChallengeStage.TERMINATED)
CLOSED_STAGES = (*AWARDED_STAGES, ChallengeStage.REVIEWING, ChallengeStage.UNSUCCESSFUL)
ENDED_STAGES = (ChallengeStage.ACCEPTED, ChallengeStage.FAILED, ChallengeStage.TERMINATED)
SUBMITTED = (ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.AWARDED,
             ApplicationStatus.NOT_SELECTED, ApplicationStatus.ELIMINATED)


def challenges(stats: StatsFilter) -> ChallengeFigures:
    start, end = _moments(stats)
    published = [Challenge.published_at >= start, Challenge.published_at < end]
    if stats.institution_id is not None:
        published.append(Challenge.org_id == stats.institution_id)

    def count(*conditions) -> int:
        return int(db.session.execute(select(func.count(Challenge.id)).where(*published, *conditions)).scalar() or 0)

    applications = db.session.execute(select(func.count(ChallengeApplication.id)).join(
        Challenge, Challenge.id == ChallengeApplication.challenge_id).where(
        *published, ChallengeApplication.status.in_(SUBMITTED))).scalar()
    committed = db.session.execute(select(func.sum(units(ChallengeAgreement.funding))).join(
        ChallengeApplication, ChallengeApplication.id == ChallengeAgreement.application_id).join(
        Challenge, Challenge.id == ChallengeApplication.challenge_id).where(
        *published, ChallengeAgreement.status == AgreementStatus.SIGNED)).scalar()
    tranches = select(func.sum(units(ChallengeMilestone.paid_amount))).where(
        ChallengeMilestone.paid_on >= stats.start, ChallengeMilestone.paid_on < stats.end)
    awards = select(func.sum(units(Challenge.reward_paid))).where(
        Challenge.stage == ChallengeStage.ACCEPTED, Challenge.stage_changed_at >= start, Challenge.stage_changed_at < end)
    if stats.institution_id is not None:
        awards = awards.where(Challenge.org_id == stats.institution_id)
        tranches = tranches.join(ChallengeAgreement, ChallengeAgreement.id == ChallengeMilestone.agreement_id).join(
            ChallengeApplication, ChallengeApplication.id == ChallengeAgreement.application_id).join(
            Challenge, Challenge.id == ChallengeApplication.challenge_id).where(
            Challenge.org_id == stats.institution_id)
    paid = to_wan(db.session.execute(tranches).scalar()) + to_wan(db.session.execute(awards).scalar())
    return ChallengeFigures(count(), int(applications or 0), count(Challenge.stage.in_(AWARDED_STAGES)),
                            count(Challenge.stage.in_(CLOSED_STAGES)), count(Challenge.stage == ChallengeStage.ACCEPTED),
                            count(Challenge.stage.in_(ENDED_STAGES)), to_wan(committed), paid)


@dataclass(frozen=True)
class QualityFigures:
    year: int
    listed: int
    target: int = QUALITY_TARGET

    @property
    def share_of_target(self) -> Decimal:
        return _percent(self.listed, self.target)


def quality_list(stats: StatsFilter) -> list[QualityFigures]:
    year = Achievement.quality_year
    found = dict(db.session.execute(select(year, func.count(Achievement.id)).where(  # equalities: the (year, status)
        year.in_(stats.years), Achievement.status == PUBLISHED).group_by(year)).all())  # index, not a status scan
    return [QualityFigures(each, int(found.get(each, 0))) for each in stats.years]


@dataclass(frozen=True)
class BrokerRow:
    broker_id: int | None
    name: str
    agency: str | None
    opportunities: int
    won: int
    lost: int
    contracts: int
    contract_amount: Decimal


def brokers(stats: StatsFilter) -> list[BrokerRow]:
    """One row per broker with opportunities or contracts in the period, most contract amount first."""
    start, end = _moments(stats)
    opened = dict(db.session.execute(select(Opportunity.broker_id, func.count(Opportunity.id)).where(
        Opportunity.created_at >= start, Opportunity.created_at < end).group_by(Opportunity.broker_id)).all())
    closed = {}
    for stage in (OpportunityStage.WON, OpportunityStage.LOST):
        closed[stage] = dict(db.session.execute(select(Opportunity.broker_id, func.count(Opportunity.id)).where(
            Opportunity.stage == stage, Opportunity.closed_at >= start, Opportunity.closed_at < end)
            .group_by(Opportunity.broker_id)).all())
    contracts = {broker_id: (int(count), to_wan(amount)) for broker_id, count, amount in db.session.execute(
        through(counted(select(Fact.broker_id, func.count(Fact.deal_id), func.sum(Fact.total_units)), stats)
                .group_by(Fact.broker_id), stats, "ix_contract_facts_by_broker"))}
    ids = {*opened, *closed[OpportunityStage.WON], *closed[OpportunityStage.LOST], *contracts} - {None}
    users = {user.id: user for user in db.session.execute(select(User).where(User.id.in_(ids))).scalars()} if ids \
        else {}
    rows = []
    for broker_id in sorted(ids | ({None} if None in opened or None in contracts else set()),
                            key=lambda each: (each is None, each or 0)):
        user = users.get(broker_id)
        org = user.organization if user is not None else None
        count, amount = contracts.get(broker_id, (0, Decimal("0.0000")))
        rows.append(BrokerRow(broker_id, user.name if user else "", org.name if org else None,
                              int(opened.get(broker_id, 0)), int(closed[OpportunityStage.WON].get(broker_id, 0)),
                              int(closed[OpportunityStage.LOST].get(broker_id, 0)), count, amount))
    rows.sort(key=lambda row: (-row.contract_amount, -row.opportunities, row.name))
    return rows
