"""JSON API: the review queue and the reviewers' verdicts (publish / reject with a reason)."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from .. import kinds
from ..api_common import PageArgs, page_schema, problems, require_user
from ..api_listings import register_actions
from ..permissions import require_reviewer
from ..taxonomy import LISTING_STATUSES
from ..validation import Choice, UtcDateTime
from ..workflow.listings import REVIEW_ACTIONS
from . import services

blp = Blueprint("api_review", __name__, description="审核：待审核队列、发布、退回（技术经纪人与平台管理员）")

KINDS = list(kinds.LISTING_KINDS)


class QueueArgs(PageArgs):
    kind = Choice(KINDS, label="记录类型")


class ReviewItemOut(Schema):
    kind = fields.Str(dump_only=True, metadata={"enum": KINDS})
    id = fields.Function(lambda item: item.record.id, dump_only=True, metadata={"type": "integer"})
    title = fields.Function(lambda item: item.record.title, dump_only=True, metadata={"type": "string"})
    org_id = fields.Function(lambda item: item.record.org_id, dump_only=True, metadata={"type": "integer"})
    org_name = fields.Function(lambda item: item.record.organization.name if item.record.organization else None,
                               dump_only=True, allow_none=True, metadata={"type": "string"})
    status = fields.Function(lambda item: str(item.record.status), dump_only=True,
                             metadata={"type": "string", "enum": list(LISTING_STATUSES)})
    reject_reason = fields.Function(lambda item: item.record.reject_reason, dump_only=True, allow_none=True,
                                    metadata={"type": "string"})
    submitted_at = UtcDateTime(dump_only=True, allow_none=True)
    version = fields.Function(lambda item: item.record.version, dump_only=True, metadata={"type": "integer"})
    changes = fields.Function(lambda item: item.revision.changes if item.revision is not None else None,
                              dump_only=True, allow_none=True,
                              metadata={"type": "object", "nullable": True,
                                        "description": "已发布记录的待审核修改（字段 → 新值）；新提交的记录为 null"})


ReviewQueuePage = page_schema(ReviewItemOut, "ReviewQueuePage")


class ReviewedOut(Schema):
    """A listing after a reviewer's decision."""

    kind = fields.Function(lambda record: kinds.of(record).name, dump_only=True,
                           metadata={"type": "string", "enum": KINDS})
    id = fields.Int(dump_only=True)
    title = fields.Str(dump_only=True)
    org_id = fields.Int(dump_only=True)
    status = fields.Str(dump_only=True, metadata={"enum": list(LISTING_STATUSES)})
    reject_reason = fields.Str(dump_only=True, allow_none=True)
    submitted_at = UtcDateTime(dump_only=True, allow_none=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)
    version = fields.Int(dump_only=True)


@blp.route("/review/queue")
class ReviewQueue(MethodView):
    @require_user
    @blp.arguments(QueueArgs, location="query")
    @problems(403)
    @blp.response(200, ReviewQueuePage)
    def get(self, args):
        """待审核的记录与已发布记录的待审核修改，先提交的在前"""
        require_reviewer(current_user)
        items, total = services.review_queue(args.get("kind"), args["page"], args["page_size"])
        return {"items": items, "total": total, "page": args["page"], "page_size": args["page_size"]}


# POST /review/<kind>/<id>/publish | reject | publish-changes | reject-changes: the reviewers' buttons, declared by
# the listing lifecycle (the same actions are also under /<collection>/<id>/…).
for _kind in kinds.LISTING_KINDS.values():
    register_actions(blp, _kind.name, _kind, ReviewedOut, path_prefix="/review", only=REVIEW_ACTIONS)
