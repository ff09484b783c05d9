"""Licence pages: taking an open licence in one step (the confirmation page), the licences my organisation holds or
granted (staff: all), one licence, and 终止许可. Every rule is in :mod:`marketplace.deals.licensing`."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import Conflict, PermissionDenied, ValidationFailed
from ..extensions import db
from ..patents.models import Patent
from ..records import get_visible
from ..unit_of_work import commit
from ..web.forms import field_errors, flash_error, form_values
from ..web.pagination import page_arg
from ..pagination import paginate_select
from ..workflow.deals import LICENCE, LICENCE_LABELS
from . import licensing
from .licence_schemas import LICENCE_SCOPES
from .vocabularies import CONTRACT_FIELDS

bp = Blueprint("licences", __name__)

TAKE_FIELDS = ("starts_on", "term_years", "confirm", "credit_code", "terms")


def _render_take(patent: Patent, offer: dict, form: dict, errors: dict, status: int = 200):
    return render_template("licences/take.html", record=patent, offer=offer, form=form, errors=errors,
                           contract_fields=CONTRACT_FIELDS), status


@bp.route("/patents/<int:patent_id>/take-licence", methods=["GET", "POST"])
@login_required
def take(patent_id: int):
    """取得许可: the confirmation page (announced terms, licensee, start and term) and its POST."""
    patent = get_visible(Patent, patent_id, current_user)
    try:
        offer = licensing.take_offer(current_user, patent)
    except (Conflict, PermissionDenied) as error:
        flash_error(error)
        return redirect(url_for("patents.show", record_id=patent.id))
    if request.method == "GET":
        form = {"starts_on": offer["starts_on"].isoformat(), "term_years": offer["term_years"],
                "terms": offer["terms"]}
        return _render_take(patent, offer, form, {})
    data = {name: request.form.get(name) or None for name in TAKE_FIELDS}
    try:
        licence = licensing.take_licence(current_user, patent, data)
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _render_take(patent, licensing.take_offer(current_user, patent), form_values(request.form),
                            field_errors(error), 422)
    except (Conflict, PermissionDenied) as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("patents.show", record_id=patent_id))
    flash(_("已取得许可。许可记录和技术许可合同已生成，专利权人已收到通知。"), "success")
    return redirect(url_for("licences.show", record_id=licence.id))


@bp.get("/licences")
@login_required
def index():
    """Licences my organisation holds or granted; staff see all."""
    page = paginate_select(licensing.visible_licences(current_user), page=page_arg())
    return render_template("licences/index.html", page=page, labels=LICENCE_LABELS, scopes=LICENCE_SCOPES)


@bp.get("/licences/<int:record_id>")
@login_required
def show(record_id: int):
    licence = licensing.get_licence(current_user, record_id)
    return render_template("licences/show.html", licence=licence, labels=LICENCE_LABELS, scopes=LICENCE_SCOPES,
                           actions=LICENCE.available(current_user, licence),
                           in_force=licensing.is_in_force(licence))


@bp.post("/licences/<int:record_id>/end")
@login_required
def end(record_id: int):
    """终止许可 (the patentee or staff)."""
    licence = licensing.get_licence(current_user, record_id)
    try:
        licensing.end_licence(current_user, licence)
        commit()
    except (Conflict, PermissionDenied, ValidationFailed) as error:
        db.session.rollback()
        flash_error(error)
    else:
        flash(_("许可已终止"), "success")
    return redirect(url_for("licences.show", record_id=record_id))
