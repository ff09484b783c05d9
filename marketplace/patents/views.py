"""Patent pages: browse (with the open-licence filter), detail, forms, and open licence declare/withdraw."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import can_edit, get_editable, get_visible
from ..errors import Conflict, PermissionDenied, ValidationFailed
from ..extensions import db
from ..listings import EDITABLE
from ..browse import browse_patents, patent_filters
from ..web.forms import field_errors, flash_error, form_to_data, form_values, version_arg
from ..web.actions import run_action
from . import services
from .models import Patent
from .schemas import OpenLicenceInput, PatentInput

bp = Blueprint("patents", __name__, url_prefix="/patents")

FIELDS = ("number", "title", "abstract", "patent_type", "ipc_codes", "applicant", "legal_status", "filing_date",
          "grant_date", "expiry_date", "region")
LICENCE_FIELDS = ("fee_terms", "annual_fee", "term_years", "scope")
SORTS = ("newest", "expiry")
_schema = PatentInput()
_licence_schema = OpenLicenceInput()


def _values_from_record(record: Patent) -> dict:
    values = {name: getattr(record, name) for name in FIELDS}
    values["ipc_codes"] = "、".join(record.ipc_codes or [])
    for name in ("filing_date", "grant_date", "expiry_date"):
        values[name] = values[name].isoformat() if values[name] else ""
    return values


def _form_page(record, values, errors=None, status=200, conflict=None):
    return render_template("patents/form.html", record=record, form=values, errors=errors or {},
                           conflict=conflict), status


@bp.get("")
def index():
    """Published patents; filter by type, legal status, region and whether an open licence is declared."""
    filters = patent_filters()
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "newest"
    return render_template("patents/index.html", page=browse_patents(filters, sort), filters=filters, sort=sort)


@bp.get("/<int:record_id>")
def show(record_id: int):
    record = get_visible(Patent, record_id, current_user)
    return render_template("patents/show.html", record=record, editable=can_edit(current_user, record))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Register a patent of the user's organisation (as a draft)."""
    if current_user.org_id is None:
        raise PermissionDenied("请先加入一个机构再登记专利")
    if request.method == "GET":
        org = current_user.organization
        return _form_page(None, {"region": org.region if org else "", "applicant": org.name if org else "",
                                 "legal_status": "granted", "patent_type": "invention_patent"})
    try:
        record = services.create_patent(current_user, form_to_data(request.form, _schema, FIELDS,
                                                                   split=("ipc_codes",)))
    except ValidationFailed as error:
        db.session.rollback()
        return _form_page(None, form_values(request.form), field_errors(error), 422)
    db.session.commit()
    flash(_("专利已登记为草稿。确认无误后请提交审核。"), "success")
    return redirect(url_for("patents.show", record_id=record.id))


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(record_id: int):
    record = get_editable(Patent, record_id, current_user)
    if record.status not in EDITABLE:
        flash(_("待审核的记录不能修改，请先撤回"), "error")
        return redirect(url_for("patents.show", record_id=record.id))
    if request.method == "GET":
        return _form_page(record, {**_values_from_record(record), "version": record.version})
    try:
        services.update_patent(current_user, record, form_to_data(request.form, _schema, FIELDS,
                                                                  split=("ipc_codes",)), version_arg(request.form))
    except Conflict as error:
        db.session.rollback()
        return _form_page(record, form_values(request.form), {}, 409, conflict=error)
    except ValidationFailed as error:
        db.session.rollback()
        return _form_page(record, form_values(request.form), field_errors(error), 422)
    db.session.commit()
    flash(_("修改已保存"), "success")
    return redirect(url_for("patents.show", record_id=record.id))


@bp.route("/<int:record_id>/licence", methods=["GET", "POST"])
@login_required
def licence(record_id: int):
    """Declare (or change) the open licence terms (专利开放许可声明)."""
    record = get_editable(Patent, record_id, current_user)
    if request.method == "GET":
        current = record.open_licence
        values = {name: getattr(current, name) for name in LICENCE_FIELDS} if current else {"term_years": "3"}
        return render_template("patents/licence.html", record=record, form=values, errors={})
    try:
        services.declare_open_licence(current_user, record,
                                      form_to_data(request.form, _licence_schema, LICENCE_FIELDS))
    except ValidationFailed as error:
        db.session.rollback()
        return render_template("patents/licence.html", record=record, form=form_values(request.form),
                               errors=field_errors(error)), 422
    db.session.commit()
    flash(_("开放许可声明已生效"), "success")
    return redirect(url_for("patents.show", record_id=record.id))


@bp.post("/<int:record_id>/licence/withdraw")
@login_required
def withdraw_licence(record_id: int):
    record = get_editable(Patent, record_id, current_user)
    try:
        services.withdraw_open_licence(current_user, record)
    except ValidationFailed as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("patents.show", record_id=record.id))
    db.session.commit()
    flash(_("开放许可声明已撤回"), "success")
    return redirect(url_for("patents.show", record_id=record.id))


@bp.post("/<int:record_id>/<action>")
@login_required
def action(record_id: int, action: str):
    """Owner buttons: submit for review, withdraw, archive, delete a draft."""
    return run_action(Patent, record_id, action, services.delete_patent, "patents.show")
