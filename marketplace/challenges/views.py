"""揭榜挂帅 pages: the open and past challenges, a 榜单's page with its publication and execution buttons, and the
issuer's form. Applications (揭榜), reviews and delivery have their own view modules; the services decide."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import kinds, listing_edits
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..listings import PUBLISHED
from ..permissions import can_run_challenge
from ..reading import ReadArgs
from ..unit_of_work import commit
from ..web import listing_pages
from ..web.forms import field_errors, flash_error
from ..web.listing_pages import ListingForm
from ..web.messages import N_
from ..web.pagination import page_arg
from ..workflow.challenges import APPLICATION_LABELS, CHALLENGE_EXECUTION, STAGE_LABELS
from . import application_views, delivery_views, expert_views, review_views, services
from .models import ApplicationStatus, Challenge, ChallengeApplication
from .reading import CHALLENGES, public_page
from .solvers import open_challenges_for, recommended_solvers
from .schemas import CONSORTIUM_RULES, FUNDING_MODES, MAX_INDICATORS, ChallengeInput

bp = Blueprint("challenges", __name__, url_prefix="/challenges")

INDICATOR_ROWS = 10  # rows the form offers; empty rows are ignored
INDICATOR_FIELDS = ("metric", "target", "unit", "verification")
#: Applications that count as applicants on the public results (registrations never submitted do not).
COUNTED = (ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.AWARDED,
           ApplicationStatus.NOT_SELECTED, ApplicationStatus.ELIMINATED)
WINNERS = (ApplicationStatus.AWARDED, ApplicationStatus.ELIMINATED)
DONE = {
    "close_applications": N_("已截止征集，进入评审"), "award": N_("已确定揭榜方"),
    "declare_unsuccessful": N_("已宣布揭榜不成，申请方会看到原因"), "cancel": N_("已撤榜，申请方会看到原因"),
    "start_delivery": N_("已开始攻关实施"), "extend": N_("完成期限已延期"), "accept": N_("已验收通过"),
    "fail": N_("已记录验收不通过"), "terminate": N_("已终止"),
}


# -- the form -----------------------------------------------------------------------------------------------------

def _amount(value) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def posted_indicators() -> list[dict]:
    """The indicator rows of the submitted form, empty rows left out."""
    columns = {name: request.form.getlist(f"indicator_{name}") for name in INDICATOR_FIELDS}
    rows = []
    for index in range(min(len(columns["metric"]), MAX_INDICATORS)):
        row = {name: (columns[name][index] if index < len(columns[name]) else "").strip() for name in INDICATOR_FIELDS}
        if any(row.values()):
            rows.append({key: value for key, value in row.items() if value or key in ("metric", "target")})
    return rows


def _to_data(data: dict) -> dict:
    data["indicators"] = posted_indicators()
    if not request.form.get("max_winners"):
        data.pop("max_winners", None)  # the service picks 1, or 2 under 赛马
    return data


def _values(record: Challenge, values: dict) -> dict:
    for name in ("reward_amount", "cofunding_share"):
        values[name] = _amount(values[name])
    for name in ("application_deadline", "completion_deadline"):
        values[name] = values[name].isoformat() if values[name] else ""
    values["max_winners"] = str(values["max_winners"] or "")
    values["indicators"] = list(values["indicators"] or [])
    return values


def _form_context() -> dict:
    return {"funding_modes": FUNDING_MODES, "consortium_rules": CONSORTIUM_RULES, "indicator_rows": INDICATOR_ROWS,
            "posted_indicators": posted_indicators() if request.method == "POST" else None}


FORM = ListingForm(
    kinds.CHALLENGE, "challenges/form.html", services.create_challenge, services.update_challenge, ChallengeInput(),
    ("title", "background", "problem", "indicators", "technical_field", "industry", "reward_amount",
     "cofunding_share", "funding_mode", "max_winners", "application_deadline", "completion_deadline",
     "eligible_org_types", "eligible_regions", "consortium", "ip_terms", "confidentiality", "contact", "region"),
    multi=("eligible_org_types", "eligible_regions"), created_message=N_("榜单草稿已保存。确认无误后请提交审核。"),
    no_org_message=N_("请先加入一个企业或政府部门再发布榜单"), to_data=_to_data, to_values=_values,
    new_values=lambda user: {"region": user.organization.region if user.organization else "", "consortium": "allowed",
                             "funding_mode": "award", "indicators": []},
    context=_form_context)


# -- the list -----------------------------------------------------------------------------------------------------

def days_left(challenge: Challenge) -> int:
    return (challenge.application_deadline - date.today()).days


def public_results(challenges: list[Challenge]) -> dict[int, dict]:
    """Per challenge: how many applied and the winners' organisation names — never the applications' content."""
    ids = [c.id for c in challenges]
    results = {id_: {"applicants": 0, "winners": []} for id_ in ids}
    if not ids:
        return results
    counts = db.session.execute(
        select(ChallengeApplication.challenge_id, func.count()).where(
            ChallengeApplication.challenge_id.in_(ids), ChallengeApplication.status.in_(COUNTED))
        .group_by(ChallengeApplication.challenge_id)).all()
    for challenge_id, count in counts:
        results[challenge_id]["applicants"] = count
    winners = db.session.scalars(
        select(ChallengeApplication).options(joinedload(ChallengeApplication.organization)).where(
            ChallengeApplication.challenge_id.in_(ids), ChallengeApplication.status.in_(WINNERS))
        .order_by(ChallengeApplication.id)).all()
    for application in winners:
        results[application.challenge_id]["winners"].append(application.organization.name)
    return results


@bp.get("")
def index():
    """Open challenges (with the days left to apply) or, with ``view=past``, the finished ones and their results.
    Filters and sorts are the challenge list spec's (marketplace/challenges/reading.py), as in the API."""
    past = request.args.get("view") == "past"
    args = CHALLENGES.parse_page(request.args)
    if past:
        args = ReadArgs({**args.filters, "past": True}, "finished")
    elif "stage" not in args.filters and "past" not in args.filters:
        args = ReadArgs({**args.filters, "open_now": True},
                        args.sort if request.args.get("sort") in CHALLENGES.sorts else "deadline")
    page = public_page(args, page=page_arg())
    filters = {name: value for name, value in args.query_string(CHALLENGES).items()
               if name not in ("open_now", "past")}
    return render_template("challenges/index.html", page=page, past=past, filters=filters, sort=args.sort,
                           results=public_results(page.items) if past else {}, days_left=days_left,
                           funding_modes=FUNDING_MODES, stages=STAGE_LABELS)


