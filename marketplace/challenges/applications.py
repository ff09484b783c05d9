"""揭榜: registering interest in a 榜单 (accepting its terms), editing, submitting (eligibility checked with a clear
message per rule) and withdrawing an application; who sees which applications; the structured result every
applicant gets once its application is decided."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from statistics import mean

from ..accounts.models import Organization
from ..achievements.models import Achievement
from ..audit.services import record as audit
from ..errors import Conflict, NotFound, PermissionDenied, StateConflict, ValidationFailed
from ..extensions import db
from ..listing_edits import check_version
from ..patents.models import Patent
from ..permissions import can_run_challenge, can_see_application, can_see_challenge, is_applicant, \
    is_consortium_member, is_signed_in
from ..taxonomy import ORG_TYPES, REGIONS, label
from ..validation import load_or_raise
from ..web.messages import N_, tr
from ..workflow.challenges import APPLICATION, RANKED_BELOW_WINNERS
from .application_schemas import ApplicationInput
from .models import ApplicationStatus, Challenge, ChallengeApplication, ChallengeStage, ReviewStatus

DECIDED = (ApplicationStatus.AWARDED, ApplicationStatus.NOT_SELECTED, ApplicationStatus.ELIMINATED)
CONSORTIUM_RULE_ERRORS = {
    "not_allowed": N_("本榜单不接受联合体揭榜，请移除联合体成员单位"),
    "required": N_("本榜单须以创新联合体形式揭榜，请至少添加一家联合体成员单位"),
}


def province_of(region: str | None) -> str | None:
    """The GB/T 2260 province code of a region code (first two digits + "0000")."""
    return f"{region[:2]}0000" if region and len(region) >= 2 else None


# -- registering, editing, submitting --------------------------------------------------------------------------------

def register_interest(actor, challenge: Challenge) -> ChallengeApplication:
    """报名: a member of an organisation accepts the challenge's terms; one registration per organisation, only
    while the published challenge is open and before its application deadline."""
    if not can_see_challenge(actor, challenge):
        raise NotFound()
    if not is_signed_in(actor) or getattr(actor, "org_id", None) is None:
        raise PermissionDenied(N_("请先加入一个机构再揭榜"))
    if actor.org_id == challenge.org_id:
        raise PermissionDenied(N_("发榜单位不能揭自己发布的榜单"))
    if not _accepting(challenge):
        raise StateConflict(N_("该榜单当前不接受揭榜（未发布、已截止或已结束）"))
    existing = db.session.execute(db.select(ChallengeApplication.id).where(
        ChallengeApplication.challenge_id == challenge.id,
        ChallengeApplication.org_id == actor.org_id)).scalar_one_or_none()
    if existing is not None:
        raise Conflict(f"本机构已报名该榜单（申请编号 {existing}），每个机构只能揭榜一次")
    application = ChallengeApplication(challenge=challenge, org_id=actor.org_id, owner_id=actor.id,
                                       status=ApplicationStatus.INTERESTED)
    db.session.add(application)
    db.session.flush()
    audit(actor, "challenge_application.register", application, {"challenge_id": challenge.id})
    return application


def _accepting(challenge: Challenge) -> bool:
    return challenge.status == "published" and challenge.stage == ChallengeStage.OPEN and \
        date.today() <= challenge.application_deadline


def update_application(actor, application: ChallengeApplication, data: dict,
                       expected_version: int | None = None) -> ChallengeApplication:
    """Edit an application (any subset of its fields) until the deadline. A submitted application stays eligible:
    an edit that would break a rule is refused with the rule's message."""
    APPLICATION.check(actor, application, "edit")
    check_version(application, expected_version)
    values = load_or_raise(ApplicationInput(), data or {})  # no top-level field is required
    if "consortium" in values:
        members = _consortium(application, values["consortium"] or [])
        application.consortium = members
        application.consortium_org_ids = [member["org_id"] for member in members]
    owners = {application.org_id, *(application.consortium_org_ids or [])}
    # prior results are checked when they change and when the consortium does (a member's records leave with it)
    if "achievement_ids" in values or "consortium" in values:
        application.achievement_ids = _own_records(
            Achievement, values.get("achievement_ids", application.achievement_ids) or [], owners,
            "achievement_ids", N_("只能引用牵头单位或联合体成员单位自己的成果（无效的编号：%(ids)s）"))
    if "patent_ids" in values or "consortium" in values:
        application.patent_ids = _own_records(Patent, values.get("patent_ids", application.patent_ids) or [],
                                              owners, "patent_ids",
                                              N_("只能引用牵头单位或联合体成员单位自己的专利（无效的编号：%(ids)s）"))
    for name in ("proposal", "technical_route", "budget"):
        if name in values:
            setattr(application, name, values[name])
    if "team" in values:
        application.team = [{"name": m["name"], "title": m.get("title"), "role": m.get("role")}
                            for m in values["team"] or []]
    if "proposed_milestones" in values:
        application.proposed_milestones = [
            {"deliverable": m["deliverable"], "due": m["due"].isoformat(),
             "amount": str(m["amount"]) if m.get("amount") is not None else None}
            for m in values["proposed_milestones"] or []]
    if application.status == ApplicationStatus.SUBMITTED:
        check_eligibility(application)
    return application


