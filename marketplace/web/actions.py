"""The buttons every listing has (submit, withdraw, archive, close, delete), shared by the feature views."""
from __future__ import annotations

from typing import Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import get_visible
from ..errors import ValidationFailed
from ..extensions import db
from ..review import services as review
from .forms import flash_error
from .messages import N_

DONE_MESSAGES = {
    "submit": N_("已提交审核，审核通过后将公开发布"),
    "withdraw": N_("已撤回为草稿"),
    "archive": N_("已归档"),
    "close": N_("已关闭"),
    "delete": N_("已删除"),
}


def run_action(model, record_id: int, action: str, delete: Callable, detail_endpoint: str,
               allowed: tuple[str, ...] = ("submit", "withdraw", "archive", "delete")):
    """Apply ``action`` to the record as the current user and go back to where the button was."""
    if action not in allowed:
        abort(404)
    record = get_visible(model, record_id, current_user)
    verbs = {"submit": review.submit, "withdraw": review.withdraw, "archive": review.archive,
             "close": review.close, "delete": delete}
    try:
        verbs[action](current_user, record)
    except ValidationFailed as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for(detail_endpoint, record_id=record_id))
    db.session.commit()
    flash(_(DONE_MESSAGES[action]), "success")
    if action == "delete":
        return redirect(url_for("home.workspace", tab=model.__tablename__))
    target = request.form.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(detail_endpoint, record_id=record_id))
