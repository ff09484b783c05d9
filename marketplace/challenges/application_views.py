"""揭榜 pages: registering interest, the applicant's form (submit, withdraw), the structured result, and the issuer's
list of applications with scores and ranking. Attached to the challenges blueprint by :func:`register`."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import Organization
from ..achievements.models import Achievement
from ..attachments.views import PAGES as ATTACHMENT_PAGES
from ..errors import Conflict, DomainError, ValidationFailed
from ..extensions import db
from ..listings import PUBLISHED
from ..patents.models import Patent
from ..permissions import can_run_challenge
from ..unit_of_work import commit
from ..web.forms import field_errors, flash_error, version_arg
from ..workflow.challenges import AGREEMENT, APPLICATION, APPLICATION_LABELS, MILESTONE_LABELS
from . import applications, services
from .models import ChallengeApplication

ROWS = 5  # empty team, consortium and milestone rows the form offers
TEAM = ("name", "title", "role")
CONSORTIUM = ("org_id", "role")
MILESTONES = ("deliverable", "due", "amount")
DECIDED = ("awarded", "not_selected", "eliminated")


def rows(prefix: str, names: tuple[str, ...]) -> list[dict]:
    """Repeated rows ``<prefix>_<name>`` of the submitted form, empty rows left out."""
    columns = {name: request.form.getlist(f"{prefix}_{name}") for name in names}
    count = max((len(values) for values in columns.values()), default=0)
    found = []
    for index in range(count):
        row = {name: (columns[name][index] if index < len(columns[name]) else "").strip() for name in names}
        if any(row.values()):
            found.append({key: value for key, value in row.items() if value})
    return found


def form_data() -> dict:
    consortium = [{**row, "org_id": int(row["org_id"]) if row.get("org_id", "").isdigit() else row.get("org_id")}
                  for row in rows("consortium", CONSORTIUM)]
    data = {"proposal": request.form.get("proposal", "").strip() or None,
            "technical_route": request.form.get("technical_route", "").strip() or None,
            "budget": request.form.get("budget", "").strip() or None,
            "team": rows("team", TEAM), "consortium": consortium,
            "proposed_milestones": rows("milestone", MILESTONES),
            "achievement_ids": [int(v) for v in request.form.getlist("achievement_ids") if v.isdigit()],
            "patent_ids": [int(v) for v in request.form.getlist("patent_ids") if v.isdigit()]}
    return data


def _values(application: ChallengeApplication) -> dict:
    return {"proposal": application.proposal or "", "technical_route": application.technical_route or "",
            "budget": "" if application.budget is None else f"{application.budget:f}",
            "team": application.team or [], "consortium": application.consortium or [],
            "milestones": [{"deliverable": m.get("deliverable"), "due": m.get("due"), "amount": m.get("amount") or ""}
                           for m in application.proposed_milestones or []],
            "achievement_ids": [str(i) for i in application.achievement_ids or []],
            "patent_ids": [str(i) for i in application.patent_ids or []], "version": application.version}


def _posted() -> dict:
    return {"proposal": request.form.get("proposal", ""), "technical_route": request.form.get("technical_route", ""),
            "budget": request.form.get("budget", ""), "team": rows("team", TEAM),
            "consortium": rows("consortium", CONSORTIUM), "milestones": rows("milestone", MILESTONES),
            "achievement_ids": request.form.getlist("achievement_ids"),
            "patent_ids": request.form.getlist("patent_ids"), "version": request.form.get("version")}


def _own_results(application: ChallengeApplication) -> tuple[list, list]:
    """The team's own published achievements and patents (prior results to link)."""
    owners = [application.org_id, *(application.consortium_org_ids or [])]
    achievements = db.session.scalars(db.select(Achievement).where(
        Achievement.org_id.in_(owners), Achievement.status == PUBLISHED).order_by(Achievement.id.desc()).limit(100))
    patents = db.session.scalars(db.select(Patent).where(
        Patent.org_id.in_(owners), Patent.status == PUBLISHED).order_by(Patent.id.desc()).limit(100))
    return list(achievements), list(patents)


