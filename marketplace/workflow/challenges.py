"""揭榜挂帅 lifecycles, declared once: a challenge's publication and execution, applications, reviews, agreements
and milestones. Services orchestrate (an award moves the challenge and every application); each step is one of
these transitions, so state, permission and audit are checked and written in one place.

Execution (``Challenge.stage``)::

    open ──close_applications──▶ reviewing ──award──▶ awarded ──start_delivery──▶ in_delivery ──accept──▶ accepted
      │                             ├──declare_unsuccessful (reason)──▶ unsuccessful          ├──fail──▶ failed
      └──────cancel (reason)────────┴──▶ cancelled                                            └──terminate──▶ terminated
    in_delivery ──extend (once, ≤ 1 year, reason)──▶ in_delivery

Application: interested ──submit──▶ submitted ──shortlist──▶ shortlisted; submitted/shortlisted ──award──▶ awarded
or ──not_select (reason)──▶ not_selected; awarded ──eliminate (赛马, reason)──▶ eliminated; interested/submitted
──withdraw──▶ withdrawn (until the deadline).
"""
from __future__ import annotations

from datetime import date

from ..challenges.models import (AgreementStatus, ApplicationStatus, ChallengeStage, MilestoneStatus,
                                 ReviewStatus)
from ..errors import ValidationFailed
from ..permissions import (can_review, can_run_challenge, can_see_application, can_see_challenge,
                           can_see_milestone, is_applicant, is_assigned_reviewer, is_delivery_team)
from ..web.messages import N_
from . import Lifecycle, Transition
from .listings import LISTING

MAX_REASON = 2000
ISSUER_OR_STAFF = N_("只有发榜单位或平台工作人员可以执行此操作")
APPLICANT_ONLY = N_("只有揭榜单位（牵头单位）的成员可以执行此操作")
REVIEWER_ONLY = N_("只有分配到该申请的评审专家可以执行此操作")
TEAM_ONLY = N_("只有承担单位的成员可以提交里程碑材料")

STAGE_LABELS = {
    "open": ("征集中", "Open"), "reviewing": ("评审中", "Under review"), "awarded": ("已确定揭榜方", "Awarded"),
    "in_delivery": ("攻关实施中", "In delivery"), "accepted": ("验收通过", "Accepted"), "failed": ("验收未通过", "Failed"),
    "terminated": ("已终止", "Terminated"), "cancelled": ("已撤榜", "Cancelled"), "unsuccessful": ("揭榜不成", "Unsuccessful"),
}
APPLICATION_LABELS = {
    "interested": ("已报名", "Registered"), "submitted": ("已提交", "Submitted"), "withdrawn": ("已撤回", "Withdrawn"),
    "shortlisted": ("入围", "Shortlisted"), "awarded": ("揭榜成功", "Awarded"),
    "not_selected": ("未入选", "Not selected"), "eliminated": ("赛马淘汰", "Eliminated"),
}
REVIEW_LABELS = {"assigned": ("待评审", "Assigned"), "submitted": ("已评审", "Submitted"),
                 "recused": ("已回避", "Recused")}
AGREEMENT_LABELS = {"draft": ("待签约", "Draft"), "signed": ("已签约", "Signed")}
MILESTONE_LABELS = {
    "planned": ("未提交", "Planned"), "submitted": ("待验收", "Submitted"), "accepted": ("已通过", "Accepted"),
    "returned": ("已退回", "Returned"), "cancelled": ("已取消", "Cancelled"),
}


#: The reason an application not chosen as winner gets when the issuer gives none (a catalogue message: each reader
#: sees it in their language).
RANKED_BELOW_WINNERS = N_("综合评审排名未进入揭榜名单")


