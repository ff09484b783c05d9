"""Favourite pages: /favourites (my watch-list by kind) and the ☆ 收藏 / ★ 已收藏 button of every listing's page
(plain POST forms with the CSRF token: no script needed)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ValidationFailed
from ..extensions import db
from ..unit_of_work import commit
from ..web.forms import flash_error
from . import services

bp = Blueprint("favourites", __name__)


@bp.app_template_global("is_favourite")
def is_favourite(kind_name: str, record_id: int) -> bool:
    """Whether the current user has this listing among their favourites (False when logged out)."""
    return services.is_favourite(current_user, kind_name, record_id)


def _back(default: str):
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect(default)


@bp.get("/favourites")
@login_required
def index():
    return render_template("favourites/index.html", groups=services.grouped(current_user),
                           kinds=services.FAVOURITE_KINDS)


@bp.post("/favourites/<collection>/<int(max=2147483647):record_id>")
@login_required
def add(collection: str, record_id: int):
    kind = services.kind_named(collection)
    try:
        services.add(current_user, kind, record_id)
        commit()
        flash(_("已收藏，可在「我的收藏」中查看"), "success")
    except ValidationFailed as error:
        db.session.rollback()
        flash_error(error)
    return _back(url_for(kind.show_endpoint, **{kind.show_arg: record_id}))


@bp.post("/favourites/<collection>/<int(max=2147483647):record_id>/remove")
@login_required
def remove(collection: str, record_id: int):
    kind = services.kind_named(collection)
    services.remove(current_user, kind, record_id)
    commit()
    flash(_("已取消收藏"), "success")
    return _back(url_for(".index"))
