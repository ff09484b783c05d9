"""JSON API: the review queue and the reviewers' verdicts (publish / reject with a reason)."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..access import check_version, get_visible
from ..achievements.models import Achievement
from ..api_common import (PageArgs, VersionedBody, commit, etag, expected_version, page_schema, problems,
                          require_user, write_endpoint)
from ..api_listings import MAX_ID
from ..demands.models import Demand
from ..errors import PermissionDenied
from ..patents.models import Patent
from ..taxonomy import LISTING_STATUSES
from ..validation import Choice, Text, load_or_raise
from . import services

blp = Blueprint("api_review", __name__, description="审核：待审核队列、发布、退回（技术经纪人与平台管理员）")

MODELS = {"achievement": Achievement, "patent": Patent, "demand": Demand}
KIND_RULE = "<any(" + ", ".join(MODELS) + "):kind>"


class QueueArgs(PageArgs):
    kind = Choice(MODELS, label="记录类型")


class ReviewItemOut(Schema):
    kind = fields.Function(lambda r: r.__search_kind__, dump_only=True,
                           metadata={"type": "string", "enum": list(MODELS)})
    id = fields.Int(dump_only=True)
    title = fields.Str(dump_only=True)
    org_id = fields.Int(dump_only=True)
    org_name = fields.Function(lambda r: r.organization.name if r.organization else None, dump_only=True,
                               allow_none=True, metadata={"type": "string"})
    status = fields.Str(dump_only=True, metadata={"enum": list(LISTING_STATUSES)})
    reject_reason = fields.Str(dump_only=True, allow_none=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    version = fields.Int(dump_only=True)


class RejectInput(VersionedBody):
    reason = Text(max_length=2000, metadata={"description": "退回原因，提交方据此修改", "example": "请补充技术指标"})


ReviewQueuePage = page_schema(ReviewItemOut, "ReviewQueuePage")


def _require_reviewer() -> None:
    if not current_user.is_broker:
        raise PermissionDenied("只有技术经纪人或平台管理员可以审核")


@blp.route("/review/queue")
class ReviewQueue(MethodView):
    @require_user
    @blp.arguments(QueueArgs, location="query")
    @problems(403)
    @blp.response(200, ReviewQueuePage)
    def get(self, args):
        """待审核的记录，先提交的在前"""
        _require_reviewer()
        items, total = services.review_queue(args.get("kind"), args["page"], args["page_size"])
        return {"items": items, "total": total, "page": args["page"], "page_size": args["page_size"]}


def _find(kind: str, record_id: int):
    """The record if the caller may see it (404 otherwise, also for members of other organisations)."""
    return get_visible(MODELS[kind], record_id, current_user)


@blp.route(f"/review/{KIND_RULE}/<int(max={MAX_ID}):record_id>/publish")
class Publish(MethodView):
    @write_endpoint(blp, ReviewItemOut, body=VersionedBody, body_description="可选：审核时看到的版本号",
                    body_required=False, errors=(403, 404, 422), if_match=True)
    def post(self, kind, record_id, payload):
        """审核通过并发布（成员不能发布：403）"""
        record = _find(kind, record_id)
        check_version(record, expected_version(payload))
        services.publish(current_user, record)
        commit()
        return record, etag(record)


@blp.route(f"/review/{KIND_RULE}/<int(max={MAX_ID}):record_id>/reject")
class Reject(MethodView):
    @write_endpoint(blp, ReviewItemOut, body=RejectInput, errors=(403, 404, 422), if_match=True)
    def post(self, kind, record_id, payload):
        """退回（必须填写原因）；记录回到提交方修改"""
        record = _find(kind, record_id)
        _require_reviewer()
        values = load_or_raise(RejectInput(), payload)
        check_version(record, expected_version(payload))
        services.reject(current_user, record, values.get("reason") or "")
        commit()
        return record, etag(record)

