"""JSON API: achievements (科技成果), their lifecycle actions and the yearly high-quality list (年度优质成果)."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validates_schema
from marshmallow import ValidationError as SchemaError

from ..access import get_visible
from ..api_common import LOCATION_HEADER, commit, page_schema, paginate, partial_schema, read_endpoint, write_endpoint
from ..api_listings import (ListingArgs, create_record, listing_query, newest_first, register_actions,
                            register_item)
from ..filters import amount_in_band, json_list_contains
from ..errors import NotFound, PermissionDenied
from ..review import services as review
from ..taxonomy import IP_TYPES, PRICE_BANDS, TECHNICAL_FIELDS, TRANSFER_MODES
from ..validation import Choice, Int
from . import services
from .models import Achievement
from .schemas import AchievementInput, AchievementOut, AchievementSummaryOut

blp = Blueprint("api_achievements", __name__, description="科技成果：检索、登记、修改、提交审核、归档；年度优质成果")
PATCH_BODY = partial_schema(blp, AchievementInput, "AchievementPatch")

SORTS = {"newest": "最新发布", "trl": "技术成熟度从高到低", "price": "价格从低到高（面议在后）"}
PRICE_BAND_CODES = [band[0] for band in PRICE_BANDS] + ["negotiable"]


class AchievementArgs(ListingArgs):
    technical_field = Choice(TECHNICAL_FIELDS, label="技术领域")
    trl_min = Int(1, 9, metadata={"description": "技术成熟度下限（GB/T 22900，1–9）"})
    trl_max = Int(1, 9, metadata={"description": "技术成熟度上限"})
    ip_type = Choice(IP_TYPES, label="知识产权类型")
    transfer_mode = Choice(TRANSFER_MODES, label="转化方式")
    price_band = Choice(PRICE_BAND_CODES, label="价格区间",
                        metadata={"description": "lt10 / 10-50 / 50-200 / 200-1000 / gte1000（万元）或 negotiable（面议）"})
    sort = Choice(SORTS, label="排序方式", load_default="newest")

    @validates_schema
    def _trl_range(self, data, **kwargs):
        low, high = data.get("trl_min"), data.get("trl_max")
        if low is not None and high is not None and low > high:
            raise SchemaError("技术成熟度下限不能高于上限", field_name="trl_max")


AchievementPage = page_schema(AchievementSummaryOut, "AchievementPage")


def _order(query, sort: str):
    if sort == "trl":
        return query.order_by(Achievement.trl.desc().nulls_last(), *newest_first(Achievement))
    if sort == "price":
        return query.order_by(Achievement.price_amount.asc().nulls_last(), *newest_first(Achievement))
    return query.order_by(*newest_first(Achievement))


@blp.route("/achievements")
class Achievements(MethodView):
    @read_endpoint(blp, AchievementPage, query=AchievementArgs, errors=(401,))
    def get(self, args):
        """科技成果列表：默认只含已发布的；mine=1 为本机构的全部成果"""
        query = listing_query(Achievement, args)
        if args.get("technical_field"):
            query = query.where(Achievement.technical_field == args["technical_field"])
        if args.get("trl_min") is not None:
            query = query.where(Achievement.trl >= args["trl_min"])
        if args.get("trl_max") is not None:
            query = query.where(Achievement.trl <= args["trl_max"])
        if args.get("ip_type"):
            query = query.where(Achievement.ip_type == args["ip_type"])
        if args.get("transfer_mode"):
            query = query.where(json_list_contains(Achievement.transfer_modes, args["transfer_mode"]))
        if args.get("price_band"):
            query = query.where(amount_in_band(Achievement.price_amount, args["price_band"]))
        return paginate(_order(query, args["sort"]), args)

    @write_endpoint(blp, AchievementOut, status=201, headers=LOCATION_HEADER, body=AchievementInput, errors=(403,))
    def post(self, payload):
        """登记科技成果（草稿）"""
        return create_record(services.create_achievement, payload, ".AchievementItem")


AchievementItem = register_item(
    blp, "achievements", Achievement, AchievementOut, input_schema=AchievementInput, patch_schema=PATCH_BODY,
    update_service=services.update_achievement, delete_service=services.delete_achievement,
    read_summary="科技成果详情（其他机构未发布的成果返回 404）",
    delete_summary="删除草稿或被退回的成果（已发布的请归档）", endpoint="AchievementItem")

register_actions(blp, "achievements", Achievement, AchievementOut, {
    "submit": (review.submit, "提交审核（草稿或被退回的成果）"),
    "withdraw": (review.withdraw, "撤回为草稿（待审核或已发布的成果）"),
    "archive": (review.archive, "归档"),
})


# -- 年度优质成果 -------------------------------------------------------------------------------------------------

class QualityProgressOut(Schema):
    year = fields.Int(dump_only=True)
    count = fields.Int(dump_only=True, metadata={"description": "已列入的已发布成果数"})
    target = fields.Int(dump_only=True, metadata={"description": "年度目标（至少 200 项）"})
    remaining = fields.Int(dump_only=True)
    percent = fields.Int(dump_only=True)


YEAR_RULE = "<int(min=2000, max=2100):year>"


def _progress(year: int) -> dict:
    return services.quality_progress(year, current_app.config.get("QUALITY_TARGET_PER_YEAR", 200))


@blp.route(f"/quality/{YEAR_RULE}")
class QualityProgress(MethodView):
    @read_endpoint(blp, QualityProgressOut)
    def get(self, year):
        """年度优质成果名单的进度"""
        return _progress(year)


@blp.route(f"/quality/{YEAR_RULE}/achievements/<int(max=2147483647):record_id>")
class QualityItem(MethodView):
    @write_endpoint(blp, QualityProgressOut, errors=(403, 404, 422))
    def post(self, year, record_id):
        """列入年度优质成果（平台管理员；仅限已发布的成果）"""
        record = get_visible(Achievement, record_id, current_user)
        services.mark_high_quality(current_user, record, year)
        commit()
        return _progress(year)

    @write_endpoint(blp, errors=(403, 404))
    def delete(self, year, record_id):
        """移出年度优质成果名单（平台管理员）"""
        record = get_visible(Achievement, record_id, current_user)
        if not current_user.is_admin:
            raise PermissionDenied("只有平台管理员可以评定年度优质成果")
        if record.quality_year != year:
            raise NotFound("该成果不在此年度的优质成果名单中")
        services.unmark_high_quality(current_user, record)
        commit()
