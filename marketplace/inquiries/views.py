"""Inquiry pages: my inquiries (/inquiries), 发起洽谈 (/inquiries/new?kind=achievement&id=5) and the private thread
(/inquiries/<id>) with its message form and buttons. Everyone outside the thread gets 404; the services decide."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import kinds
from ..attachments.views import PAGES as ATTACHMENT_PAGES
from ..deals.vocabularies import INQUIRY_DECLINE_REASONS
from ..errors import Conflict, DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..listing_edits import check_version
from ..taxonomy import TRANSFER_MODES
from ..unit_of_work import commit
from ..web.forms import field_errors, flash_error, form_values, version_arg
from ..web.messages import N_
from ..web.pagination import page_arg
from ..workflow.deals import INQUIRY, INQUIRY_LABELS
from . import services
from .limits import message_limit, send_limit
from .models import SUBJECT_KINDS, Inquiry
from .overdue import is_overdue, overdue_days
from .reading import INQUIRIES, read_inquiries
from .schemas import MAX_MESSAGE, side_of

bp = Blueprint("inquiries", __name__, url_prefix="/inquiries")

BOX_LABELS = {"all": N_("全部"), "sent": N_("我方发起"), "received": N_("我方收到"), "brokered": N_("我负责的")}
DONE = {"decline": N_("已婉拒，对方会看到婉拒原因"), "close": N_("洽谈已结束")}


# -- my inquiries ---------------------------------------------------------------------------------------------------

@bp.get("")
@login_required
def index():
    args = INQUIRIES.parse_page(request.args)
    box = request.args.get("box", "all")
    box = box if box in services.BOXES else "all"
    page = read_inquiries(current_user, args, box, page=page_arg())
    return render_template("inquiries/index.html", page=page, filters=args.filters, sort=args.sort, box=box,
                           boxes=BOX_LABELS, states=INQUIRY_LABELS, kinds=kinds, is_overdue=is_overdue,
                           is_broker=bool(current_user.is_broker))


# -- 发起洽谈 -------------------------------------------------------------------------------------------------------

def _subject_from_args():
    kind = request.values.get("kind", "")
    raw_id = request.values.get("id", "")
    if kind not in SUBJECT_KINDS or not raw_id.isdigit() or len(raw_id) > 9:
        raise NotFound()
    return kind, services.subject_of(kind, int(raw_id))


def _render_new(kind: str, subject, *, form=None, errors=None, status: int = 200):
    existing = services.open_inquiry_about(current_user.org_id, kind, subject.id)
    return render_template("inquiries/new.html", kind=kinds.get(kind), subject=subject, existing=existing,
                           form=form or {"cooperation_mode": _default_mode(subject)}, errors=errors or {},
                           modes=TRANSFER_MODES, max_message=MAX_MESSAGE), status


def _default_mode(subject) -> str:
    """The listing's first stated cooperation mode, if it states any."""
    modes = getattr(subject, "transfer_modes", None) or getattr(subject, "cooperation_modes", None) or []
    return modes[0] if modes else ""


@bp.route("/new", methods=["GET", "POST"])
@login_required
@send_limit
def new():
    kind, subject = _subject_from_args()
    if request.method == "GET":
        return _render_new(kind, subject)
    data = {name: (request.form.get(name) or "").strip() or None
            for name in ("message", "cooperation_mode", "budget")}
    data.update(subject_kind=kind, subject_id=subject.id)
    files = [(file.stream, file.filename) for file in request.files.getlist("file") if file and file.filename]
    try:
        inquiry = services.send_inquiry(current_user, data, files)
        commit()
    except services.DuplicateInquiry as error:
        db.session.rollback()
        flash(error.message, "error")  # the base layout translates flashed messages
        return redirect(url_for("inquiries.show", record_id=error.existing_id))
    except NotFound:
        raise
    except DomainError as error:  # invalid input (422), the own organisation's listing (403)
        db.session.rollback()
        return _render_new(kind, subject, form=form_values(request.form), errors=field_errors(error),
                           status=error.status)
    flash(_("洽谈已发出，对方回复时您会收到通知"), "success")
    return redirect(url_for("inquiries.show", record_id=inquiry.id))


# -- the thread -----------------------------------------------------------------------------------------------------

def render_thread(inquiry: Inquiry, *, form=None, errors=None, status: int = 200):
    subject = services.subject_record(inquiry)
    kind = kinds.get(inquiry.subject_kind)
    subject_visible = subject is not None and kind.can_see(current_user, subject)
    return render_template(
        "inquiries/show.html", inquiry=inquiry, kind=kind, subject=subject if subject_visible else None,
        actions=INQUIRY.available(current_user, inquiry), form=form or {}, errors=errors or {},
        reasons=INQUIRY_DECLINE_REASONS, modes=TRANSFER_MODES, states=INQUIRY_LABELS,
        overdue=is_overdue(inquiry), overdue_days=overdue_days(), max_message=MAX_MESSAGE,
        side_of=side_of, can_attach=kinds.INQUIRY.can_attach(current_user, inquiry)), status


ATTACHMENT_PAGES["inquiry"] = render_thread  # the thread again after a refused upload


def _thread_again(record_id: int, *, status: int, errors=None):
    """After a refused change: roll it back and show the thread again, read afresh, with the form as it was sent."""
    db.session.rollback()
    return render_thread(services.get_inquiry(current_user, record_id), form=form_values(request.form),
                         errors=errors, status=status)


@bp.get("/<int:record_id>")
def show(record_id: int):
    return render_thread(services.get_inquiry(current_user, record_id))


@bp.post("/<int:record_id>/messages")
@message_limit
def post_message(record_id: int):
    inquiry = services.get_inquiry(current_user, record_id)
    answer = True if request.form.get("intent") == "answer" else None
    try:
        services.post_message(current_user, inquiry, request.form.get("body"), answer=answer)
        commit()
    except ValidationFailed as error:
        return _thread_again(record_id, errors=field_errors(error), status=422)
    except Conflict as error:
        flash_error(error)
        return _thread_again(record_id, status=409)
    flash(_("消息已发送"), "success")
    return redirect(url_for("inquiries.show", record_id=record_id) + "#messages")


@bp.post("/<int:record_id>/actions/<name>")
def action(record_id: int, name: str):
    inquiry = services.get_inquiry(current_user, record_id)
    if name not in DONE:
        raise NotFound()
    try:
        check_version(inquiry, version_arg(request.form))
        services.apply_action(current_user, inquiry, name, {"reason_code": request.form.get("reason_code") or None,
                                                            "note": request.form.get("note")})
        commit()
    except ValidationFailed as error:
        return _thread_again(record_id, errors=field_errors(error), status=422)
    except Conflict as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("inquiries.show", record_id=record_id))
    flash(_(DONE[name]), "success")
    return redirect(url_for("inquiries.show", record_id=record_id))
