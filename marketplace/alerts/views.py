"""Alert pages: notifications (with the unread badge helper), subscriptions, following a demand."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..demands.models import Demand
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..search_pages.facets import PAGES
from ..web.messages import N_
from . import services
from .models import DEMAND, Subscription
from .saved_searches import SEARCH_KINDS, describe

SAVED = N_("已保存订阅：有新发布的%(kind)s符合时会通知您")

bp = Blueprint("alerts", __name__)

PAGE_SIZE = 30


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    """Unread count of the current user, for the header badge (0 when logged out)."""
    return services.unread_count(current_user)


@bp.get("/notifications")
@login_required
def notifications():
    unread_only = request.args.get("unread") == "1"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = services.notifications_query(current_user, unread_only).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    items = list(db.session.execute(query).scalars())
    return render_template("alerts/notifications.html", items=items[:PAGE_SIZE], page=page,
                           has_next=len(items) > PAGE_SIZE, unread_only=unread_only,
                           unread=services.unread_count(current_user))


@bp.post("/notifications/read")
@login_required
def mark_read():
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit()]
    services.mark_read(current_user, ids or None)
    db.session.commit()
    return redirect(url_for(".notifications"))


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Mark one notification read and go to what it is about."""
    notification = services.listed_notification(current_user, notification_id)
    services.mark_read(current_user, [notification.id])
    db.session.commit()
    link = notification.link or ""
    return redirect(link if link.startswith("/") and not link.startswith("//") else url_for(".notifications"))


def _saved(kind: str) -> str:
    return _(SAVED, kind=_(SEARCH_KINDS[kind]))


@bp.route("/subscriptions", methods=["GET", "POST"])
@login_required
def subscriptions():
    """My subscriptions, and a new saved search over the kind chosen by ``?kind=`` (its search page's facets)."""
    errors, values, selected = {}, {}, {}
    kind = request.values.get("kind") if request.values.get("kind") in SEARCH_KINDS else "achievement"
    if request.method == "POST":
        values = request.form.to_dict()
        selected = {facet.field: [v for v in request.form.getlist(facet.field) if v]
                    for facet in PAGES[kind].facets}
        filters = {name: chosen for name, chosen in selected.items() if chosen}
        try:
            services.save_search(current_user, values.get("query_text"), filters, values.get("name"),
                                 email=bool(values.get("email")), kind=request.form.get("kind"))
            db.session.commit()
            flash(_saved(kind), "success")
            return redirect(url_for(".subscriptions"))
        except ValidationFailed as error:
            db.session.rollback()
            errors = error.errors or {"_schema": [error.message]}
    items = services.subscriptions_of(current_user)
    return render_template("alerts/subscriptions.html", items=items, errors=errors, values=values,
                           selected=selected, kind=kind, page=PAGES[kind], search_kinds=SEARCH_KINDS,
                           described={s.id: describe(s) for s in items}), (422 if errors else 200)


@bp.post("/subscriptions/from-search")
@login_required
def save_search():
    """订阅此搜索: save a search page's keywords and filters (achievements, patents, demands or challenges) as an
    alert, then go back to it."""
    from ..search_pages.service import parse_filters

    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = url_for("search_pages.index") if "search_pages.index" in current_app.view_functions else "/"
    kind = request.form.get("kind") or "achievement"
    filters = parse_filters(PAGES[kind], request.form) if kind in SEARCH_KINDS else {}
    try:
        services.save_search(current_user, request.form.get("q"), filters, request.form.get("name"),
                             email=bool(request.form.get("email")), kind=kind)
        db.session.commit()
        flash(_saved(kind), "success")
    except ValidationFailed as error:
        db.session.rollback()
        messages = [m for ms in (error.errors or {}).values() for m in ms] or [error.message]
        flash(messages[0], "error")
    return redirect(back)


@bp.post("/subscriptions/<int:subscription_id>/delete")
@login_required
def delete_subscription(subscription_id: int):
    services.unsubscribe(current_user, services.subscription_of(current_user, subscription_id))
    db.session.commit()
    flash("已删除订阅", "success")
    return redirect(url_for(".subscriptions"))


@bp.post("/demands/<int:record_id>/follow")
@login_required
def follow(record_id: int):
    demand = db.session.get(Demand, record_id)
    if demand is None:
        raise NotFound()
    services.follow_demand(current_user, demand)
    db.session.commit()
    flash("已关注该需求：有新的匹配成果发布时会通知您", "success")
    return redirect(url_for("demands.show", record_id=record_id))


@bp.post("/demands/<int:record_id>/unfollow")
@login_required
def unfollow(record_id: int):
    subscription = db.session.execute(db.select(Subscription).where(
        Subscription.user_id == current_user.id, Subscription.kind == DEMAND, Subscription.demand_id == record_id)
    ).scalar_one_or_none()
    if subscription is not None:
        services.unsubscribe(current_user, subscription)
        db.session.commit()
        flash("已取消关注", "success")
    return redirect(url_for("demands.show", record_id=record_id))
