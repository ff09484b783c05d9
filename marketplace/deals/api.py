"""JSON API of technology contracts (技术合同), /api/v1/deals. Contracts are private: both parties' members and
staff see them (404 for anyone else, 401 without a login); staff record and edit them. The services decide; these
views find the contract, check the version the client acted on and commit.

* ``POST /deals`` takes an optional ``Idempotency-Key`` header: the first request with a key creates the contract
  (201); a repeat with the same key and body — also sent concurrently — creates nothing and answers 200 with the
  same contract (header ``Idempotent-Replayed: true``); the same key with another body is a 422.
* Amounts are answered as strings in 万元 with 4 decimals; requests may send strings or numbers.
* Payment and reward changes answer the whole contract (with the new total received); they do not change the
  contract's ``version`` (its ETag), which guards the contract's own fields.
"""
from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from ..api_common import (LOCATION_HEADER, PageArgs, commit, envelope, etag, expected_version, page_schema,
                          read_endpoint, write_endpoint)
from ..permissions import can_record_deals, require
from ..validation import Date, InputSchema, Text
from . import editing, payments, services
from .idempotency import HEADER, create_once
from .models import Deal
from .reading import DEALS, deals_page
from .schemas import DealCreateBody, DealOut, DealPaymentBody, DealRewardBody, DealSummaryOut

blp = Blueprint("api_deals", __name__, description="技术合同：登记表字段、合同方、到账、个人奖励、认定登记与成交公示")

MAX_ID = 2**31 - 1
ITEM = f"/deals/<int(max={MAX_ID}):record_id>"
SCOPE = "deal.create"
DealListArgs = DEALS.api_args(PageArgs, "DealListArgs")
DealList = page_schema(DealSummaryOut, "DealList")
IDEMPOTENCY_PARAMETER = {
    "in": "header", "name": HEADER, "required": False, "schema": {"type": "string", "maxLength": 100},
    "description": "可选。同一用户用同一个键重复提交（包括同时提交多次）只创建一份合同：首次返回 201，"
                   "之后返回 200 和同一份合同（响应头 Idempotent-Replayed: true）；同一个键配不同的请求体返回 422",
}


class ActionBody(InputSchema):
    """The inputs of the registration actions (each uses its own)."""

    registration_number = Text(max_length=16, metadata={"description": "register：合同登记编号（16 位数字）"})
    registered_on = Date(metadata={"description": "register：登记日期（不晚于今天，不早于签订日期）"})
    reason = Text(max_length=2000, metadata={"description": "refuse：不予登记的原因"})
    consent = fields.Bool(metadata={"description": "consent：true 同意成交公示（默认），false 撤回同意"})
    version = fields.Int(metadata={"description": "客户端看到的版本号（也可用 If-Match）"})


def _location(deal: Deal) -> dict:
    return {"Location": url_for("api_deals.DealItem", record_id=deal.id), **etag(deal)}


@blp.route("/deals")
class Deals(MethodView):
    @read_endpoint(blp, DealList, query=DealListArgs, errors=(422,), login=True)
    def get(self, args):
        """技术合同列表：平台工作人员看到全部，机构成员看到本机构作为合同方的合同"""
        page = deals_page(current_user, DEALS.from_api(args), page=args["page"], per_page=args["page_size"])
        return envelope(page)

    @write_endpoint(blp, DealOut, status=201, headers=LOCATION_HEADER, body=DealCreateBody,
                    body_description="合同登记表字段、合同方（卖方、买方，技术中介合同另有中介方）和来源记录",
                    errors=(403, 409, 422))
    @blp.doc(parameters=[IDEMPOTENCY_PARAMETER], responses={"200": {"description": "同一 Idempotency-Key 的重复请求："
                                                                                   "返回首次创建的合同"}})
    def post(self, payload):
        """登记技术合同（技术经纪人或平台管理员）；支持 Idempotency-Key"""
        require(can_record_deals(current_user), services.RECORDERS)
        key = request.headers.get(HEADER)
        if key is None:
            deal = services.create_deal(current_user, payload, payload)
            commit()
            return deal, 201, _location(deal)
        record_id, created = create_once(current_user, SCOPE, key, payload,
                                         lambda: services.create_deal(current_user, payload, payload))
        deal = services.get_deal(current_user, record_id)
        headers = _location(deal) if created else {**_location(deal), "Idempotent-Replayed": "true"}
        return deal, 201 if created else 200, headers