def reason_of(params: dict, field: str = "reason") -> str:
    """The required reason in ``params`` (stripped), or a 422 naming the field."""
    reason = (params.get(field) or "").strip()
    if not reason:
        raise ValidationFailed(errors={field: ["请填写原因"]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(errors={field: [f"原因不能超过{MAX_REASON}个字符"]})
    params[field] = reason
    return reason


def _stage_reason(actor, challenge, params: dict) -> None:
    challenge.stage_reason = reason_of(params)


def _accepting_applications(application) -> bool:
    challenge = application.challenge
    return challenge.status == "published" and challenge.stage == ChallengeStage.OPEN and \
        date.today() <= challenge.application_deadline


def _challenge_reviewing(application) -> bool:
    return application.challenge.stage == ChallengeStage.REVIEWING


def _horse_race_in_delivery(application) -> bool:
    challenge = application.challenge
    return challenge.funding_mode == "horse_race" and challenge.stage == ChallengeStage.IN_DELIVERY


def _published(challenge) -> bool:
    return challenge.status == "published"


def _not_extended(challenge) -> bool:
    return challenge.extended_to is None


def _result_reason(actor, application, params: dict) -> None:
    application.result_reason = reason_of(params)


def _milestone_return_reason(actor, milestone, params: dict) -> None:
    milestone.return_reason = reason_of(params)


def _issuer_or_staff_of_challenge(user, challenge) -> bool:
    return can_run_challenge(user, challenge)


def _issuer_or_staff_of_application(user, application) -> bool:
    return can_run_challenge(user, application.challenge)


def _issuer_or_staff_of_milestone(user, milestone) -> bool:
    return can_run_challenge(user, milestone.agreement.application.challenge)


def _issuer_or_staff_of_agreement(user, agreement) -> bool:
    return can_run_challenge(user, agreement.application.challenge)


def _in_delivery(milestone) -> bool:
    return milestone.agreement.application.challenge.stage == ChallengeStage.IN_DELIVERY and \
        milestone.agreement.application.status == ApplicationStatus.AWARDED


#: Publication: the listing lifecycle (draft → submitted → published, edits of a published 榜单 reviewed first).
CHALLENGE = LISTING.extended("challenge")

S = ChallengeStage
CHALLENGE_EXECUTION = Lifecycle("challenge", STAGE_LABELS, state_attr="stage", visible=can_see_challenge,
                                transitions=[
    Transition("close_applications", N_("截止征集，进入评审"), frozenset({S.OPEN}), S.REVIEWING,
               _issuer_or_staff_of_challenge, ISSUER_OR_STAFF, stamps=("stage_changed_at",), guard=_published),
    Transition("award", N_("确定揭榜方"), frozenset({S.REVIEWING}), S.AWARDED, _issuer_or_staff_of_challenge,
               ISSUER_OR_STAFF, stamps=("stage_changed_at",)),
    Transition("declare_unsuccessful", N_("宣布揭榜不成"), frozenset({S.REVIEWING}), S.UNSUCCESSFUL,
               _issuer_or_staff_of_challenge, ISSUER_OR_STAFF, stamps=("stage_changed_at",), effect=_stage_reason),
    Transition("cancel", N_("撤榜"), frozenset({S.OPEN, S.REVIEWING}), S.CANCELLED, _issuer_or_staff_of_challenge,
               ISSUER_OR_STAFF, stamps=("stage_changed_at",), effect=_stage_reason),
    Transition("start_delivery", N_("开始攻关实施"), frozenset({S.AWARDED}), S.IN_DELIVERY,
               _issuer_or_staff_of_challenge, ISSUER_OR_STAFF, stamps=("stage_changed_at",)),
    Transition("extend", N_("延期"), frozenset({S.IN_DELIVERY}), None, _issuer_or_staff_of_challenge,
               ISSUER_OR_STAFF, guard=_not_extended),
    Transition("accept", N_("验收通过"), frozenset({S.IN_DELIVERY}), S.ACCEPTED, _issuer_or_staff_of_challenge,
               ISSUER_OR_STAFF, stamps=("stage_changed_at",)),
    Transition("fail", N_("验收不通过"), frozenset({S.IN_DELIVERY}), S.FAILED, _issuer_or_staff_of_challenge,
               ISSUER_OR_STAFF, stamps=("stage_changed_at",), effect=_stage_reason),
    Transition("terminate", N_("终止"), frozenset({S.IN_DELIVERY, S.AWARDED}), S.TERMINATED,
               _issuer_or_staff_of_challenge, ISSUER_OR_STAFF, stamps=("stage_changed_at",), effect=_stage_reason),
])

A = ApplicationStatus
APPLICATION = Lifecycle("challenge_application", APPLICATION_LABELS, visible=can_see_application, transitions=[
    Transition("edit", N_("修改申请"), frozenset({A.INTERESTED, A.SUBMITTED}), None, is_applicant, APPLICANT_ONLY,
               guard=_accepting_applications, audited=False),
    Transition("submit", N_("提交揭榜申请"), frozenset({A.INTERESTED}), A.SUBMITTED, is_applicant, APPLICANT_ONLY,
               stamps=("submitted_at",), guard=_accepting_applications),
    Transition("withdraw", N_("撤回申请"), frozenset({A.INTERESTED, A.SUBMITTED}), A.WITHDRAWN, is_applicant,
               APPLICANT_ONLY, guard=_accepting_applications),
    Transition("shortlist", N_("入围"), frozenset({A.SUBMITTED}), A.SHORTLISTED, _issuer_or_staff_of_application,
               ISSUER_OR_STAFF, guard=_challenge_reviewing),
    Transition("award", N_("揭榜成功"), frozenset({A.SUBMITTED, A.SHORTLISTED}), A.AWARDED,
               _issuer_or_staff_of_application, ISSUER_OR_STAFF, stamps=("decided_at",), guard=_challenge_reviewing),
    Transition("not_select", N_("未入选"), frozenset({A.SUBMITTED, A.SHORTLISTED}), A.NOT_SELECTED,
               _issuer_or_staff_of_application, ISSUER_OR_STAFF, stamps=("decided_at",), guard=_challenge_reviewing,
               effect=_result_reason),
    Transition("close_with_challenge", N_("随撤榜结束"), frozenset({A.INTERESTED, A.SUBMITTED, A.SHORTLISTED}),
               A.NOT_SELECTED, _issuer_or_staff_of_application, ISSUER_OR_STAFF, stamps=("decided_at",),
               effect=_result_reason),
    Transition("eliminate", N_("赛马淘汰"), frozenset({A.AWARDED}), A.ELIMINATED, _issuer_or_staff_of_application,
               ISSUER_OR_STAFF, stamps=("decided_at",), guard=_horse_race_in_delivery, effect=_result_reason),
])

R = ReviewStatus
REVIEW = Lifecycle("challenge_review", REVIEW_LABELS, visible=lambda user, review: is_assigned_reviewer(user, review)
                   or can_review(user), transitions=[
    Transition("score", N_("提交评审意见"), frozenset({R.ASSIGNED}), R.SUBMITTED, is_assigned_reviewer, REVIEWER_ONLY,
               stamps=("submitted_at",)),
    Transition("recuse", N_("声明利益冲突并回避"), frozenset({R.ASSIGNED}), R.RECUSED, is_assigned_reviewer,
               REVIEWER_ONLY, effect=lambda actor, review, params: setattr(review, "conflict_reason",
                                                                            reason_of(params))),
])

AGREEMENT = Lifecycle("challenge_agreement", AGREEMENT_LABELS,
                      visible=lambda user, agreement: can_see_application(user, agreement.application), transitions=[
    Transition("sign", N_("签约"), frozenset({AgreementStatus.DRAFT}), AgreementStatus.SIGNED,
               _issuer_or_staff_of_agreement, ISSUER_OR_STAFF),
])

M = MilestoneStatus
MILESTONE = Lifecycle("challenge_milestone", MILESTONE_LABELS, visible=can_see_milestone, transitions=[
    Transition("submit_evidence", N_("提交里程碑材料"), frozenset({M.PLANNED, M.RETURNED}), M.SUBMITTED,
               is_delivery_team, TEAM_ONLY, stamps=("submitted_at",), clears=("return_reason",), guard=_in_delivery),
    Transition("accept_milestone", N_("里程碑通过"), frozenset({M.SUBMITTED}), M.ACCEPTED,
               _issuer_or_staff_of_milestone, ISSUER_OR_STAFF, stamps=("decided_at",)),
    Transition("return_milestone", N_("退回里程碑材料"), frozenset({M.SUBMITTED}), M.RETURNED,
               _issuer_or_staff_of_milestone, ISSUER_OR_STAFF, stamps=("decided_at",),
               effect=_milestone_return_reason),
    Transition("record_payment", N_("登记拨付"), frozenset({M.ACCEPTED}), None, _issuer_or_staff_of_milestone,
               ISSUER_OR_STAFF),
    Transition("cancel_milestone", N_("取消里程碑"), frozenset({M.PLANNED, M.SUBMITTED, M.RETURNED}), M.CANCELLED,
               _issuer_or_staff_of_milestone, ISSUER_OR_STAFF),
])
