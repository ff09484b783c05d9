"""JSON API: technology demands (技术需求, 产业界出题) and their lifecycle actions."""
from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from ..api_common import partial_schema
from ..api_listings import register_listing_api
from . import services
from .. import kinds
from .models import Demand
from .reading import DEMANDS
from .schemas import DemandInput, DemandOut

blp = Blueprint("api_demands", __name__, description="技术需求（产业界出题）：发布、审核、关闭")
PATCH_BODY = partial_schema(blp, DemandInput, "DemandPatch")

register_listing_api(
    blp, kinds.DEMAND, DEMANDS, input_schema=DemandInput, out_schema=DemandOut, list_item_schema=DemandOut,
    patch_schema=PATCH_BODY, create_service=services.create_demand, update_service=services.update_demand,
    delete_service=services.delete_demand, list_options=[selectinload(Demand.organization)],
    texts={"list": "技术需求列表：默认只含已发布的；mine=1 为本机构的全部需求", "create": "发布技术需求（草稿）",
           "read": "技术需求详情（其他机构未发布的需求返回 404）", "delete": "删除草稿或被退回的需求（已发布的请关闭）"})
