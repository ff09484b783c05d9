"""Patent pages: browse (with the open-licence filter), detail, forms, and open licence declare/withdraw."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import kinds, listing_edits
from ..deals import licensing
from ..deals.licence_schemas import LICENCE_SCOPES
from ..errors import ValidationFailed
from ..extensions import db
from ..unit_of_work import commit
from ..workflow.deals import LICENCE_LABELS
from ..permissions import owns
from ..records import get_visible
from ..web import listing_pages
from ..web.context import list_separator
from ..web.listing_pages import ListingForm
from ..web.messages import N_
from ..web.pagination import page_arg
from ..web.forms import field_errors, flash_error, form_to_data, form_values, translate_message
from . import services
from .models import Patent
from .reading import PATENTS, page_options
from .schemas import LicenceObstaclesInput, OpenLicenceInput, PatentInput

bp = Blueprint("patents", __name__, url_prefix="/patents")

LICENCE_FIELDS = ("fee_terms", "annual_fee", "term_years", "scope")
OBSTACLE_FIELDS = tuple(LicenceObstaclesInput().fields)
RECORD_FIELDS = ("scope", "licensee_name", "starts_on", "term_years", "fee_terms", "annual_fee")
_licence_schema = OpenLicenceInput()


def _values(record: Patent, values: dict) -> dict:
    values["ipc_codes"] = list_separator().join(values["ipc_codes"] or [])
    for name in ("filing_date", "grant_date", "expiry_date"):
        values[name] = values[name].isoformat() if values[name] else ""
    return values


def _new_values(user) -> dict:
    org = user.organization
    return {"region": org.region if org else "", "applicant": org.name if org else "", "legal_status": "granted",
            "patent_type": "invention_patent"}


FORM = ListingForm(
    kinds.PATENT, "patents/form.html", services.create_patent, services.update_patent, PatentInput(),
    ("number", "title", "abstract", "patent_type", "ipc_codes", "applicant", "legal_status", "filing_date",
     "grant_date", "expiry_date", "region"),
    split=("ipc_codes",), created_message=N_("专利已登记为草稿。确认无误后请提交审核。"),
    no_org_message=N_("请先加入一个机构再登记专利"), to_values=_values, new_values=_new_values)


@bp.get("")
def index():
    """Published patents; filter by type, legal status, region and whether an open licence is declared."""
    args = PATENTS.parse_page(request.args)
    page = PATENTS.public_page(args, page=page_arg(), options=page_options())
    return render_template("patents/index.html", page=page, filters=args.query_string(PATENTS), sort=args.sort)


@bp.get("/<int:record_id>")
def show(record_id: int):
    record = get_visible(Patent, record_id, current_user)
    return render_template("patents/show.html", record=record, kind=kinds.PATENT,
                           actions=listing_edits.actions(current_user, record),
                           patentee=owns(current_user, record),
                           held_licence=licensing.held_licence(getattr(current_user, "org_id", None), record)
                           if record.has_open_licence else None)


def render_licence_page(record: Patent, *, form=None, errors=None, record_form=None, record_errors=None,
                        status: int = 200):
    """The patentee's licence page: the declaration form, what stands in its way (editable), the licences granted
    and a form to record one granted outside the platform."""
    if form is None:
        current = record.open_licence
        form = {name: getattr(current, name) for name in LICENCE_FIELDS} if current else {"term_years": "3"}
    flags = {name: getattr(record, name) for name in OBSTACLE_FIELDS}
    obstacles = [translate_message(message) for message in services.open_licence_obstacles(record)]
    return render_template("patents/licence.html", record=record, form=form, errors=errors or {}, flags=flags,
                           obstacles=obstacles, licences=licensing.licences_of(record),
                           record_form=record_form or {"scope": "ordinary"}, record_errors=record_errors or {},
                           scopes=LICENCE_SCOPES, licence_labels=LICENCE_LABELS,
                           needs_credit_code=not (record.organization and record.organization.credit_code)), status


@bp.route("/<int:record_id>/licence", methods=["GET", "POST"])
@login_required
def licence(record_id: int):
    """Declare (or change) the open licence terms (专利开放许可声明)."""
    record = get_visible(Patent, record_id, current_user)
    services.require_patentee(current_user, record)
    if request.method == "GET":
        return render_licence_page(record)
    try:
        if (request.form.get("credit_code") or "").strip():  # the patentee completes its profile here
            licensing.complete_credit_code(current_user, record.organization, request.form["credit_code"])
        services.declare_open_licence(current_user, record,
                                      form_to_data(request.form, _licence_schema, LICENCE_FIELDS))
    except ValidationFailed as error:
        db.session.rollback()
        return render_licence_page(record, form=form_values(request.form), errors=field_errors(error), status=422)
    db.session.commit()
    flash(_("开放许可声明已生效"), "success")
    return redirect(url_for("patents.show", record_id=record.id))


@bp.post("/<int:record_id>/licence/withdraw")
@login_required
def withdraw_licence(record_id: int):
    record = get_visible(Patent, record_id, current_user)
    try:
        services.withdraw_open_licence(current_user, record)
    except ValidationFailed as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("patents.show", record_id=record.id))
    db.session.commit()
    flash(_("开放许可声明已撤回"), "success")
    return redirect(url_for("patents.show", record_id=record.id))


@bp.post("/<int:record_id>/licence/obstacles")
@login_required
def licence_obstacles(record_id: int):
    """The patentee updates 质押 / 质权人同意 / 年费欠缴 / 权属纠纷或保全."""
    record = get_visible(Patent, record_id, current_user)
    data = {name: request.form.get(name) == "yes" for name in OBSTACLE_FIELDS}
    services.set_licence_obstacles(current_user, record, data)
    commit()
    flash(_("专利的质押、年费和权属情况已更新"), "success")
    return redirect(url_for("patents.licence", record_id=record.id))


@bp.post("/<int:record_id>/licence/record")
@login_required
def record_licence(record_id: int):
    """Record a licence the patentee granted outside the platform (普通 / 排他 / 独占)."""
    record = get_visible(Patent, record_id, current_user)
    data = {name: (request.form.get(name) or "").strip() or None for name in RECORD_FIELDS}
    try:
        licensing.record_licence(current_user, record, data)
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return render_licence_page(record, record_form=form_values(request.form),
                                   record_errors=field_errors(error), status=422)
    flash(_("许可已登记"), "success")
    return redirect(url_for("patents.licence", record_id=record.id))


listing_pages.register_routes(bp, FORM)