@blp.route(ITEM)
class DealItem(MethodView):
    @read_endpoint(blp, DealOut, errors=(404,), login=True)
    def get(self, record_id):
        """技术合同（仅合同双方的成员和平台工作人员可见）；actions 为调用者现在可以执行的操作"""
        deal = services.get_deal(current_user, record_id)
        return deal, etag(deal)

    @write_endpoint(blp, DealOut, body=DealCreateBody, body_description="只需提交要修改的字段；parties 给出时替换全部合同方",
                    errors=(403, 404, 409, 422), if_match=True)
    def patch(self, record_id, payload):
        """修改合同（技术经纪人或平台管理员；已登记的合同不能修改）"""
        deal = services.get_deal(current_user, record_id)
        editing.edit_deal(current_user, deal, payload, expected_version(payload), partial=True)
        commit()
        return deal, etag(deal)

    @write_endpoint(blp, DealOut, body=DealCreateBody, body_description="完整的合同；未给出的可选字段被清空",
                    errors=(403, 404, 409, 422), if_match=True)
    def put(self, record_id, payload):
        """替换合同的全部字段（技术经纪人或平台管理员；已登记的合同不能修改）"""
        deal = services.get_deal(current_user, record_id)
        editing.edit_deal(current_user, deal, payload, expected_version(payload), partial=False)
        commit()
        return deal, etag(deal)


@blp.route(f"{ITEM}/actions/<any(register, refuse, resubmit, consent):action>", methods=["POST"])
@write_endpoint(blp, DealOut, body=ActionBody, body_required=False, errors=(403, 404, 409, 422), if_match=True)
def deal_action(record_id, action, payload):
    """认定登记操作：register 登记（登记编号、登记日期）、refuse 不予登记（原因）、resubmit 重新提交登记
    （平台工作人员）；consent 合同方同意或撤回成交公示"""
    deal = services.get_deal(current_user, record_id)
    editing.perform(current_user, deal, action, payload, expected_version(payload))
    commit()
    return deal, etag(deal)


@blp.route(f"{ITEM}/payments", methods=["POST"])
@write_endpoint(blp, DealOut, status=201, body=DealPaymentBody, errors=(403, 404, 409, 422))
def add_payment(record_id, payload):
    """登记到账（日期、金额万元；平台工作人员或卖方）；返回合同及到账合计"""
    deal = services.get_deal(current_user, record_id)
    payments.add_payment(current_user, deal, payload)
    commit()
    return deal, etag(deal)


@blp.route(f"{ITEM}/payments/<int(max={MAX_ID}):payment_id>", methods=["DELETE"])
@write_endpoint(blp, None, errors=(403, 404, 409))
def delete_payment(record_id, payment_id):
    """删除误登的到账记录"""
    payments.delete_payment(current_user, services.get_deal(current_user, record_id), payment_id)
    commit()


@blp.route(f"{ITEM}/rewards", methods=["POST"])
@write_endpoint(blp, DealOut, status=201, body=DealRewardBody, errors=(403, 404, 409, 422))
def add_reward(record_id, payload):
    """登记个人奖励（现金或股权、金额万元、人数；平台工作人员）"""
    deal = services.get_deal(current_user, record_id)
    payments.add_reward(current_user, deal, payload)
    commit()
    return deal, etag(deal)


@blp.route(f"{ITEM}/rewards/<int(max={MAX_ID}):reward_id>", methods=["DELETE"])
@write_endpoint(blp, None, errors=(403, 404, 409))
def delete_reward(record_id, reward_id):
    """删除误登的个人奖励记录"""
    payments.delete_reward(current_user, services.get_deal(current_user, record_id), reward_id)
    commit()

