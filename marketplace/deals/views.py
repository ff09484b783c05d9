"""技术合同 pages: the list (/deals), the public 成交公示 (/deals/public), a contract's page with its registration
actions, payments and rewards, and the staff's form (new, pre-filled from an inquiry, an opportunity or a brokered
contract; edit, with optimistic locking). The services decide; these views parse, call and render."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..permissions import can_record_deals, require
from ..unit_of_work import commit
from ..web.forms import flash_error, version_arg
from ..web.messages import N_
from ..web.pagination import page_arg
from ..workflow.deals import DEAL, REGISTRATION_LABELS
from . import deal_form, editing, payments, prefill, services, vocabularies
from .labels import FIELD_LABELS, PARTY_FIELD_LABELS
from .models import Deal
from .publicity import public_page
from .reading import DEALS, deals_page, event_details, event_label, history

bp = Blueprint("deals", __name__, url_prefix="/deals")

DONE = {"register": N_("已登记"), "refuse": N_("已记录不予登记及原因"), "resubmit": N_("已重新提交登记"),
        "consent": N_("已更新成交公示意见")}


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


# -- lists --------------------------------------------------------------------------------------------------------

@bp.get("")
@login_required
def index():
    """The contracts the user may see: staff all, a member its organisation's; filters and sorts as in the API."""
    args = DEALS.parse_page(request.args)
    page = deals_page(current_user, args, page=page_arg())
    return render_template("deals/index.html", page=page, filters=args.query_string(DEALS), sort=args.sort,
                           statuses=REGISTRATION_LABELS, years=range(date.today().year, date.today().year - 15, -1),
                           can_record=can_record_deals(current_user), v=vocabularies)


@bp.get("/public")
def public():
    """成交公示: contracts both parties agreed to publish, with limited fields (see publicity.py)."""
    field = request.args.get("technical_field")
    field = field if field in vocabularies.CONTRACT_FIELDS else None
    page = public_page(technical_field=field, page=page_arg())
    return render_template("deals/public.html", page=page, filters={"technical_field": field} if field else {},
                           v=vocabularies)


# -- the form -----------------------------------------------------------------------------------------------------

