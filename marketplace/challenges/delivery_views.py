"""签约 and 里程碑 pages: the issuer drafts and signs an awarded team's agreement (军令状) on the application page; the
team submits evidence per milestone and the issuer accepts, returns (with a reason) or records a payment."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..attachments.services import can_attach
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..unit_of_work import commit
from ..web.forms import field_errors, flash_error
from ..web.messages import N_
from ..workflow.challenges import MILESTONE, MILESTONE_LABELS
from . import delivery
from .application_views import _application, render_application, rows
from .models import ChallengeMilestone

AGREEMENT_ROWS = ("deliverable", "due_on", "tranche", "criteria", "checkpoint")
MILESTONE_DONE = {"submit_evidence": N_("里程碑材料已提交"), "accept_milestone": N_("里程碑已通过"),
                  "return_milestone": N_("已退回，承担单位会看到退回原因"), "record_payment": N_("拨付已登记")}


def is_overdue(milestone: ChallengeMilestone) -> bool:
    return milestone.status in ("planned", "returned") and milestone.due_on < date.today()


def agreement_data() -> dict:
    milestones = []
    for row in rows("ms", AGREEMENT_ROWS):
        if set(row) <= {"checkpoint"}:
            continue
        milestones.append({**row, "checkpoint": row.get("checkpoint") == "yes"})
    return {"funding": request.form.get("funding", "").strip() or None,
            "pledge": request.form.get("pledge", "").strip() or None, "milestones": milestones}


def register(bp) -> None:
    """Add the delivery routes to the challenges blueprint."""

    @bp.post("/<int:record_id>/applications/<int:application_id>/agreement", endpoint="agreement")
    @login_required
    def draft(record_id: int, application_id: int):
        application = _application(record_id, application_id)
        try:
            delivery.draft_agreement(current_user, application, agreement_data())
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            return render_application(_application(record_id, application_id), errors=field_errors(error),
                                      failed="agreement", status=422)
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_("协议已保存，双方签约后生效"), "success")
        return redirect(url_for("challenges.application", record_id=record_id, application_id=application_id))

    @bp.post("/<int:record_id>/applications/<int:application_id>/sign", endpoint="sign_agreement")
    @login_required
    def sign(record_id: int, application_id: int):
        application = _application(record_id, application_id)
        try:
            if application.agreement is None:
                raise ValidationFailed(_("请先起草协议"))
            delivery.sign_agreement(current_user, application.agreement, request.form.get("issuer_signed_on"),
                                    request.form.get("team_signed_on"))
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            return render_application(_application(record_id, application_id), errors=field_errors(error),
                                      failed="sign", status=422)
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_("已签约"), "success")
        return redirect(url_for("challenges.application", record_id=record_id, application_id=application_id))

    def render_milestone(milestone, errors=None, failed=None, status=200):
        return render_template("challenges/milestone.html", milestone=milestone,
                               application=milestone.agreement.application,
                               record=milestone.agreement.application.challenge,
                               actions=MILESTONE.available(current_user, milestone), labels=MILESTONE_LABELS,
                               overdue=is_overdue(milestone), attachable=can_attach(current_user, milestone),
                               errors=errors or {}, failed=failed,
                               form=request.form if failed else {}, today=date.today().isoformat()), status

    @bp.get("/milestones/<int:milestone_id>", endpoint="milestone")
    @login_required
    def milestone_page(milestone_id: int):
        return render_milestone(delivery.get_milestone(milestone_id, current_user))

    @bp.post("/milestones/<int:milestone_id>/<action>", endpoint="milestone_action")
    @login_required
    def milestone_action(milestone_id: int, action: str):
        milestone = delivery.get_milestone(milestone_id, current_user)
        form = request.form
        try:
            if action == "submit_evidence":
                delivery.submit_evidence(current_user, milestone, form.get("evidence", ""))
            elif action == "accept_milestone":
                delivery.accept_milestone(current_user, milestone)
            elif action == "return_milestone":
                delivery.return_milestone(current_user, milestone, form.get("reason", ""))
            elif action == "record_payment":
                delivery.record_payment(current_user, milestone, form.get("amount") or None,
                                        form.get("paid_on") or None)
            else:
                MILESTONE.transition(action)
                raise ValidationFailed(_("此操作不在这里执行"))
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            return render_milestone(delivery.get_milestone(milestone_id, current_user), field_errors(error), action,
                                    422)
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_(MILESTONE_DONE[action]), "success")
        return redirect(url_for("challenges.milestone", milestone_id=milestone_id))
