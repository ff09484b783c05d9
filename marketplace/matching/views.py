"""Matching pages: a demand's matches (with the broker's pin / dismiss / recommend buttons), an achievement's
matching demands, and the "similar achievements" include for detail pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..achievements.models import Achievement
from ..demands.models import Demand
from ..errors import DomainError
from ..extensions import db
from ..web.messages import N_
from . import services
from .ranking import MatchingUnavailable

bp = Blueprint("matching", __name__)

PAGE_SIZE = 20
ACTIONS = {"pin": "pinned", "dismiss": "dismissed", "reset": "none"}


@bp.app_template_global("similar_achievements")
def similar_achievements(record, size: int = 5) -> list:
    """Template helper behind ``matching/_similar.html``."""
    if record is None or getattr(record, "status", None) != "published":
        return []
    return services.similar_achievements(record, size)


@bp.get("/demands/<int:record_id>/matches")
@login_required
def demand_matches(record_id: int):
    demand = services.visible_listing(Demand, record_id, current_user)
    kind = request.args.get("kind", "achievement")
    if kind not in ("achievement", "patent"):
        kind = "achievement"
    show_dismissed = current_user.is_broker and request.args.get("dismissed") == "1"
    unavailable = False
    try:
        candidates = services.matches_for_demand(demand, kind=kind, size=PAGE_SIZE, show_dismissed=show_dismissed)
    except MatchingUnavailable:
        candidates, unavailable = [], True
    strong, weak = services.split_weak(candidates)
    return render_template("matching/demand_matches.html", demand=demand, kind=kind, candidates=candidates,
                           strong=strong, weak=weak, show_dismissed=show_dismissed, unavailable=unavailable)


@bp.get("/achievements/<int:record_id>/matches")
@login_required
def achievement_matches(record_id: int):
    achievement = services.visible_listing(Achievement, record_id, current_user)
    unavailable = False
    try:
        candidates = services.demands_for_achievement(achievement, size=PAGE_SIZE)
    except MatchingUnavailable:
        candidates, unavailable = [], True
    strong, weak = services.split_weak(candidates)
    return render_template("matching/achievement_matches.html", achievement=achievement, candidates=candidates,
                           strong=strong, weak=weak, unavailable=unavailable)


@bp.post("/demands/<int:record_id>/matches/<any(achievement, patent):kind>/<int:target_id>/<action>")
@login_required
def curate(record_id: int, kind: str, target_id: int, action: str):
    demand = services.visible_listing(Demand, record_id, current_user)
    back = url_for(".demand_matches", record_id=demand.id, kind=kind)
    try:
        if action == "recommend":
            open_lead = request.form.get("open_lead") == "1"
            services.recommend(current_user, demand, kind, target_id, request.form.get("note"), open_lead=open_lead)
            message = N_("已推荐给供需双方，双方机构成员会收到站内通知")
            if open_lead:
                message = N_("已推荐给供需双方，并在商机看板上建立了线索")
        elif action in ACTIONS:
            services.set_curation(current_user, demand, kind, target_id, ACTIONS[action])
            message = {"pin": N_("已置顶"), "dismiss": N_("已忽略，该结果不再显示"), "reset": N_("已恢复默认排序")}[action]
        else:
            return redirect(back)
        db.session.commit()
        flash(message, "success")
    except DomainError as error:
        if error.status in (403, 404):
            raise
        db.session.rollback()
        flash(error.message, "error")
    return redirect(back)
