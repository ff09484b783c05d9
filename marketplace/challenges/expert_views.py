"""评审专家库 pages for staff: the expert list (technical field filter, keyword search, active / inactive), and the
form that creates or edits a user's profile, the user found by e-mail. The rules live in :mod:`.experts`."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..errors import Conflict, PermissionDenied, ValidationFailed
from ..extensions import db
from ..permissions import can_manage_experts
from ..taxonomy import TECHNICAL_FIELDS
from ..unit_of_work import commit
from ..web.forms import field_errors, flash_error, version_arg
from . import experts

STATUSES = {"active": True, "inactive": False, "all": None}


def _user_by_email(email: str) -> User | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    return db.session.scalars(db.select(User).where(db.func.lower(User.email) == email)).first()


def _form_data(form) -> dict:
    data = {"title": form.get("title"), "organisation": form.get("organisation"),
            "fields": form.getlist("fields"), "expertise": form.get("expertise")}
    if can_manage_experts(current_user):
        data["active"] = form.get("active") == "yes"
    return data


def register(bp) -> None:
    """Add the expert-list routes to the challenges blueprint."""

    def render(editing=None, profile=None, errors=None, form=None, status=200):
        field = request.args.get("field") or ""
        field = field if field in TECHNICAL_FIELDS else ""
        q = (request.args.get("q") or "").strip()[:100]
        state = request.args.get("status") if request.args.get("status") in STATUSES else "active"
        items = experts.experts(field or None, q or None, active=STATUSES[state], actor=current_user)
        return render_template("challenges/experts.html", items=items, field=field, q=q, state=state,
                               editing=editing, profile=profile, errors=errors or {}, form=form,
                               lookup=(request.args.get("email") or "").strip()), status

    @bp.get("/experts", endpoint="experts")
    @login_required
    def expert_list():
        if not can_manage_experts(current_user):
            abort(404)
        email = request.args.get("email")
        if email is None:
            return render()
        user = _user_by_email(email)
        if user is None:
            return render(errors={"email": [_("没有使用该邮箱的用户")]}, status=404)
        return render(user, experts.profile_of(user))

    @bp.post("/experts", endpoint="save_expert")
    @login_required
    def save_expert():
        if not can_manage_experts(current_user):
            abort(404)
        user = db.session.get(User, request.form.get("user_id", type=int) or 0)
        if user is None:
            abort(404)
        try:
            experts.set_expert_profile(current_user, user, _form_data(request.form), version_arg(request.form))
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            user = db.session.get(User, user.id)
            return render(user, experts.profile_of(user), field_errors(error), request.form, 422)
        except (Conflict, PermissionDenied) as error:
            db.session.rollback()
            flash_error(error)
            return redirect(url_for("challenges.experts", email=user.email))
        flash(_("评审专家资料已保存"), "success")
        return redirect(url_for("challenges.experts", email=user.email))
