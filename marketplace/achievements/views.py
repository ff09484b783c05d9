"""Achievement pages: browse, detail, create/edit forms and the owner's lifecycle buttons."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import can_edit, get_editable, get_visible
from ..errors import Conflict, PermissionDenied, ValidationFailed
from ..extensions import db
from ..listings import EDITABLE
from ..browse import ACHIEVEMENT_SORTS, achievement_filters, browse_achievements
from ..web.forms import field_errors, form_to_data, form_values, version_arg
from ..web.actions import run_action
from ..matching.services import can_view_matches
from ..patents.models import Patent
from . import services
from .models import Achievement
from .schemas import AchievementInput

bp = Blueprint("achievements", __name__, url_prefix="/achievements")

FIELDS = ("title", "summary", "description", "keywords", "technical_field", "discipline", "industries", "trl",
          "ip_type", "transfer_modes", "price_amount", "benefits", "team", "region", "contact", "patent_ids")
MULTI = ("industries", "transfer_modes")
_schema = AchievementInput()


def _data_from_form() -> dict:
    data = form_to_data(request.form, _schema, FIELDS, multi=MULTI, split=("keywords",), ints=("patent_ids",))
    if request.form.get("negotiable"):
        data["price_amount"] = None
    return data


def _values_from_record(record: Achievement) -> dict:
    values = {name: getattr(record, name) for name in FIELDS if name != "patent_ids"}
    values["keywords"] = "、".join(record.keywords or [])
    values["trl"] = str(record.trl) if record.trl else ""
    values["price_amount"] = "" if record.price_amount is None else f"{record.price_amount:f}".rstrip("0").rstrip(".")
    values["negotiable"] = record.price_amount is None
    values["patent_ids"] = [str(p.id) for p in record.patents]
    return values


def _org_patents() -> list[Patent]:
    if current_user.org_id is None:
        return []
    return list(db.session.execute(db.select(Patent).where(Patent.org_id == current_user.org_id)
                                   .order_by(Patent.number).limit(500)).scalars())


def _form_page(record, values, errors=None, status=200, conflict=None):
    return render_template("achievements/form.html", record=record, form=values, errors=errors or {},
                           patents=_org_patents(), conflict=conflict), status


@bp.get("")
def index():
    """Published achievements with filters, sorting and page links."""
    filters = achievement_filters()
    sort = request.args.get("sort") if request.args.get("sort") in ACHIEVEMENT_SORTS else "newest"
    return render_template("achievements/index.html", page=browse_achievements(filters, sort),
                           filters=filters, sort=sort)


@bp.get("/<int:record_id>")
def show(record_id: int):
    """One achievement; not-yet-published ones only for their organisation and reviewers (404 otherwise)."""
    record = get_visible(Achievement, record_id, current_user)
    return render_template("achievements/show.html", record=record, editable=can_edit(current_user, record),
                           can_view_matches=can_view_matches(current_user, record))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Create a draft achievement for the user's organisation."""
    if current_user.org_id is None:
        raise PermissionDenied("请先加入一个机构再发布成果")
    if request.method == "GET":
        region = current_user.organization.region if current_user.organization else ""
        return _form_page(None, {"region": region, "negotiable": True})
    try:
        record = services.create_achievement(current_user, _data_from_form())
    except ValidationFailed as error:
        db.session.rollback()
        return _form_page(None, form_values(request.form, MULTI + ("patent_ids",)), field_errors(error), 422)
    db.session.commit()
    flash(_("草稿已保存。确认无误后请提交审核。"), "success")
    return redirect(url_for("achievements.show", record_id=record.id))


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(record_id: int):
    """Edit an achievement; the hidden version field turns a concurrent edit into a 409 instead of a lost update."""
    record = get_editable(Achievement, record_id, current_user)
    if record.status not in EDITABLE:
        flash(_("待审核的记录不能修改，请先撤回"), "error")
        return redirect(url_for("achievements.show", record_id=record.id))
    if request.method == "GET":
        return _form_page(record, {**_values_from_record(record), "version": record.version})
    try:
        services.update_achievement(current_user, record, _data_from_form(), version_arg(request.form))
    except Conflict as error:
        db.session.rollback()
        return _form_page(record, form_values(request.form, MULTI + ("patent_ids",)), {}, 409, conflict=error)
    except ValidationFailed as error:
        db.session.rollback()
        return _form_page(record, form_values(request.form, MULTI + ("patent_ids",)), field_errors(error), 422)
    db.session.commit()
    flash(_("修改已保存"), "success")
    return redirect(url_for("achievements.show", record_id=record.id))


@bp.post("/<int:record_id>/<action>")
@login_required
def action(record_id: int, action: str):
    """Owner buttons: submit for review, withdraw, archive, delete a draft."""
    return run_action(Achievement, record_id, action, services.delete_achievement, "achievements.show")
