"""Patent pages: browse (with the open-licence filter), detail, forms, and open licence declare/withdraw."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import kinds, listing_edits
from ..errors import ValidationFailed
from ..extensions import db
from ..permissions import owns
from ..records import get_visible
from ..web import listing_pages
from ..web.listing_pages import ListingForm
from ..web.messages import N_
from ..web.pagination import page_arg
from ..web.forms import field_errors, flash_error, form_to_data, form_values
from . import services
from .models import Patent
from .reading import PATENTS, page_options
from .schemas import OpenLicenceInput, PatentInput

bp = Blueprint("patents", __name__, url_prefix="/patents")

LICENCE_FIELDS = ("fee_terms", "annual_fee", "term_years", "scope")
_licence_schema = OpenLicenceInput()


def _values(record: Patent, values: dict) -> dict:
    values["ipc_codes"] = "、".join(values["ipc_codes"] or [])
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
                           patentee=owns(current_user, record))




@bp.route("/<int:record_id>/licence", methods=["GET", "POST"])
@login_required
def licence(record_id: int):
    """Declare (or change) the open licence terms (专利开放许可声明)."""
    record = get_visible(Patent, record_id, current_user)
    services.require_patentee(current_user, record)
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


listing_pages.register_routes(bp, FORM)
