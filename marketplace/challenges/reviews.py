"""评审: the rubric staff set per challenge, assigning reviewers (with the recusal rule), scoring, declaring a
conflict, ranking by weighted mean once every assigned review is in, shortlisting and the optional defence (答辩)."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real

from ..accounts.models import Organization, User
from ..audit.services import record as audit
from ..errors import Conflict, NotFound, StateConflict, ValidationFailed
from ..extensions import db
from ..permissions import can_review, can_run_challenge, require
from ..validation import load_or_raise
from ..web.messages import N_, tr
from ..workflow.challenges import APPLICATION, ISSUER_OR_STAFF, REVIEW
from .models import (ApplicationStatus, Challenge, ChallengeApplication, ChallengeReview, ChallengeStage,
                     ReviewStatus)
from . import experts
from .schemas import RubricInput
from .services import live_applications, reviews_complete

STAFF_ONLY = N_("只有平台工作人员（技术经纪人或管理员）可以组织评审")
SCORE_PLACES = Decimal("0.001")
MAX_COMMENT = 2000


# -- rubric and reviewers ----------------------------------------------------------------------------------------------

def set_rubric(actor, challenge: Challenge, data: dict) -> Challenge:
    """评审细则: criteria with weights, score ranges and whether comments are required. Fixed once a review is in."""
    require(can_review(actor), STAFF_ONLY)
    if challenge.stage not in (ChallengeStage.OPEN, ChallengeStage.REVIEWING):
        raise StateConflict(N_("评审已结束，不能再修改评审细则"))
    if any(r.status == ReviewStatus.SUBMITTED for a in challenge.applications for r in a.reviews):
        raise StateConflict(N_("已有评审专家提交了评分，不能再修改评审细则"))
    values = load_or_raise(RubricInput(), data or {})
    challenge.rubric = [{"name": c["name"], "weight": float(c["weight"]), "min": c["min"], "max": c["max"],
                         "comments_required": bool(c.get("comments_required"))} for c in values["criteria"]]
    audit(actor, "challenge.rubric", challenge, {"criteria": len(challenge.rubric)})
    return challenge


def conflict_of(reviewer: User, application: ChallengeApplication) -> str | None:
    """The recusal rule: why ``reviewer`` may not review ``application`` (None when they may). A reviewer is from
    an organisation as its member, or when their expert profile states its name."""
    stated = getattr(experts.profile_of(reviewer), "organisation", None)
    parties = [(N_("评审专家来自申请单位「%(name)s」，须回避"), application.org_id)]
    parties += [(N_("评审专家来自联合体成员单位「%(name)s」，须回避"), org_id)
                for org_id in application.consortium_org_ids or []]
    parties.append((N_("评审专家来自发榜单位「%(name)s」，须回避"), application.challenge.org_id))
    for message, org_id in parties:
        org = db.session.get(Organization, org_id)
        if org_id == reviewer.org_id or (org is not None and experts.same_organisation(stated, org.name)):
            return tr(message, name=org.name if org else org_id)
    return None


def assign_reviewer(actor, application: ChallengeApplication, reviewer: User | None) -> ChallengeReview:
    """Staff assign a reviewer (an active expert of the 评审专家库) to a submitted application; a reviewer with a
    conflict of interest is refused with the reason, the same reviewer twice is a conflict (409)."""
    require(can_review(actor), STAFF_ONLY)
    if reviewer is None or not reviewer.active:
        raise ValidationFailed(errors={"reviewer_id": [N_("评审专家不存在或已停用")]})
    if not experts.is_expert(reviewer):
        raise ValidationFailed(N_("该用户不在评审专家库中"), errors={"reviewer_id": [N_("该用户不在评审专家库中")]})
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED):
        raise StateConflict(tr(N_("申请当前状态为「%(state)s」，只有已提交的申请可以分配评审专家"),
                               state=APPLICATION.state_label(application.status)))
    if not application.challenge.rubric:
        raise ValidationFailed(errors={"rubric": [N_("请先设置本榜单的评审细则")]})
    reason = conflict_of(reviewer, application)
    if reason:
        raise ValidationFailed(reason, errors={"reviewer_id": [reason]})
    if any(r.reviewer_id == reviewer.id for r in application.reviews):
        raise Conflict(N_("该评审专家已分配到此申请"))
    review = ChallengeReview(application=application, reviewer_id=reviewer.id, status=ReviewStatus.ASSIGNED)
    db.session.add(review)
    db.session.flush()
    audit(actor, "challenge_review.assign", review, {"application_id": application.id, "reviewer_id": reviewer.id})
    return review


def get_review(actor, review_id: int) -> ChallengeReview:
    """The review for its reviewer and staff; 404 for anyone else."""
    review = db.session.get(ChallengeReview, review_id)
    if review is None or not REVIEW.visible(actor, review):
        raise NotFound()
    return review


def reviews_of(actor) -> list[ChallengeReview]:
    """The reviews assigned to ``actor`` (newest first)."""
    return list(db.session.execute(db.select(ChallengeReview).where(ChallengeReview.reviewer_id == actor.id)
                                   .order_by(ChallengeReview.id.desc())).scalars())


# -- scoring -------------------------------------------------------------------------------------------------------

def _score(criterion: dict, value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (Real, Decimal)):
        return None
    value = float(value)
    return value if criterion["min"] <= value <= criterion["max"] else None


def submit_review(actor, review: ChallengeReview, scores: dict, comments: dict | None = None) -> ChallengeReview:
    """提交评审意见: every rubric criterion scored within its range, a comment where the rubric requires one."""
    REVIEW.check(actor, review, "score")
    rubric = review.application.challenge.rubric or []
    scores = scores if isinstance(scores, dict) else {}
    comments = comments if isinstance(comments, dict) else {}
    names = {c["name"] for c in rubric}
    errors: dict[str, list[str]] = {}
    clean_scores, clean_comments = {}, {}
    for criterion in rubric:
        name = criterion["name"]
        value = _score(criterion, scores.get(name))
        if value is None:
            errors[name] = [tr(N_("「%(name)s」请打 %(min)s 到 %(max)s 之间的分数"), name=name, min=criterion["min"],
                               max=criterion["max"])]
        else:
            clean_scores[name] = value
        text = str(comments.get(name) or "").strip()
        if len(text) > MAX_COMMENT:
            errors.setdefault(name, []).append(tr(N_("「%(name)s」的评语不能超过 %(max)s 个字符"), name=name,
                                                  max=MAX_COMMENT))
        elif text:
            clean_comments[name] = text
        elif criterion.get("comments_required"):
            errors.setdefault(name, []).append(tr(N_("「%(name)s」须填写评语"), name=name))
    unknown = sorted(set(scores) - names) + sorted(set(comments) - names)
    for name in unknown:
        errors[name] = [tr(N_("评审细则中没有「%(name)s」这项指标"), name=name)]
    if errors:
        raise ValidationFailed(N_("评分不完整或超出范围"), errors={"scores": errors})
    review.scores, review.comments = clean_scores, clean_comments
    REVIEW.apply(actor, review, "score")
    return review


def declare_conflict(actor, review: ChallengeReview, reason: str) -> ChallengeReview:
    """声明利益冲突并回避, with the reason."""
    REVIEW.apply(actor, review, "recuse", reason=reason)
    return review


# -- ranking, shortlist, defence -----------------------------------------------------------------------------------

def weighted_score(application: ChallengeApplication, rubric: list[dict]) -> Decimal:
    """Σ weight × (mean criterion score normalised to 0..1 of its range) / Σ weights × 100."""
    by_criterion: dict[str, list[float]] = defaultdict(list)
    for review in application.reviews:
        if review.status == ReviewStatus.SUBMITTED:
            for name, value in (review.scores or {}).items():
                by_criterion[name].append(float(value))
    total = weights = Decimal(0)
    for criterion in rubric:
        weight = Decimal(str(criterion["weight"]))
        values = by_criterion.get(criterion["name"]) or [criterion["min"]]
        low, high = Decimal(criterion["min"]), Decimal(criterion["max"])
        mean = Decimal(str(sum(values) / len(values)))
        total += weight * (mean - low) / (high - low)
        weights += weight
    return (total / weights * 100).quantize(SCORE_PLACES, ROUND_HALF_UP) if weights else Decimal(0)


def rank(challenge: Challenge, actor=None) -> list[ChallengeApplication]:
    """排名 by weighted mean: stores each live application's score and rank (ties share a rank). Refused while any
    live application still has an incomplete review. ``actor`` (issuer or staff) when a person asks."""
    if actor is not None:
        require(can_run_challenge(actor, challenge), ISSUER_OR_STAFF)
    if challenge.stage != ChallengeStage.REVIEWING:
        raise StateConflict(N_("只有截止征集、进入评审后才能排名"))
    rubric = challenge.rubric or []
    if not rubric:
        raise ValidationFailed(errors={"rubric": [N_("请先设置本榜单的评审细则")]})
    live = live_applications(challenge)
    if not live:
        raise ValidationFailed(errors={"applications": [N_("没有可排名的申请")]})
    incomplete = [a for a in live if not reviews_complete(a)]
    if incomplete:
        names = tr(N_("、")).join(tr(N_("%(name)s（编号 %(id)s）"), name=a.organization.name, id=a.id)
                                  for a in incomplete)
        raise ValidationFailed(N_("还有申请的评审未完成，完成全部评审后才能排名"),
                               errors={"reviews": [tr(N_("以下申请的评审尚未完成：%(applications)s"), applications=names)]})
    for application in live:
        application.score = weighted_score(application, rubric)
    ordered = sorted(live, key=lambda a: (-a.score, a.id))
    for position, application in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        application.rank = previous.rank if previous is not None and previous.score == application.score \
            else position
    if actor is not None:
        audit(actor, "challenge.rank", challenge, {"ranked": len(ordered)})
    return ordered


def ranking(actor, challenge: Challenge) -> list[ChallengeApplication]:
    """The ranked applications, for the issuer and staff."""
    require(can_run_challenge(actor, challenge), ISSUER_OR_STAFF)
    ranked = [a for a in challenge.applications if a.rank is not None]
    return sorted(ranked, key=lambda a: (a.rank, a.id))


def shortlist(actor, application: ChallengeApplication) -> ChallengeApplication:
    """入围 (the issuer or staff, while the challenge is under review)."""
    APPLICATION.apply(actor, application, "shortlist")
    return application


def schedule_defence(actor, challenge: Challenge, at: datetime | None, place: str | None) -> Challenge:
    """答辩: its date and place, set by the issuer or staff while the challenge is under review."""
    require(can_run_challenge(actor, challenge), ISSUER_OR_STAFF)
    if challenge.stage != ChallengeStage.REVIEWING:
        raise StateConflict(N_("只有评审阶段可以安排答辩"))
    if not isinstance(at, datetime):
        raise ValidationFailed(errors={"at": [N_("请填写答辩时间")]})
    place = (place or "").strip()
    if not place or len(place) > 200:
        raise ValidationFailed(errors={"place": [N_("请填写答辩地点（不超过 200 个字符）")]})
    challenge.defence_place = place
    challenge.defence_at = at
    audit(actor, "challenge.defence", challenge, {"at": at.isoformat(), "place": challenge.defence_place})
    return challenge
