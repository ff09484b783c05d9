"""赛马 checkpoints: the issuer compares the teams funded in parallel against their stage targets; the teams behind
are eliminated with a reason, their open milestones cancelled, and their unpaid funding goes to the teams that
remain (in proportion to their funding, onto each one's next unpaid milestone). At least one team remains: to stop
every team, conclude the challenge with ``terminate``."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from ..audit.services import record as audit
from ..errors import NotFound, StateConflict, ValidationFailed
from ..permissions import can_run_challenge, can_see_challenge, require
from ..validation import load_or_raise
from ..web.messages import N_
from ..workflow.challenges import APPLICATION, ISSUER_OR_STAFF, MILESTONE, reason_of
from .delivery import CENT, OPEN_MILESTONES, ZERO
from .delivery_schemas import CheckpointInput
from .models import ApplicationStatus, Challenge, ChallengeStage, FundingMode


def split(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` shared in proportion to ``weights``, in whole cents, summing exactly to ``amount``: each share is
    rounded down and the remaining cents go to the first."""
    total = sum(weights, start=ZERO)
    shares = [(amount * weight / total).quantize(CENT, rounding=ROUND_DOWN) for weight in weights]
    shares[0] += amount - sum(shares, start=ZERO)
    return shares


def _next_unpaid(agreement):
    return next((m for m in agreement.milestones if m.status in OPEN_MILESTONES and not m.paid_amount), None)


def _results(challenge: Challenge, data) -> dict[int, dict]:
    values = load_or_raise(CheckpointInput(), {"results": data})
    awarded = {a.id: a for a in challenge.applications if a.status == ApplicationStatus.AWARDED}
    given = {row["application_id"]: row for row in values["results"]}
    if set(given) != set(awarded) or len(given) != len(values["results"]):
        raise ValidationFailed(errors={"results": [f"请对仍在赛马中的 {len(awarded)} 个团队逐一给出评估结果"
                                                   "（每个团队一条）"]})
    for index, row in enumerate(values["results"]):
        if not row["passed"]:
            params = {"reason": row.get("reason")}
            try:
                row["reason"] = reason_of(params)
            except ValidationFailed:
                raise ValidationFailed(errors={"results": {str(index): {"reason": [N_("淘汰须说明原因")]}}}) from None
    if all(not row["passed"] for row in given.values()):
        raise ValidationFailed(errors={"results": [N_("赛马节点评估后至少保留一个团队；若全部团队都未达到阶段目标，"
                                                      "请以“终止”结束榜单并说明原因")]})
    return given


def checkpoint(actor, challenge: Challenge, results: list[dict]) -> dict:
    """One 赛马 checkpoint. ``results``: per awarded application ``{application_id, passed, reason}`` (the reason
    is required for a team that did not pass). Returns what moved: the eliminated applications, the funding freed
    and where it went (also in the audit event)."""
    if not can_see_challenge(actor, challenge):
        raise NotFound()
    require(can_run_challenge(actor, challenge), ISSUER_OR_STAFF)
    if challenge.funding_mode != FundingMode.HORSE_RACE:
        raise StateConflict(N_("只有赛马方式的榜单才有赛马节点评估"))
    if challenge.stage != ChallengeStage.IN_DELIVERY:
        raise StateConflict(N_("赛马节点评估在攻关实施阶段进行"))
    given = _results(challenge, results)
    applications = {a.id: a for a in challenge.applications}
    losers = [applications[i] for i, row in given.items() if not row["passed"]]
    keepers = [applications[i] for i, row in given.items() if row["passed"]]
    receivers = [(a, _next_unpaid(a.agreement)) for a in keepers if a.agreement is not None]
    receivers = [(a, m) for a, m in receivers if m is not None]
    freed = sum((m.tranche for a in losers if a.agreement is not None for m in a.agreement.milestones
                 if m.status in OPEN_MILESTONES), start=ZERO)
    if freed and not receivers:
        raise ValidationFailed(errors={"results": [N_("保留的团队没有未拨付的里程碑，无法接收被淘汰团队的资金")]})
    cancelled = []
    for application in losers:
        APPLICATION.apply(actor, application, "eliminate", reason=given[application.id]["reason"])
        for milestone in application.agreement.milestones if application.agreement is not None else []:
            if milestone.status in OPEN_MILESTONES:
                MILESTONE.apply(actor, milestone, "cancel_milestone", reason="赛马淘汰")
                cancelled.append(milestone.id)
    moved = []
    if freed:
        shares = split(freed, [a.agreement.funding for a, _m in receivers])
        for (application, milestone), share in zip(receivers, shares):
            milestone.tranche += share
            application.agreement.funding += share
            moved.append({"application_id": application.id, "milestone_id": milestone.id, "amount": str(share)})
    details = {"passed": sorted(a.id for a in keepers), "eliminated": sorted(a.id for a in losers),
               "cancelled_milestones": cancelled, "freed": str(freed), "moved": moved}
    audit(actor, "challenge.checkpoint", challenge, details)
    return details