def _consortium(application: ChallengeApplication, members: list[dict]) -> list[dict]:
    """Consortium members: existing organisations, each once, neither the lead nor the issuer."""
    ids = [member["org_id"] for member in members]
    if len(ids) != len(set(ids)):
        raise ValidationFailed(errors={"consortium": [N_("联合体成员单位不能重复")]})
    orgs = {org.id: org for org in db.session.execute(
        db.select(Organization).where(Organization.id.in_(ids))).scalars()} if ids else {}
    rows = []
    for member in members:
        org = orgs.get(member["org_id"])
        if org is None:
            raise ValidationFailed(errors={"consortium": [f"机构 {member['org_id']} 不存在"]})
        if org.id == application.org_id:
            raise ValidationFailed(errors={"consortium": [N_("牵头单位不能同时作为联合体成员")]})
        if org.id == application.challenge.org_id:
            raise ValidationFailed(errors={"consortium": [
                tr(N_("发榜单位「%(name)s」不能作为联合体成员"), name=org.name)]})
        rows.append({"org_id": org.id, "org_name": org.name, "role": member["role"]})
    return rows


def _own_records(model, ids: list[int], owners: set[int], field: str, message: str) -> list[int]:
    """Prior results: only the lead's or the consortium members' own records (``message``: the refusal, naming the
    foreign ids as ``%(ids)s``)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    found = dict(db.session.execute(db.select(model.id, model.org_id).where(model.id.in_(ids))).all())
    foreign = [record_id for record_id in ids if found.get(record_id) not in owners]
    if foreign:
        raise ValidationFailed(errors={field: [tr(message, ids=tr(N_("、")).join(map(str, foreign)))]})
    return ids


def check_eligibility(application: ChallengeApplication) -> None:
    """The challenge's eligibility rules and a complete proposal; one clear message per rule broken (422)."""
    challenge, org = application.challenge, application.organization
    errors: dict[str, list[str]] = {}
    if challenge.eligible_org_types and org.org_type not in challenge.eligible_org_types:
        allowed = tr(N_("、")).join(label(ORG_TYPES, code) for code in challenge.eligible_org_types)
        errors["org_type"] = [tr(N_("本榜单只接受以下类型的机构揭榜：%(allowed)s；贵单位为%(own)s"), allowed=allowed,
                                 own=label(ORG_TYPES, org.org_type))]
    if challenge.eligible_regions:
        provinces = {province_of(code) for code in challenge.eligible_regions}
        if province_of(org.region) not in provinces:
            allowed = tr(N_("、")).join(label(REGIONS, code) for code in sorted(provinces))
            errors["region"] = [tr(N_("本榜单只接受以下地区的机构揭榜：%(allowed)s"), allowed=allowed)]
    members = application.consortium_org_ids or []
    rule = challenge.consortium or "allowed"
    if (rule == "not_allowed" and members) or (rule == "required" and not members):
        errors["consortium"] = [CONSORTIUM_RULE_ERRORS[rule]]
    if not (application.proposal or "").strip():
        errors["proposal"] = [N_("请填写揭榜方案")]
    if not (application.technical_route or "").strip():
        errors["technical_route"] = [N_("请填写技术路线")]
    if errors:
        raise ValidationFailed(N_("不符合揭榜条件或申请内容不完整"), errors=errors)


