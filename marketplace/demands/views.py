"""Demand pages (产业界出题): browse, detail, forms and the owner's buttons (incl. closing a demand)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import can_edit, get_editable, get_visible
from ..errors import Conflict, PermissionDenied, ValidationFailed
from ..extensions import db
from ..listings import EDITABLE
from ..browse import browse_demands, demand_filters
from ..web.forms import field_errors, form_to_data, form_values, version_arg
from ..alerts import services as alerts
from ..web.actions import run_action
from ..matching.services import can_view_matches
from . import services
from .models import Demand
from .schemas import DemandInput

bp = Blueprint("demands", __name__, url_prefix="/demands")

FIELDS = ("title", "problem", "indicators", "keywords", "industry", "technical_field", "budget_min", "budget_max",
          "deadline", "region", "cooperation_modes", "trl_min")
MULTI = ("cooperation_modes",)
SORTS = ("newest", "budget", "deadline")
_schema = DemandInput()


def _data_from_form() -> dict:
    return form_to_data(request.form, _schema, FIELDS, multi=MULTI, split=("keywords",))


def _amount(value) -> str:
    return "" if value is None else f"{value:f}".rstrip("0").rstrip(".")


def _values_from_record(record: Demand) -> dict:
    values = {name: getattr(record, name) for name in FIELDS}
    values["keywords"] = "、".join(record.keywords or [])
    values["budget_min"], values["budget_max"] = _amount(record.budget_min), _amount(record.budget_max)
    values["deadline"] = record.deadline.isoformat() if record.deadline else ""
    values["trl_min"] = str(record.trl_min) if record.trl_min else ""
    return values


def _form_page(record, values, errors=None, status=200, conflict=None):
    return render_template("demands/form.html", record=record, form=values, errors=errors or {},
                           conflict=conflict), status


@bp.get("")
def index():
    """Published demands with filters (industry, field, region, budget, cooperation mode, organisation type)."""
    filters = demand_filters()
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "newest"
    return render_template("demands/index.html", page=browse_demands(filters, sort), filters=filters, sort=sort)


@bp.get("/<int:record_id>")
def show(record_id: int):
    record = get_visible(Demand, record_id, current_user)
    return render_template("demands/show.html", record=record, editable=can_edit(current_user, record),
                           can_view_matches=can_view_matches(current_user, record),
                           following=alerts.following(current_user, record))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Post a demand (as a draft) for the user's organisation."""
    if current_user.org_id is None:
        raise PermissionDenied("请先加入一个机构再发布需求")
    if request.method == "GET":
        region = current_user.organization.region if current_user.organization else ""
        return _form_page(None, {"region": region})
    try:
        record = services.create_demand(current_user, _data_from_form())
    except ValidationFailed as error:
        db.session.rollback()
        return _form_page(None, form_values(request.form, MULTI), field_errors(error), 422)
    db.session.commit()
    flash(_("需求草稿已保存。确认无误后请提交审核。"), "success")
    return redirect(url_for("demands.show", record_id=record.id))


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(record_id: int):
    record = get_editable(Demand, record_id, current_user)
    if record.status not in EDITABLE:
        flash(_("待审核的记录不能修改，请先撤回"), "error")
        return redirect(url_for("demands.show", record_id=record.id))
    if request.method == "GET":
        return _form_page(record, {**_values_from_record(record), "version": record.version})
    try:
        services.update_demand(current_user, record, _data_from_form(), version_arg(request.form))
    except Conflict as error:
        db.session.rollback()
        return _form_page(record, form_values(request.form, MULTI), {}, 409, conflict=error)
    except ValidationFailed as error:
        db.session.rollback()
        return _form_page(record, form_values(request.form, MULTI), field_errors(error), 422)
    db.session.commit()
    flash(_("修改已保存"), "success")
    return redirect(url_for("demands.show", record_id=record.id))


@bp.post("/<int:record_id>/<action>")
@login_required
def action(record_id: int, action: str):
    """Owner buttons: submit, withdraw, archive, close a published demand, delete a draft."""
    return run_action(Demand, record_id, action, services.delete_demand, "demands.show",
                      allowed=("submit", "withdraw", "archive", "close", "delete"))
