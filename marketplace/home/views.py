"""Home page and the workspace (我的工作台)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request, send_from_directory
from flask_login import current_user, login_required
from sqlalchemy.orm import defer

from .. import kinds
from ..achievements.models import Achievement
from ..achievements.services import quality_progress
from ..demands.models import Demand
from ..extensions import db
from ..patents.models import Patent
from ..taxonomy import LISTING_STATUSES
from ..reading import latest_published, published_count
from ..web.pagination import paginate_ids

bp = Blueprint("home", __name__)

WORKSPACE_KINDS = {kind.collection: kind.model for kind in kinds.LISTING_KINDS.values()}


@bp.get("/")
def index():
    """Counts, the newest published achievements and demands, and this year's quality-list progress."""
    counts = {
        "achievements": published_count(Achievement),
        "patents": published_count(Patent),
        "demands": published_count(Demand),
    }
    progress = quality_progress(date.today().year, current_app.config["QUALITY_TARGET_PER_YEAR"])
    return render_template("home/home.html", counts=counts, progress=progress,
                           achievements=latest_published(Achievement), demands=latest_published(Demand))


@bp.get("/favicon.ico")
def favicon():
    """The site icon where browsers look for it by default (pages without an icon link: the API's documents, files);
    the same picture as static/favicon.svg, which the pages link to."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.get("/workspace")
@login_required
def workspace():
    """The organisation's own records in every status, with reject reasons, newest change first."""
    kind = request.args.get("tab") if request.args.get("tab") in WORKSPACE_KINDS else "achievements"
    status = request.args.get("status") if request.args.get("status") in LISTING_STATUSES else None
    model = WORKSPACE_KINDS[kind]
    org_id = current_user.org_id
    if org_id is None:
        return render_template("home/workspace.html", kind=kind, status=status, page=None, tallies={})
    conditions = [model.org_id == org_id]
    if status:
        conditions.append(model.status == status)
    options = [defer(Achievement.description)] if model is Achievement else []
    page = paginate_ids(model, conditions, [model.updated_at.desc(), model.id.desc()], options=options)
    tallies = dict(db.session.execute(
        db.select(model.status, db.func.count()).where(model.org_id == org_id).group_by(model.status)).all())
    return render_template("home/workspace.html", kind=kind, status=status, page=page, tallies=tallies)
