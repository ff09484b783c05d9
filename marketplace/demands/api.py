"""JSON API: technology demands (技术需求, 产业界出题) and their lifecycle actions."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from ..api_common import (commit, etag, json_body, optional_user, page_schema, paginate, partial_schema, problems,
                          require_user, versioned, write_limit)
from ..api_listings import (MAX_ID, ListingArgs, delete_record, listing_query, newest_first,
                            read_visible, register_actions, update_record)
from ..filters import json_list_contains
from ..review import services as review
from ..taxonomy import INDUSTRIES, TECHNICAL_FIELDS, TRANSFER_MODES
from ..validation import Choice
from . import services
from .models import Demand
from .schemas import DemandInput, DemandOut

blp = Blueprint("api_demands", __name__, description="技术需求（产业界出题）：发布、审核、关闭")
PATCH_BODY = partial_schema(blp, DemandInput, "DemandPatch")

SORTS = {"newest": "最新发布", "deadline": "截止日期从近到远（无截止日期在后）"}


class DemandArgs(ListingArgs):
    industry = Choice(INDUSTRIES, label="所属行业")
    technical_field = Choice(TECHNICAL_FIELDS, label="技术领域")
    cooperation_mode = Choice(TRANSFER_MODES, label="合作方式")
    sort = Choice(SORTS, label="排序方式", load_default="newest")


DemandPage = page_schema(DemandOut, "DemandPage")


@blp.route("/demands")
class Demands(MethodView):
    @optional_user
    @blp.arguments(DemandArgs, location="query")
    @problems(401)
    @blp.response(200, DemandPage)
    def get(self, args):
        """技术需求列表：默认只含已发布的；mine=1 为本机构的全部需求"""
        query = listing_query(Demand, args).options(selectinload(Demand.organization))
        if args.get("industry"):
            query = query.where(Demand.industry == args["industry"])
        if args.get("technical_field"):
            query = query.where(Demand.technical_field == args["technical_field"])
        if args.get("cooperation_mode"):
            query = query.where(json_list_contains(Demand.cooperation_modes, args["cooperation_mode"]))
        if args["sort"] == "deadline":
            query = query.order_by(Demand.deadline.is_(None), Demand.deadline.asc(), *newest_first(Demand))
        else:
            query = query.order_by(*newest_first(Demand))
        return paginate(query, args)

    @require_user
    @write_limit
    @json_body(DemandInput)
    @problems(403)
    @blp.response(201, DemandOut, headers={"Location": {"schema": {"type": "string"}}})
    def post(self, payload):
        """发布技术需求（草稿）"""
        record = services.create_demand(current_user, payload)
        commit()
        return record, {"Location": url_for(".DemandItem", record_id=record.id), **etag(record)}


@blp.route(f"/demands/<int(max={MAX_ID}):record_id>")
class DemandItem(MethodView):
    @optional_user
    @problems(404)
    @blp.response(200, DemandOut)
    def get(self, record_id):
        """技术需求详情（其他机构未发布的需求返回 404）"""
        return read_visible(Demand, record_id)

    @require_user
    @write_limit
    @versioned
    @json_body(PATCH_BODY, description="只需提交要修改的字段")
    @problems(403, 404)
    @blp.response(200, DemandOut)
    def patch(self, record_id, payload):
        """部分修改"""
        return update_record(Demand, services.update_demand, DemandInput(), record_id, payload, partial=True)

    @require_user
    @write_limit
    @versioned
    @json_body(DemandInput, description="完整内容；未提交的可选字段会被清空")
    @problems(403, 404)
    @blp.response(200, DemandOut)
    def put(self, record_id, payload):
        """整体替换"""
        return update_record(Demand, services.update_demand, DemandInput(), record_id, payload, partial=False)

    @require_user
    @write_limit
    @versioned
    @problems(403, 404, 422)
    @blp.response(204)
    def delete(self, record_id):
        """删除草稿或被退回的需求（已发布的请关闭）"""
        delete_record(Demand, services.delete_demand, record_id)


register_actions(blp, "demands", Demand, DemandOut, {
    "submit": (review.submit, "提交审核"),
    "withdraw": (review.withdraw, "撤回为草稿"),
    "close": (review.close, "关闭需求（已解决或不再需要）"),
    "archive": (review.archive, "归档"),
})
