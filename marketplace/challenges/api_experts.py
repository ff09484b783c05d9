"""JSON API of the 评审专家库 (expert profiles), /api/v1. The rules live in :mod:`.experts`: staff list and edit every
profile and alone activate one; a user reads and fills in their own."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..accounts.models import User
from ..api_common import commit, etag, expected_version, problems, require_user, write_endpoint
from ..extensions import db
from ..taxonomy import TECHNICAL_FIELDS
from ..validation import Choice, InputSchema, Text, UtcDateTime
from . import experts
from .experts import ExpertInput

blp = Blueprint("api_experts", __name__, description="揭榜挂帅：评审专家库")

MAX_ID = 2**31 - 1
EXPERT = f"/experts/<int(max={MAX_ID}):user_id>"
STATUSES = {"active": True, "inactive": False, "all": None}


class ExpertOut(Schema):
    user_id = fields.Int()
    name = fields.Str(attribute="user.name", metadata={"description": "姓名"})
    email = fields.Str(attribute="user.email")
    member_of = fields.Str(attribute="user.organization.name", allow_none=True,
                           metadata={"description": "用户所属机构（平台账户）"})
    title = fields.Str(allow_none=True, metadata={"description": "职称"})
    organisation = fields.Str(allow_none=True, metadata={"description": "专家自述的工作单位"})
    technical_fields = fields.List(fields.Str(), attribute="fields", data_key="fields",
                                   metadata={"description": "技术领域代码"})
    expertise = fields.Str(allow_none=True)
    active = fields.Bool()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = fields.Int()


class ExpertList(Schema):
    items = fields.List(fields.Nested(ExpertOut))
    total = fields.Int()


class ExpertArgs(InputSchema):
    field = Choice(TECHNICAL_FIELDS, label="技术领域", metadata={"description": "技术领域代码"})
    q = Text(max_length=100, metadata={"description": "姓名、邮箱、职称、单位或专长中的关键词"})
    status = Choice(STATUSES, label="状态", load_default="active",
                    metadata={"description": "active（默认）、inactive 或 all"})


def _user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


@blp.route("/experts")
class Experts(MethodView):
    @require_user
    @blp.arguments(ExpertArgs, location="query")
    @problems(403, 422)
    @blp.response(200, ExpertList)
    def get(self, args):
        """评审专家库（平台工作人员）：按技术领域筛选、按关键词搜索"""
        items = experts.experts(args.get("field"), args.get("q"), active=STATUSES[args.get("status") or "active"],
                                actor=current_user)
        return {"items": items, "total": len(items)}


@blp.route(EXPERT)
class ExpertItem(MethodView):
    @require_user
    @problems(404)
    @blp.response(200, ExpertOut)
    def get(self, user_id):
        """评审专家资料（本人和平台工作人员可见）"""
        profile = experts.get_profile(current_user, _user(user_id))
        return profile, etag(profile)

    @write_endpoint(blp, ExpertOut, body=ExpertInput, errors=(403, 404, 409, 422), if_match=True)
    def put(self, user_id, payload):
        """创建或修改评审专家资料（本人或平台工作人员；只有平台工作人员可以启用或停用）"""
        profile = experts.set_expert_profile(current_user, _user(user_id), payload, expected_version(payload))
        commit()
        return profile, etag(profile)
