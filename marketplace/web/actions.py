"""The lifecycle buttons of every listing page (submit, withdraw, archive, close, delete, and the reviewers'
decisions): one handler that applies the declared transition and goes back to where the button was."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import listing_edits
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..kinds import RecordKind
from ..records import get_visible
from ..unit_of_work import commit
from .forms import flash_error
from .messages import N_

DONE_MESSAGES = {
    "submit": N_("已提交审核，审核通过后将公开发布"),
    "withdraw": N_("已撤回为草稿"),
    "archive": N_("已归档"),
    "close": N_("已关闭"),
    "delete": N_("已删除"),
    "publish": N_("已发布"),
    "reject": N_("已退回，提交方会看到退回原因"),
    "publish_changes": N_("修改已发布"),
    "reject_changes": N_("修改已退回，提交方会看到退回原因"),
    "discard_changes": N_("已放弃待审核的修改，公开的内容不变"),
}


def run_action(kind: RecordKind, record_id: int, action: str):
    """Apply ``action`` to the record as the current user; refusals come back as a message on the page."""
    record = get_visible(kind.model, record_id, current_user)
    try:
        listing_edits.perform(current_user, record, action, reason=request.form.get("reason"))
        commit()
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for(kind.show_endpoint, record_id=record_id))
    flash(_(DONE_MESSAGES[action]), "success")
    if action == "delete":
        return redirect(url_for("home.workspace", tab=kind.collection))
    target = request.form.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(kind.show_endpoint, record_id=record_id))
