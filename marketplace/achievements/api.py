"""JSON API: achievements (科技成果), their lifecycle actions and the yearly high-quality list (年度优质成果)."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..records import get_visible
from ..api_common import commit, partial_schema, read_endpoint, write_endpoint
from ..api_listings import register_listing_api
from . import services
from .. import kinds
from .models import Achievement
from .reading import ACHIEVEMENTS
from .schemas import AchievementInput, AchievementOut, AchievementSummaryOut

blp = Blueprint("api_achievements", __name__, description="科技成果：检索、登记、修改、提交审核、归档；年度优质成果")
PATCH_BODY = partial_schema(blp, AchievementInput, "AchievementPatch")

register_listing_api(
    blp, kinds.ACHIEVEMENT, ACHIEVEMENTS, input_schema=AchievementInput, out_schema=AchievementOut, list_item_schema=AchievementSummaryOut,
    patch_schema=PATCH_BODY, create_service=services.create_achievement, update_service=services.update_achievement,
    delete_service=services.delete_achievement, list_options=(),
    texts={"list": "科技成果列表：默认只含已发布的；mine=1 为本机构的全部成果", "create": "登记科技成果（草稿）",
           "read": "科技成果详情（其他机构未发布的成果返回 404）", "delete": "删除草稿或被退回的成果（已发布的请归档）"})


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
        services.unmark_high_quality(current_user, record, year)
        commit()