def submit_application(actor, application: ChallengeApplication) -> ChallengeApplication:
    """提交: eligibility is checked here (organisation type, region, consortium rule, proposal and route)."""
    APPLICATION.check(actor, application, "submit")
    check_eligibility(application)
    APPLICATION.apply(actor, application, "submit")
    return application


def withdraw_application(actor, application: ChallengeApplication) -> ChallengeApplication:
    """撤回, until the application deadline."""
    APPLICATION.apply(actor, application, "withdraw")
    return application


# -- reading ----------------------------------------------------------------------------------------------------------

def get_application(actor, application_id: int) -> ChallengeApplication:
    """The application if ``actor`` may see it; 404 otherwise (the same as a missing id)."""
    application = db.session.get(ChallengeApplication, application_id)
    if application is None or not can_see_application(actor, application):
        raise NotFound()
    return application


def applications_visible_to(actor, challenge: Challenge) -> list[ChallengeApplication]:
    """The issuer and staff see all; reviewers those assigned to them; applicants their own (and consortia theirs)."""
    if not can_see_challenge(actor, challenge):
        raise NotFound()
    if can_run_challenge(actor, challenge):
        return list(challenge.applications)
    return [a for a in challenge.applications if can_see_application(actor, a)]


def structured_result(actor, application: ChallengeApplication) -> dict:
    """结构化评审结果: outcome, per-criterion mean scores, anonymised comments, weighted score and rank, and the
    reason. The applicant (and its consortium) read it once the application is decided; the issuer and staff any
    time; nobody reads reviewer names or ids in it."""
    if not can_see_application(actor, application):
        raise NotFound()
    runs = can_run_challenge(actor, application.challenge)
    if not runs:
        if not (is_applicant(actor, application) or is_consortium_member(actor, application)):
            raise PermissionDenied(N_("只有揭榜单位、发榜单位和平台工作人员可以查看评审结果"))
        if application.status not in DECIDED:
            raise StateConflict(N_("评审结果将在确定揭榜方后公布"))
    scored = [r for r in application.reviews if r.status == ReviewStatus.SUBMITTED]
    by_criterion: dict[str, list[float]] = defaultdict(list)
    comments = []
    for review in scored:
        for name, value in (review.scores or {}).items():
            by_criterion[name].append(float(value))
        comments += [{"criterion": name, "comment": text} for name, text in (review.comments or {}).items() if text]
    criteria = [{"name": c["name"], "weight": c["weight"], "min": c["min"], "max": c["max"],
                 "mean": round(mean(by_criterion[c["name"]]), 2) if by_criterion.get(c["name"]) else None}
                for c in application.challenge.rubric or []]
    ranked = [a for a in application.challenge.applications if a.rank is not None]
    return {
        "application_id": application.id, "outcome": str(application.status),
        "outcome_label": APPLICATION.state_label(application.status),
        "reason": tr(reason) if (reason := application.result_reason) == RANKED_BELOW_WINNERS else reason,
        "score": Decimal(application.score) if application.score is not None else None, "rank": application.rank,
        "ranked_among": len(ranked), "reviews": len(scored), "criteria": criteria,
        "comments": sorted(comments, key=lambda c: (c["criterion"], c["comment"])),
    }