def _render_form(deal: Deal | None, values: dict, *, errors=None, conflict: str | None = None, status: int = 200):
    return render_template("deals/form.html", record=deal, form=values, errors=errors or {}, conflict=conflict,
                           labels=FIELD_LABELS, party_labels=PARTY_FIELD_LABELS, v=vocabularies), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Record a contract (staff). ``?inquiry_id=``, ``?opportunity_id=`` or ``?underlying_id=`` pre-fill it."""
    require(can_record_deals(current_user), services.RECORDERS)
    if request.method == "GET":
        contract, links = prefill.new_contract(current_user, inquiry_id=_int_arg("inquiry_id"),
                                               opportunity_id=_int_arg("opportunity_id"),
                                               underlying_id=_int_arg("underlying_id"))
        return _render_form(None, deal_form.values_of(contract, links))
    contract, links, roles = deal_form.posted(request.form)
    try:
        deal = services.create_deal(current_user, contract, links)
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _render_form(None, deal_form.posted_values(request.form),
                            errors=deal_form.errors_of(error, roles), status=422)
    except Conflict as error:
        db.session.rollback()
        return _render_form(None, deal_form.posted_values(request.form), conflict=error.message, status=409)
    flash(_("合同已录入，待登记"), "success")
    return redirect(url_for("deals.show", record_id=deal.id))


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(record_id: int):
    """Edit the contract (staff, not once registered). The form carries the version it was rendered from: when
    someone saved in between, the save is refused (409) and the form keeps what this user typed."""
    deal = services.get_deal(current_user, record_id)
    DEAL.check(current_user, deal, "edit")
    if request.method == "GET":
        values = deal_form.values_of(editing.contract_data(deal))
        values["version"] = str(deal.version)
        return _render_form(deal, values)
    contract, _links, roles = deal_form.posted(request.form)
    try:
        editing.edit_deal(current_user, deal, contract, version_arg(request.form))
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _render_form(deal, deal_form.posted_values(request.form),
                            errors=deal_form.errors_of(error, roles), status=422)
    except Conflict as error:
        db.session.rollback()
        deal = services.get_deal(current_user, record_id)
        return _render_form(deal, deal_form.posted_values(request.form), conflict=error.message, status=409)
    flash(_("合同已保存"), "success")
    return redirect(url_for("deals.show", record_id=record_id))


# -- one contract -------------------------------------------------------------------------------------------------

def render_show(deal: Deal, *, errors=None, failed: str | None = None, form=None, status: int = 200):
    return render_template(
        "deals/show.html", deal=deal, actions=DEAL.available(current_user, deal), history=history(deal),
        by_year=payments.received_by_year(deal), errors=errors or {}, failed=failed, form=form or {},
        labels=FIELD_LABELS, party_labels=PARTY_FIELD_LABELS, today=date.today().isoformat(),
        event_label=event_label, event_details=event_details, v=vocabularies), status


@bp.get("/<int:record_id>")
@login_required
def show(record_id: int):
    return render_show(services.get_deal(current_user, record_id))


def _done(deal: Deal, message: str, section: str = ""):
    flash(_(message), "success")
    return redirect(url_for("deals.show", record_id=deal.id) + section)


def _failed(record_id: int, error: ValidationFailed, failed: str):
    db.session.rollback()
    deal = services.get_deal(current_user, record_id)
    return render_show(deal, errors=deal_form.errors_of(error), failed=failed, form=request.form, status=422)


def _refused(record_id: int, error: Conflict):
    db.session.rollback()
    flash_error(error)
    return redirect(url_for("deals.show", record_id=record_id))


@bp.post("/<int:record_id>/actions/<action>")
@login_required
def action(record_id: int, action: str):
    """登记 (number and date), 不予登记 (reason), 重新提交, and a party's consent to the 成交公示 (or withdrawal)."""
    deal = services.get_deal(current_user, record_id)
    try:
        editing.perform(current_user, deal, action, request.form.to_dict())
        commit()
    except ValidationFailed as error:
        return _failed(record_id, error, action)
    except Conflict as error:
        return _refused(record_id, error)
    return _done(deal, DONE.get(action, N_("已完成")))


@bp.post("/<int:record_id>/payments")
@login_required
def add_payment(record_id: int):
    deal = services.get_deal(current_user, record_id)
    try:
        payments.add_payment(current_user, deal, request.form.to_dict())
        commit()
    except ValidationFailed as error:
        return _failed(record_id, error, "payment")
    except Conflict as error:
        return _refused(record_id, error)
    return _done(deal, N_("已登记到账"), "#payments")


@bp.post("/<int:record_id>/payments/<int:payment_id>/delete")
@login_required
def delete_payment(record_id: int, payment_id: int):
    deal = services.get_deal(current_user, record_id)
    payments.delete_payment(current_user, deal, payment_id)
    commit()
    return _done(deal, N_("已删除到账记录"), "#payments")


@bp.post("/<int:record_id>/rewards")
@login_required
def add_reward(record_id: int):
    deal = services.get_deal(current_user, record_id)
    try:
        payments.add_reward(current_user, deal, request.form.to_dict())
        commit()
    except ValidationFailed as error:
        return _failed(record_id, error, "reward")
    except Conflict as error:
        return _refused(record_id, error)
    return _done(deal, N_("已登记个人奖励"), "#rewards")


@bp.post("/<int:record_id>/rewards/<int:reward_id>/delete")
@login_required
def delete_reward(record_id: int, reward_id: int):
    deal = services.get_deal(current_user, record_id)
    payments.delete_reward(current_user, deal, reward_id)
    commit()
    return _done(deal, N_("已删除个人奖励记录"), "#rewards")

