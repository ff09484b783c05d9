"""The review queue for brokers and admins: publish, or reject with a reason."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import get_visible
from ..achievements.models import Achievement
from ..demands.models import Demand
from ..errors import PermissionDenied, ValidationFailed
from ..extensions import db
from ..web.forms import flash_error
from ..web.pagination import Page, page_arg
from ..patents.models import Patent
from . import services

bp = Blueprint("review", __name__, url_prefix="/review")

MODELS = {"achievement": Achievement, "patent": Patent, "demand": Demand}
DETAIL_ENDPOINTS = {"achievement": "achievements.show", "patent": "patents.show", "demand": "demands.show"}


def _require_reviewer() -> None:
    if not current_user.is_broker:
        raise PermissionDenied("只有技术经纪人或平台管理员可以审核")


@bp.get("")
@login_required
def queue():
    """Submitted records, oldest first, with a count per kind."""
    _require_reviewer()
    kind = request.args.get("kind") if request.args.get("kind") in MODELS else None
    page_number = page_arg()
    items, total = services.review_queue(kind, page=page_number)
    page = Page(items=[(item.__tablename__[:-1], item) for item in items], total=total, page=page_number)
    return render_template("review/queue.html", page=page, kind=kind, counts=services.queue_counts(),
                           detail_endpoints=DETAIL_ENDPOINTS)


def _back(kind: str, record_id: int):
    target = request.form.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(DETAIL_ENDPOINTS[kind], record_id=record_id))


@bp.post("/<kind>/<int:record_id>/<action>")
@login_required
def decide(kind: str, record_id: int, action: str):
    """Publish, or reject with a reason (shown to the submitter in their workspace)."""
    if kind not in MODELS or action not in ("publish", "reject"):
        abort(404)
    _require_reviewer()
    record = get_visible(MODELS[kind], record_id, current_user)
    try:
        if action == "publish":
            services.publish(current_user, record)
        else:
            services.reject(current_user, record, request.form.get("reason", ""))
    except ValidationFailed as error:
        db.session.rollback()
        flash_error(error)
        return _back(kind, record_id)
    db.session.commit()
    flash(_("已发布") if action == "publish" else _("已退回，提交方会看到退回原因"), "success")
    return _back(kind, record_id)
