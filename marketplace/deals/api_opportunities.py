"""JSON API of the broker pipeline (商机), /api/v1/opportunities. Staff only: anyone else gets 404, the same as a
missing id. Every rule lives in :mod:`.opportunities` and :mod:`.pipeline`; these views find the record, pass the
version the client acted on and commit."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..api_common import LOCATION_HEADER, commit, etag, expected_version, paginate, read_endpoint, write_endpoint
from ..errors import NotFound
from ..permissions import can_see_opportunity
from ..validation import load_or_raise
from . import opportunity_hooks  # noqa: F401  (connects the automatic sources)
from . import pipeline
from .models import Opportunity
from .opportunities import create_opportunity
from .opportunity_input import MoveInput, OpportunityArgs, OpportunityEdit, OpportunityInput
from .opportunity_schemas import OpportunityList, OpportunityOut

blp = Blueprint("api_opportunities", __name__,
                description="经纪业务商机（技术经纪人和平台管理员）：线索 → 洽谈 → 签约 → 登记 → 履约 → 成交／未成交")

MAX_ID = 2**31 - 1
ITEM = f"/opportunities/<int(max={MAX_ID}):record_id>"


@blp.route("/opportunities")
class Opportunities(MethodView):
    @read_endpoint(blp, OpportunityList, query=OpportunityArgs, errors=(404, 422), login=True)
    def get(self, args):
        """商机列表：默认为归属我的（scope=mine），可按范围、阶段、来源、技术经纪人、技术转移机构筛选"""
        if not can_see_opportunity(current_user):
            raise NotFound()
        query = pipeline.filtered(current_user, scope=args["scope"], broker_id=args.get("broker_id"),
                                  agency_id=args.get("agency_id"), source=args.get("source"),
                                  stage=args.get("stage"))
        return paginate(query.options(*pipeline.OPTIONS).order_by(Opportunity.id.desc()), args)

    @write_endpoint(blp, OpportunityOut, status=201, headers=LOCATION_HEADER, body=OpportunityInput,
                    errors=(403, 404, 422))
    def post(self, payload):
        """新建商机：手工录入（来源 manual），或给出 inquiry_id 从洽谈意向转入（来源 inquiry；已转入时返回该商机）"""
        if not can_see_opportunity(current_user):
            raise NotFound()
        opportunity = create_opportunity(current_user, payload)
        commit()
        return opportunity, {"Location": url_for("api_opportunities.OpportunityItem", record_id=opportunity.id),
                             **etag(opportunity)}


@blp.route(ITEM)
class OpportunityItem(MethodView):
    @read_endpoint(blp, OpportunityOut, errors=(404,), login=True)
    def get(self, record_id):
        """商机详情（含调用者现在可以执行的操作 actions）"""
        opportunity = pipeline.get_opportunity(current_user, record_id)
        return opportunity, etag(opportunity)

    @write_endpoint(blp, OpportunityOut, body=OpportunityEdit, body_description="只需提交要修改的字段",
                    errors=(403, 404, 409, 422), if_match=True)
    def patch(self, record_id, payload):
        """修改商机名称、预计成交额、备注；broker_id 改变归属（平台管理员）"""
        opportunity = pipeline.get_opportunity(current_user, record_id)
        pipeline.edit(current_user, opportunity, payload, expected_version=expected_version(payload))
        commit()
        return opportunity, etag(opportunity)


def _action(name: str, summary: str):
    def view(record_id, payload):
        opportunity = pipeline.get_opportunity(current_user, record_id)
        version = expected_version(payload)
        if name == "take":
            pipeline.take(current_user, opportunity, expected_version=version)
        else:
            reason = load_or_raise(MoveInput(), payload).get("reason")  # a reason that is no text is a 422
            pipeline.move(current_user, opportunity, name, reason=reason, expected_version=version)
        commit()
        return opportunity, etag(opportunity)

    view.__name__ = view.__qualname__ = f"opportunity_{name}"
    view.__doc__ = summary
    decorated = write_endpoint(blp, OpportunityOut, body=MoveInput, body_required=name == "lose",
                               body_description="可选：客户端看到的版本号；lose 时须给出 reason",
                               errors=(403, 404, 409, 422), if_match=True)(view)
    blp.route(f"{ITEM}/{name}", methods=["POST"], endpoint=f"opportunity_{name}")(decorated)


_action("negotiate", "进入洽谈（线索 → 洽谈）")
_action("sign", "已签约（须已登记合同并关联到此商机，否则 409）")
_action("register", "已登记（合同须已完成技术合同认定登记，否则 409）")
_action("perform", "进入履约")
_action("win", "成交结案（履约中）")
_action("lose", "未成交结案（须给出原因 reason，否则 422）")
_action("take", "认领未归属的线索（技术经纪人）")
