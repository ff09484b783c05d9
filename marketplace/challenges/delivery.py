"""签约/军令状 and 里程碑: the agreement with each awarded team (funding, pledge, milestones with their tranches),
both signatures, the evidence a team submits per milestone, the issuer's acceptance or return with a reason, and
the tranche payments. 赛马 checkpoints are in :mod:`.horse_race`, the overdue pass in :mod:`.overdue`.

Every state change is a declared transition (:mod:`marketplace.workflow.challenges`: AGREEMENT, MILESTONE), which
checks visibility (404), permission (403) and state (409) and writes the audit event."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..audit.services import record as audit
from ..errors import NotFound, StateConflict, ValidationFailed
from ..extensions import db
from ..permissions import can_run_challenge, can_see_application, can_see_milestone, require
from ..validation import load_or_raise
from ..web.messages import N_, tr
from ..workflow.challenges import AGREEMENT, ISSUER_OR_STAFF, MILESTONE
from .delivery_schemas import AgreementInput, EvidenceInput, PaymentInput, SignInput
from .models import (AgreementStatus, ApplicationStatus, ChallengeAgreement, ChallengeApplication,
                     ChallengeMilestone, ChallengeStage, MilestoneStatus)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
OPEN_MILESTONES = (MilestoneStatus.PLANNED, MilestoneStatus.SUBMITTED, MilestoneStatus.RETURNED)


# -- amounts ----------------------------------------------------------------------------------------------------------

def paid_total(agreement: ChallengeAgreement) -> Decimal:
    """The funding paid so far under one agreement (万元)."""
    return sum((m.paid_amount or ZERO for m in agreement.milestones), start=ZERO)


def challenge_paid_total(challenge) -> Decimal:
    """The funding paid so far to every team of a challenge (万元)."""
    return sum((paid_total(a.agreement) for a in challenge.applications if a.agreement is not None), start=ZERO)


def _agreements_funding(challenge, excluding: ChallengeAgreement | None = None) -> Decimal:
    return sum((a.agreement.funding for a in challenge.applications
                if a.agreement is not None and a.agreement is not excluding), start=ZERO)


# -- the agreement ----------------------------------------------------------------------------------------------------

def _milestone_errors(challenge, milestones: list[dict]) -> dict:
    """Dates ascending and within the completion deadline, indicator references valid; errors by position."""
    errors: dict[str, dict[str, list[str]]] = {}
    deadline = challenge.effective_completion_deadline
    count = len(challenge.indicators or [])
    previous: date | None = None
    for index, milestone in enumerate(milestones):
        due = milestone["due_on"]
        if due > deadline:
            errors.setdefault(str(index), {})["due_on"] = [
                tr(N_("完成日期不能晚于榜单的完成期限（%(deadline)s）"), deadline=deadline.isoformat())]
        elif previous is not None and due < previous:
            errors.setdefault(str(index), {})["due_on"] = [N_("里程碑应按完成日期先后排列")]
        previous = due
        refs = milestone.get("indicator_refs") or []
        bad = [ref for ref in refs if not 0 <= ref < count]
        if bad or len(set(refs)) != len(refs):
            errors.setdefault(str(index), {})["indicator_refs"] = [
                f"指标序号应为 0 到 {count - 1} 之间且不重复（榜单共 {count} 项技术指标）"]
    return errors


def draft_agreement(actor, application: ChallengeApplication, data: dict) -> ChallengeAgreement:
    """Draft (or re-draft, replacing the milestones) the 军令状 of an awarded team: funding (万元), the pledge and
    the milestones, whose tranches sum exactly to the funding. The issuer or staff; before signing only."""
    if not can_see_application(actor, application):
        raise NotFound()
    challenge = application.challenge
    require(can_run_challenge(actor, challenge), ISSUER_OR_STAFF)
    if application.status != ApplicationStatus.AWARDED or challenge.stage != ChallengeStage.AWARDED:
        raise StateConflict(N_("只有确定揭榜方之后、开始实施之前，才能为揭榜成功的团队起草协议"))
    agreement = application.agreement
    if agreement is not None and agreement.status != AgreementStatus.DRAFT:
        raise StateConflict(N_("协议已签约，不能修改"))
    values = load_or_raise(AgreementInput(), data)
    milestones = values["milestones"]
    errors: dict = {}
    by_position = _milestone_errors(challenge, milestones)
    if by_position:
        errors["milestones"] = by_position
    total = sum((m["tranche"] for m in milestones), start=ZERO)
    if not errors and total != values["funding"]:
        errors["milestones"] = [f"各里程碑拨付金额之和（{total} 万元）应等于资助总额（{values['funding']} 万元）"]
    others = _agreements_funding(challenge, excluding=agreement)
    if others + values["funding"] > challenge.reward_amount:
        errors["funding"] = [f"各揭榜方资助总额不能超过榜额（{challenge.reward_amount} 万元；"
                             f"其他揭榜方已占 {others} 万元）"]
    if errors:
        raise ValidationFailed(errors=errors)
    if agreement is None:
        agreement = ChallengeAgreement(application=application, funding=values["funding"], pledge=values["pledge"])
        db.session.add(agreement)
    else:
        agreement.funding, agreement.pledge = values["funding"], values["pledge"]
        agreement.milestones.clear()
        db.session.flush()  # the old milestones go first (delete-orphan)
    for seq, milestone in enumerate(milestones, start=1):
        agreement.milestones.append(ChallengeMilestone(
            seq=seq, deliverable=milestone["deliverable"], due_on=milestone["due_on"], tranche=milestone["tranche"],
            criteria=milestone.get("criteria"), indicator_refs=list(milestone.get("indicator_refs") or []),
            checkpoint=bool(milestone.get("checkpoint"))))
    db.session.flush()
    audit(actor, "challenge_agreement.draft", agreement,
          {"funding": str(agreement.funding), "milestones": len(milestones), "application_id": application.id})
    return agreement


def sign_agreement(actor, agreement: ChallengeAgreement, issuer_signed_on, team_signed_on) -> None:
    """签约: both sides' dates (not in the future); records the first tranche's share of the funding (%)."""
    AGREEMENT.check(actor, agreement, "sign")
    application = agreement.application
    if application.status != ApplicationStatus.AWARDED or application.challenge.stage != ChallengeStage.AWARDED:
        raise StateConflict(N_("只有确定揭榜方之后、开始实施之前才能签约"))
    values = load_or_raise(SignInput(), {"issuer_signed_on": _iso(issuer_signed_on),
                                         "team_signed_on": _iso(team_signed_on)})
    future = {name: [N_("签约日期不能晚于今天")] for name, value in values.items() if value > date.today()}
    if future:
        raise ValidationFailed(errors=future)
    if not agreement.milestones:
        raise ValidationFailed(errors={"milestones": [N_("协议还没有里程碑")]})
    agreement.issuer_signed_on = values["issuer_signed_on"]
    agreement.team_signed_on = values["team_signed_on"]
    agreement.first_tranche_share = (agreement.milestones[0].tranche / agreement.funding * 100).quantize(CENT)
    AGREEMENT.apply(actor, agreement, "sign", first_tranche_share=str(agreement.first_tranche_share))


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


# -- milestones -------------------------------------------------------------------------------------------------------

def submit_evidence(actor, milestone: ChallengeMilestone, evidence: str) -> None:
    """The team submits (or resubmits, after a return) its evidence for a milestone."""
    MILESTONE.check(actor, milestone, "submit_evidence")
    values = load_or_raise(EvidenceInput(), {"evidence": evidence.strip() if isinstance(evidence, str) else evidence})
    milestone.evidence = values["evidence"]
    MILESTONE.apply(actor, milestone, "submit_evidence")


def accept_milestone(actor, milestone: ChallengeMilestone) -> None:
    """The issuer (or staff) accepts the submitted evidence; the tranche becomes payable."""
    MILESTONE.apply(actor, milestone, "accept_milestone")


def return_milestone(actor, milestone: ChallengeMilestone, reason: str) -> None:
    """The issuer (or staff) returns the evidence with the reason the team reads; the team resubmits."""
    MILESTONE.apply(actor, milestone, "return_milestone", reason=reason)


def record_payment(actor, milestone: ChallengeMilestone, amount, paid_on) -> None:
    """A tranche payment (万元) on an accepted milestone; payments never exceed the tranche in total."""
    MILESTONE.check(actor, milestone, "record_payment")
    values = load_or_raise(PaymentInput(), {"amount": str(amount) if amount is not None else None,
                                            "paid_on": _iso(paid_on)})
    already = milestone.paid_amount or ZERO
    if already + values["amount"] > milestone.tranche:
        raise ValidationFailed(errors={"amount": [f"拨付金额不能超过本期应拨付的 {milestone.tranche} 万元"
                                                  f"（已拨付 {already} 万元）"]})
    if values["paid_on"] > date.today():
        raise ValidationFailed(errors={"paid_on": [N_("拨付日期不能晚于今天")]})
    milestone.paid_amount = already + values["amount"]
    milestone.paid_on = values["paid_on"]
    MILESTONE.apply(actor, milestone, "record_payment", amount=str(values["amount"]),
                    paid_on=values["paid_on"].isoformat(), paid_total=str(milestone.paid_amount))


# -- reading ----------------------------------------------------------------------------------------------------------

def get_milestone(milestone_id: int, user) -> ChallengeMilestone:
    """The milestone if ``user`` may see it (404 otherwise)."""
    milestone = db.session.get(ChallengeMilestone, milestone_id)
    if milestone is None or not can_see_milestone(user, milestone):
        raise NotFound()
    return milestone


def get_agreement(agreement_id: int, user) -> ChallengeAgreement:
    agreement = db.session.get(ChallengeAgreement, agreement_id)
    if agreement is None or not can_see_application(user, agreement.application):
        raise NotFound()
    return agreement


def get_application(application_id: int, user) -> ChallengeApplication:
    application = db.session.get(ChallengeApplication, application_id)
    if application is None or not can_see_application(user, application):
        raise NotFound()
    return application