def _result(application: ChallengeApplication):
    try:
        return applications.structured_result(current_user, application)
    except DomainError:
        return None


def _application(record_id: int, application_id: int) -> ChallengeApplication:
    application = applications.get_application(current_user, application_id)
    if application.challenge_id != record_id:
        abort(404)
    return application


def render_application(application: ChallengeApplication, *, form=None, errors=None, failed=None, status=200):
    editable = APPLICATION.can(current_user, application, "edit")
    achievements, patents = _own_results(application) if editable else ([], [])
    organizations = db.session.scalars(db.select(Organization).where(
        Organization.id != application.org_id, Organization.id != application.challenge.org_id)
        .order_by(Organization.name).limit(500)).all() if editable else []
    agreement = application.agreement
    return render_template(
        "challenges/application.html", application=application, record=application.challenge,
        actions=APPLICATION.available(current_user, application), editable=editable,
        form=form if form is not None else _values(application), errors=errors or {}, failed=failed,
        rows=ROWS, achievements=achievements, patents=patents, organizations=organizations,
        result=_result(application) if application.status in DECIDED else None,
        application_labels=APPLICATION_LABELS, milestone_labels=MILESTONE_LABELS,
        runs=can_run_challenge(current_user, application.challenge),
        agreement_actions=AGREEMENT.available(current_user, agreement) if agreement else [],
        today=date.today()), status


ATTACHMENT_PAGES["challenge_application"] = render_application  # the page again after a refused upload


def register(bp) -> None:
    """Add the application routes to the challenges blueprint."""

    @bp.post("/<int:record_id>/register", endpoint="register")
    @login_required
    def register_interest(record_id: int):
        challenge = services.get_challenge(record_id, current_user)
        if request.form.get("accept_terms") != "yes":
            flash(_("请先阅读并接受榜单的揭榜条件和条款"), "error")
            return redirect(url_for("challenges.show", record_id=record_id))
        try:
            application = applications.register_interest(current_user, challenge)
            commit()
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
            return redirect(url_for("challenges.show", record_id=record_id))
        flash(_("已报名揭榜。请填写揭榜方案并在截止日期前提交。"), "success")
        return redirect(url_for("challenges.application", record_id=record_id, application_id=application.id))

    @bp.route("/<int:record_id>/applications/<int:application_id>", methods=["GET", "POST"],
              endpoint="application")
    @login_required
    def application_page(record_id: int, application_id: int):
        application = _application(record_id, application_id)
        if request.method == "GET":
            return render_application(application)
        submit = request.form.get("intent") == "submit"
        try:
            applications.update_application(current_user, application, form_data(), version_arg(request.form))
            if submit:
                applications.submit_application(current_user, application)
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            return render_application(_application(record_id, application_id), form=_posted(),
                                      errors=field_errors(error), status=422)
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
            return redirect(url_for("challenges.application", record_id=record_id, application_id=application_id))
        flash(_("揭榜申请已提交") if submit else _("申请已保存"), "success")
        return redirect(url_for("challenges.application", record_id=record_id, application_id=application_id))

    @bp.post("/<int:record_id>/applications/<int:application_id>/withdraw", endpoint="withdraw_application")
    @login_required
    def withdraw(record_id: int, application_id: int):
        application = _application(record_id, application_id)
        try:
            applications.withdraw_application(current_user, application)
            commit()
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_("申请已撤回"), "success")
        return redirect(url_for("challenges.application", record_id=record_id, application_id=application_id))

    @bp.get("/<int:record_id>/applications", endpoint="applications")
    @login_required
    def application_list(record_id: int):
        """The issuer's and staff's list: every application with its status, score and rank."""
        challenge = services.get_challenge(record_id, current_user)
        if not can_run_challenge(current_user, challenge):
            abort(404)
        listed = sorted(applications.applications_visible_to(current_user, challenge),
                        key=lambda a: (a.rank is None, a.rank or 0, a.id))
        return render_template("challenges/applications.html", record=challenge, applications=listed,
                               application_labels=APPLICATION_LABELS)
