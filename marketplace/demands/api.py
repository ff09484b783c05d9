"""JSON API: technology demands (技术需求, 产业界出题) and their lifecycle actions."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from ..api_common import LOCATION_HEADER, page_schema, paginate, partial_schema, read_endpoint, write_endpoint
from ..api_listings import (ListingArgs, create_record, listing_query, newest_first, register_actions,
                            register_item)
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
    @read_endpoint(blp, DemandPage, query=DemandArgs, errors=(401,))
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

    @write_endpoint(blp, DemandOut, status=201, headers=LOCATION_HEADER, body=DemandInput, errors=(403,))
    def post(self, payload):
        """发布技术需求（草稿）"""
        return create_record(services.create_demand, payload, ".DemandItem")


DemandItem = register_item(
    blp, "demands", Demand, DemandOut, input_schema=DemandInput, patch_schema=PATCH_BODY,
    update_service=services.update_demand, delete_service=services.delete_demand,
    read_summary="技术需求详情（其他机构未发布的需求返回 404）",
    delete_summary="删除草稿或被退回的需求（已发布的请关闭）", endpoint="DemandItem")

register_actions(blp, "demands", Demand, DemandOut, {
    "submit": (review.submit, "提交审核"),
    "withdraw": (review.withdraw, "撤回为草稿"),
    "close": (review.close, "关闭需求（已解决或不再需要）"),
    "archive": (review.archive, "归档"),
})