# -- one challenge ------------------------------------------------------------------------------------------------

def own_application(user, challenge: Challenge) -> ChallengeApplication | None:
    org_id = getattr(user, "org_id", None) if getattr(user, "is_authenticated", False) else None
    if org_id is None:
        return None
    return next((a for a in challenge.applications if a.org_id == org_id), None)


def render_show(challenge: Challenge, *, errors=None, failed=None, form=None, status: int = 200):
    execution = CHALLENGE_EXECUTION.available(current_user, challenge) if challenge.status == PUBLISHED else []
    return render_template(
        "challenges/show.html", record=challenge, kind=kinds.CHALLENGE,
        actions=listing_edits.actions(current_user, challenge), execution=execution,
        live=services.live_applications(challenge) if "award" in execution else [],
        mine=own_application(current_user, challenge), results=public_results([challenge])[challenge.id],
        days_left=days_left(challenge), funding_modes=FUNDING_MODES, consortium_rules=CONSORTIUM_RULES,
        stages=STAGE_LABELS, application_labels=APPLICATION_LABELS, errors=errors or {}, failed=failed,
        form=form or {}, today=date.today().isoformat(), runs=can_run_challenge(current_user, challenge),
        solvers=recommended_solvers(challenge) if can_run_challenge(current_user, challenge)
        and challenge.status == PUBLISHED and challenge.stage == "open" else []), status


@bp.app_template_global("open_challenges_for")
def open_challenges_template(achievement, size: int = 5) -> list:
    """For an achievement's page: open challenges it could answer (published achievements only)."""
    return open_challenges_for(achievement, size) if achievement.status == PUBLISHED else []


@bp.get("/<int:record_id>")
def show(record_id: int):
    return render_show(services.get_challenge(record_id, current_user))


def _date(text: str | None, field: str) -> date | None:
    if not (text or "").strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(errors={field: [N_("请输入有效的日期")]}) from None


def _decimal(text: str | None, field: str) -> Decimal | None:
    if not (text or "").strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValidationFailed(errors={field: [N_("请输入有效的金额")]}) from None
    if value < 0:
        raise ValidationFailed(errors={field: [N_("金额不能为负数")]})
    return value


def acceptance_rows(challenge: Challenge, form) -> list[dict]:
    """Per indicator: met (yes / no / not answered), measured value and evidence."""
    met = {"yes": True, "no": False}
    return [{"met": met.get(form.get(f"met_{index}")), "measured": form.get(f"measured_{index}", ""),
             "evidence": form.get(f"evidence_{index}", "")} for index in range(len(challenge.indicators))]


def _run(challenge: Challenge, action: str, form) -> None:
    actor, reason = current_user, form.get("reason", "")
    if action == "close_applications":
        services.close_applications(actor, challenge)
    elif action == "award":
        ids = [int(value) for value in form.getlist("winner_ids") if value.isdigit()]
        services.award(actor, challenge, ids, reason)
    elif action == "declare_unsuccessful":
        services.declare_unsuccessful(actor, challenge, reason)
    elif action == "cancel":
        services.cancel(actor, challenge, reason)
    elif action == "start_delivery":
        services.start_delivery(actor, challenge)
    elif action == "extend":
        services.extend(actor, challenge, _date(form.get("extended_to"), "extended_to"), reason)
    elif action in ("accept", "fail", "terminate"):
        services.conclude(actor, challenge, action, acceptance_rows(challenge, form) if action != "terminate" else None,
                          reason=reason if action != "accept" else None,
                          reward_paid=_decimal(form.get("reward_paid"), "reward_paid"))
    else:
        CHALLENGE_EXECUTION.transition(action)  # 404: no such action
        raise ValidationFailed(_("此操作不在这里执行"))


@bp.post("/<int:record_id>/run/<action>")
@login_required
def run(record_id: int, action: str):
    """The execution buttons (close, award, 揭榜不成, cancel, delivery, extension, acceptance). Bad input re-renders
    the page with the errors next to the action's fields (422); a refusal of the state comes back as a message."""
    challenge = services.get_challenge(record_id, current_user)
    try:
        _run(challenge, action, request.form)
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        challenge = services.get_challenge(record_id, current_user)
        return render_show(challenge, errors=field_errors(error), failed=action, form=request.form, status=422)
    except Conflict as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("challenges.show", record_id=record_id))
    flash(_(DONE[action]), "success")
    return redirect(url_for("challenges.show", record_id=record_id))


application_views.register(bp)
delivery_views.register(bp)
review_views.register(bp)
expert_views.register(bp)
listing_pages.register_routes(bp, FORM)
