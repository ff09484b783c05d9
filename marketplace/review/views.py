"""The review queue for brokers and admins: publish, or reject with a reason (new listings and pending changes)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import kinds
from ..permissions import require_reviewer
from ..web.actions import run_action
from ..pagination import Page
from ..web.pagination import page_arg
from ..workflow.listings import REVIEW_ACTIONS
from . import services

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("")
@login_required
def queue():
    """Submitted records and pending changes, oldest first, with a count per kind."""
    require_reviewer(current_user)
    kind = request.args.get("kind") if request.args.get("kind") in kinds.LISTING_KINDS else None
    page_number = page_arg()
    items, total = services.review_queue(kind, page=page_number)
    page = Page(items=items, total=total, page=page_number)
    return render_template("review/queue.html", page=page, kind=kind, counts=services.queue_counts(),
                           kinds=kinds.LISTING_KINDS)


@bp.post("/<kind>/<int:record_id>/<action>")
@login_required
def decide(kind: str, record_id: int, action: str):
    """Publish, or reject with a reason (shown to the submitter in their workspace); the same for pending changes."""
    if kind not in kinds.LISTING_KINDS or action not in REVIEW_ACTIONS:
        abort(404)
    return run_action(kinds.get(kind), record_id, action)
