"""揭榜挂帅: drafting and publishing a 榜单 (the listing lifecycle), and running its execution (close, award,
delivery, extension, acceptance, cancellation). Applications, reviews and delivery have their own modules."""
from __future__ import annotations

from datetime import date, timedelta

from .. import kinds, listing_edits
from ..errors import ValidationFailed
from ..listing_edits import ListingEditor
from ..permissions import require
from ..records import get_visible
from ..web.messages import N_
from ..workflow.challenges import APPLICATION, CHALLENGE_EXECUTION, RANKED_BELOW_WINNERS, reason_of
from .models import ApplicationStatus, Challenge, ChallengeApplication, FundingMode
from .schemas import ChallengeInput

ISSUER_TYPES = ("enterprise", "government")
MAX_EXTENSION = timedelta(days=366)


def _prepare(actor, values: dict, record: Challenge | None) -> None:
    """A challenge's own rules: issued by an enterprise or a government department; one winner unless 赛马."""
    org = record.organization if record is not None else getattr(actor, "organization", None)
    if org is not None and org.org_type not in ISSUER_TYPES:
        raise ValidationFailed(N_("只有企业或政府部门可以发布揭榜挂帅榜单"))
    mode = values.get("funding_mode", record.funding_mode if record is not None else None)
    if "max_winners" not in values and record is None:
        values["max_winners"] = 2 if mode == FundingMode.HORSE_RACE else 1
    if values.get("max_winners") is None and "max_winners" in values:
        values["max_winners"] = 2 if mode == FundingMode.HORSE_RACE else 1
    if record is None and values.get("application_deadline") and values["application_deadline"] < date.today():
        raise ValidationFailed(errors={"application_deadline": [N_("揭榜截止日期不能早于今天")]})


EDITOR = ListingEditor(kinds.CHALLENGE, ChallengeInput(), N_("请先加入一个机构再发布榜单"), _prepare)


def create_challenge(actor, data: dict) -> Challenge:
    """A draft 榜单 of the actor's organisation (an enterprise or a government department)."""
    return listing_edits.create(actor, EDITOR, data)


def update_challenge(actor, challenge: Challenge, data: dict, expected_version: int | None = None,
                     partial: bool = False) -> Challenge:
    """Edit a draft (in place) or a published 榜单 (the changes are reviewed first, as for every listing)."""
    return listing_edits.update(actor, EDITOR, challenge, data, expected_version, partial)


def delete_challenge(actor, challenge: Challenge) -> None:
    listing_edits.perform(actor, challenge, "delete")


# -- execution ----------------------------------------------------------------------------------------------------

def live_applications(challenge: Challenge) -> list[ChallengeApplication]:
    """The applications still in the running: submitted or shortlisted."""
    return [a for a in challenge.applications if a.status in (ApplicationStatus.SUBMITTED,
                                                              ApplicationStatus.SHORTLISTED)]


def reviews_complete(application: ChallengeApplication) -> bool:
    """Every assigned review is in (recused ones do not count), and at least one was scored."""
    scored = [r for r in application.reviews if r.status == "submitted"]
    return bool(scored) and not any(r.status == "assigned" for r in application.reviews)


def close_applications(actor, challenge: Challenge) -> None:
    """截止征集: the submitted applications go to review; registrations never submitted can no longer be."""
    CHALLENGE_EXECUTION.apply(actor, challenge, "close_applications")


def award(actor, challenge: Challenge, winner_ids: list[int], reason: str | None = None) -> None:
    """确定揭榜方: one team, or two to three under 赛马; every other live application is not selected, with the
    reason the applicants read (default: ranked below the winners)."""
    CHALLENGE_EXECUTION.check(actor, challenge, "award")
    wanted = set(winner_ids or [])
    live = {a.id: a for a in live_applications(challenge)}
    if not wanted or not wanted <= set(live):
        raise ValidationFailed(errors={"winner_ids": [N_("请从已提交的申请中选择揭榜方")]})
    if len(wanted) > challenge.max_winners:
        raise ValidationFailed(errors={"winner_ids": [f"本榜单最多确定 {challenge.max_winners} 个揭榜方"]})
    unreviewed = [a.id for a in live.values() if not reviews_complete(a)]
    if unreviewed:
        raise ValidationFailed(errors={"winner_ids": [N_("还有申请的评审未完成，完成全部评审后才能排名和确定揭榜方")]})
    for application in live.values():
        if application.id in wanted:
            APPLICATION.apply(actor, application, "award")
            application.result_reason = (reason or "").strip() or None
        else:
            APPLICATION.apply(actor, application, "not_select",
                              reason=(reason or "").strip() or RANKED_BELOW_WINNERS)
    CHALLENGE_EXECUTION.apply(actor, challenge, "award", winners=",".join(map(str, sorted(wanted))))


