"""Broker pipeline pages (商机看板): the board by stage, an opportunity's page with its stage buttons and edit form,
the hand-entry form, and turning an inquiry into an opportunity. Staff only (404 for anyone else); the services
decide."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import Organization
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..inquiries.models import Inquiry
from ..permissions import can_see_opportunity
from ..taxonomy import label
from ..unit_of_work import commit
from ..web.forms import field_errors, flash_error, version_arg
from ..web.messages import N_
from ..workflow.deals import DEAL, OPPORTUNITY, OPPORTUNITY_LABELS
from . import opportunity_hooks  # noqa: F401  (connects the automatic sources)
from . import pipeline
from .opportunities import create_opportunity, for_inquiry, from_inquiry
from .opportunity_input import SCOPES
from .vocabularies import OPPORTUNITY_SOURCES

bp = Blueprint("opportunities", __name__, url_prefix="/opportunities")

DONE = {
    "negotiate": N_("已进入洽谈"), "sign": N_("已标记为签约"), "register": N_("已标记为合同已登记"),
    "perform": N_("已进入履约"), "win": N_("已成交结案"), "lose": N_("已按未成交结案"), "take": N_("已认领，该商机归属于您"),
}
SCOPE_LABELS = {"mine": N_("归属我的"), "unassigned": N_("未归属的线索"), "all": N_("全部")}
FIELDS = ("title", "expected_amount", "notes", "seller_org_id", "buyer_org_id", "broker_id")


def _staff() -> None:
    if not can_see_opportunity(current_user):
        raise NotFound()


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.app_template_global("opportunity_for_inquiry")
def opportunity_for_inquiry(inquiry):
    """The opportunity opened from ``inquiry`` (for the inquiry page's broker panel), or None."""
    return for_inquiry(inquiry)


@bp.app_template_global("opportunity_stage_label")
def opportunity_stage_label(stage) -> str:
    return label(OPPORTUNITY_LABELS, str(stage))


def _agencies() -> list[Organization]:
    return list(db.session.execute(db.select(Organization).where(Organization.org_type == "broker_agency")
                                   .order_by(Organization.name)).scalars())


@bp.get("")
@login_required
def board():
    _staff()
    scope = request.args.get("scope", "mine")
    scope = scope if scope in SCOPES else "mine"
    source = request.args.get("source") if request.args.get("source") in OPPORTUNITY_SOURCES else None
    filters = {"scope": scope, "broker_id": _int_arg("broker_id"), "agency_id": _int_arg("agency_id"),
               "source": source}
    columns = pipeline.board(current_user, **filters)
    return render_template("opportunities/board.html", columns=columns, filters=filters, scopes=SCOPE_LABELS,
                           stage_labels=OPPORTUNITY_LABELS, sources=OPPORTUNITY_SOURCES,
                           brokers=pipeline.brokers(), agencies=_agencies(), lifecycle=OPPORTUNITY)


def _form_values(opportunity) -> dict:
    return {"title": opportunity.title, "notes": opportunity.notes or "", "version": opportunity.version,
            "expected_amount": "" if opportunity.expected_amount is None else f"{opportunity.expected_amount:f}",
            "broker_id": opportunity.broker_id or ""}


def _show(opportunity, *, form=None, errors=None, status: int = 200):
    return render_template("opportunities/show.html", record=opportunity, lifecycle=OPPORTUNITY,
                           actions=pipeline.actions(current_user, opportunity), form=form or _form_values(opportunity),
                           errors=errors or {}, sources=OPPORTUNITY_SOURCES, stage_labels=OPPORTUNITY_LABELS,
                           broker_options=[(b.id, b.name) for b in pipeline.brokers()],
                           registration_label=DEAL.state_label), status


@bp.get("/<int:record_id>")
@login_required
def show(record_id: int):
    return _show(pipeline.get_opportunity(current_user, record_id))


@bp.post("/<int:record_id>/edit")
@login_required
def edit(record_id: int):
    opportunity = pipeline.get_opportunity(current_user, record_id)
    data = {name: request.form.get(name, "").strip() or None for name in ("title", "expected_amount", "notes")}
    if "broker_id" in request.form and current_user.is_admin:
        value = request.form.get("broker_id", "")
        data["broker_id"] = int(value) if value.isdigit() and len(value) < 10 else None
    try:
        pipeline.edit(current_user, opportunity, data, expected_version=version_arg(request.form))
        commit()
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        invalid = isinstance(error, ValidationFailed)  # a field's message (422), else a stale version (409)
        return _show(pipeline.get_opportunity(current_user, record_id), form=dict(request.form),
                     errors=field_errors(error) if invalid else {"_form": [_(error.message)]},
                     status=422 if invalid else 409)
    flash(_("已保存"), "success")
    return redirect(url_for(".show", record_id=record_id))


@bp.post("/<int:record_id>/<any(negotiate, sign, register, perform, win, lose, take):action>")
@login_required
def act(record_id: int, action: str):
    opportunity = pipeline.get_opportunity(current_user, record_id)
    version = version_arg(request.form)
    try:
        if action == "take":
            pipeline.take(current_user, opportunity, expected_version=version)
        else:
            pipeline.move(current_user, opportunity, action, reason=request.form.get("reason"),
                          expected_version=version)
        commit()
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for(".show", record_id=record_id))
    flash(_(DONE[action]), "success")
    return redirect(url_for(".show", record_id=record_id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    _staff()
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        data = {name: request.form.get(name, "").strip() or None for name in FIELDS}
        for name in ("seller_org_id", "buyer_org_id", "broker_id"):
            data[name] = int(data[name]) if data[name] and data[name].isdigit() and len(data[name]) < 10 else None
        try:
            opportunity = create_opportunity(current_user, data)
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            form, errors, status = dict(request.form), field_errors(error), 422
        else:
            flash(_("商机已建立"), "success")
            return redirect(url_for(".show", record_id=opportunity.id))
    organizations = db.session.execute(db.select(Organization).order_by(Organization.name)).scalars().all()
    return render_template("opportunities/new.html", form=form, errors=errors, organizations=organizations,
                           brokers=pipeline.brokers(), org_choices=_choices), status


def _choices(records) -> list[tuple[int, str]]:
    return [(record.id, record.name) for record in records]


@bp.post("/from-inquiry/<int:inquiry_id>", endpoint="from_inquiry")
@login_required
def from_inquiry_view(inquiry_id: int):
    _staff()
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise NotFound()
    existing = for_inquiry(inquiry)
    opportunity = from_inquiry(current_user, inquiry)
    commit()
    if existing is None or existing.id != opportunity.id:
        flash(_("已转为商机"), "success")
    return redirect(url_for(".show", record_id=opportunity.id))
