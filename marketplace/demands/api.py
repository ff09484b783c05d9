"""JSON API: technology demands (技术需求, 产业界出题) and their lifecycle actions."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from ..api_common import LOCATION_HEADER, page_schema, partial_schema, read_endpoint, write_endpoint
from ..api_listings import ListingArgs, create_record, listing_page, register_actions, register_item
from . import services
from .. import kinds
from .models import Demand
from .reading import DEMANDS
from .schemas import DemandInput, DemandOut

blp = Blueprint("api_demands", __name__, description="技术需求（产业界出题）：发布、审核、关闭")
PATCH_BODY = partial_schema(blp, DemandInput, "DemandPatch")

DemandArgs = DEMANDS.api_args(ListingArgs, "DemandArgs")
DemandPage = page_schema(DemandOut, "DemandPage")


@blp.route("/demands")
class Demands(MethodView):
    @read_endpoint(blp, DemandPage, query=DemandArgs, errors=(401,))
    def get(self, args):
        """技术需求列表：默认只含已发布的；mine=1 为本机构的全部需求"""
        return listing_page(DEMANDS, args, options=[selectinload(Demand.organization)])

    @write_endpoint(blp, DemandOut, status=201, headers=LOCATION_HEADER, body=DemandInput, errors=(403,))
    def post(self, payload):
        """发布技术需求（草稿）"""
        return create_record(services.create_demand, payload, ".DemandItem")


DemandItem = register_item(
    blp, "demands", Demand, DemandOut, input_schema=DemandInput, patch_schema=PATCH_BODY,
    update_service=services.update_demand, delete_service=services.delete_demand,
    read_summary="技术需求详情（其他机构未发布的需求返回 404）",
    delete_summary="删除草稿或被退回的需求（已发布的请关闭）", endpoint="DemandItem")

register_actions(blp, "demands", kinds.DEMAND, DemandOut)