def declare_unsuccessful(actor, challenge: Challenge, reason: str) -> None:
    """揭榜不成: no application meets the bar; every live applicant learns why."""
    params = {"reason": reason}
    reason = reason_of(params)
    CHALLENGE_EXECUTION.check(actor, challenge, "declare_unsuccessful")
    for application in live_applications(challenge):
        APPLICATION.apply(actor, application, "not_select", reason=reason)
    CHALLENGE_EXECUTION.apply(actor, challenge, "declare_unsuccessful", reason=reason)


def cancel(actor, challenge: Challenge, reason: str) -> None:
    """撤榜 before an award, with the reason every applicant reads."""
    CHALLENGE_EXECUTION.apply(actor, challenge, "cancel", reason=reason)
    for application in challenge.applications:
        if APPLICATION.can(actor, application, "close_with_challenge"):
            APPLICATION.apply(actor, application, "close_with_challenge", reason=challenge.stage_reason)


def start_delivery(actor, challenge: Challenge) -> None:
    """Delivery starts once every awarded team's agreement (军令状) is signed."""
    CHALLENGE_EXECUTION.check(actor, challenge, "start_delivery")
    unsigned = [a.id for a in challenge.applications
                if a.status == ApplicationStatus.AWARDED and (a.agreement is None or a.agreement.status != "signed")]
    if unsigned:
        raise ValidationFailed(N_("还有揭榜方未签约（军令状），签约后才能开始攻关实施"))
    CHALLENGE_EXECUTION.apply(actor, challenge, "start_delivery")


def extend(actor, challenge: Challenge, new_deadline: date | None, reason: str) -> None:
    """The one extension of the completion deadline, at most a year, with a reason."""
    CHALLENGE_EXECUTION.check(actor, challenge, "extend")
    if new_deadline is None or new_deadline <= challenge.completion_deadline:
        raise ValidationFailed(errors={"extended_to": [N_("延期后的完成期限应晚于原完成期限")]})
    if new_deadline - challenge.completion_deadline > MAX_EXTENSION:
        raise ValidationFailed(errors={"extended_to": [N_("延期最长一年")]})
    params = {"reason": reason}
    reason = reason_of(params)
    CHALLENGE_EXECUTION.apply(actor, challenge, "extend", reason=reason, extended_to=new_deadline.isoformat())
    challenge.extension_reason = reason  # after the transition: its guard asks whether it was extended already
    challenge.extended_to = new_deadline


def _acceptance(challenge: Challenge, results: list[dict]) -> list[dict]:
    """Per indicator: met (bool), measured value, evidence; one entry for every indicator of the 榜单."""
    if not isinstance(results, list) or len(results) != len(challenge.indicators):
        raise ValidationFailed(errors={"acceptance": [f"请逐项填写 {len(challenge.indicators)} 项技术指标的验收结果"]})
    rows = []
    for index, (indicator, result) in enumerate(zip(challenge.indicators, results)):
        if not isinstance(result, dict) or not isinstance(result.get("met"), bool):
            raise ValidationFailed(errors={"acceptance": [f"第 {index + 1} 项指标：请说明是否达标"]})
        rows.append({"indicator": index, "metric": indicator.get("metric"), "target": indicator.get("target"),
                     "met": result["met"], "measured": str(result.get("measured") or "")[:200],
                     "evidence": str(result.get("evidence") or "")[:2000]})
    return rows


def conclude(actor, challenge: Challenge, outcome: str, results: list[dict] | None = None,
             reason: str | None = None, reward_paid=None) -> None:
    """验收: ``accept`` (every indicator met, the reward paid), ``fail`` (with the results and a reason) or
    ``terminate`` (stopped, with a reason)."""
    require(outcome in ("accept", "fail", "terminate"), N_("无效的验收结论"))
    CHALLENGE_EXECUTION.check(actor, challenge, outcome)
    if outcome != "terminate":
        rows = _acceptance(challenge, results or [])
        if outcome == "accept" and not all(row["met"] for row in rows):
            raise ValidationFailed(errors={"acceptance": [N_("有指标未达标，不能验收通过；请选择验收不通过并说明原因")]})
        challenge.acceptance = rows
    if reward_paid is not None:
        challenge.reward_paid = reward_paid
    CHALLENGE_EXECUTION.apply(actor, challenge, outcome, reason=reason)


def get_challenge(challenge_id: int, user) -> Challenge:
    """The challenge if ``user`` may see it (404 otherwise)."""
    return get_visible(Challenge, challenge_id, user)
