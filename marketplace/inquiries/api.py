"""JSON API of inquiries (意向/洽谈), /api/v1. Every rule lives in :mod:`.services`; these views find the record,
check the version the client acted on and commit. Anyone outside a thread gets 404, as for a missing id."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..api_common import (LOCATION_HEADER, PageArgs, commit, envelope, etag, expected_version, read_endpoint,
                          write_endpoint)
from ..listing_edits import check_version
from ..validation import Choice, load_or_raise
from . import services
from .limits import message_limit, send_limit
from .reading import INQUIRIES, read_inquiries
from .schemas import DeclineInput, InquiryInput, InquiryList, InquiryOut, MessageInput, MessageOut

blp = Blueprint("api_inquiries", __name__, description="意向/洽谈：就已发布的成果、专利、需求或榜单私下洽谈；婉拒须说明原因")

MAX_ID = 2**31 - 1
ITEM = f"/inquiries/<int(max={MAX_ID}):inquiry_id>"
BOX_DESCRIPTION = "范围：all 全部（默认）/ sent 本机构发起 / received 本机构收到 / brokered 由我负责（技术经纪人）"


class InquiryListArgs(PageArgs):
    box = Choice(services.BOXES, label="范围", load_default="all", metadata={"description": BOX_DESCRIPTION})


ListArgs = INQUIRIES.api_args(InquiryListArgs, "InquiryListArgs")


def _inquiry(inquiry_id: int, payload: dict | None = None):
    inquiry = services.get_inquiry(current_user, inquiry_id)
    check_version(inquiry, expected_version(payload))
    return inquiry


@blp.route("/inquiries")
class Inquiries(MethodView):
    @read_endpoint(blp, InquiryList, query=ListArgs, login=True)
    def get(self, args):
        """我的洽谈：本机构发起的、收到的，以及（技术经纪人）由我负责的"""
        page = read_inquiries(current_user, INQUIRIES.from_api(args), args.get("box") or "all",
                              page=args["page"], per_page=args["page_size"])
        return envelope(page)

    @write_endpoint(blp, InquiryOut, status=201, headers=LOCATION_HEADER, body=InquiryInput,
                    errors=(403, 404, 409, 422))
    @send_limit
    def post(self, payload):
        """发起洽谈（已发布的他方成果、专利、需求或榜单；同一对象同时只能有一个进行中的洽谈，重复时 409）"""
        inquiry = services.send_inquiry(current_user, payload)
        commit()
        return inquiry, {"Location": url_for("api_inquiries.InquiryItem", inquiry_id=inquiry.id), **etag(inquiry)}


@blp.route(ITEM)
class InquiryItem(MethodView):
    @read_endpoint(blp, InquiryOut, errors=(404,))
    def get(self, inquiry_id):
        """洽谈详情：消息、状态、婉拒原因和调用者可执行的操作（actions）；洽谈之外的人返回 404"""
        inquiry = services.get_inquiry(current_user, inquiry_id)
        return inquiry, etag(inquiry)


@blp.route(f"{ITEM}/messages", methods=["POST"])
@write_endpoint(blp, MessageOut, status=201, body=MessageInput, errors=(403, 404, 409, 422))
@message_limit
def post_message(inquiry_id, payload):
    """发送消息（持有方在待回复状态下的第一条消息即为回复）；已婉拒或已结束的洽谈返回 409"""
    inquiry = services.get_inquiry(current_user, inquiry_id)
    values = load_or_raise(MessageInput(), payload)
    message = services.post_message(current_user, inquiry, values["body"], answer=values.get("answer"))
    commit()
    return message, etag(inquiry)


@blp.route(f"{ITEM}/actions/decline", methods=["POST"])
@write_endpoint(blp, InquiryOut, body=DeclineInput, errors=(403, 404, 409, 422), if_match=True)
def decline(inquiry_id, payload):
    """婉拒（持有方或负责的技术经纪人）：reason_code 必填，选择 other 时 note 必填；提问方会看到原因"""
    inquiry = _inquiry(inquiry_id, payload)
    services.decline_inquiry(current_user, inquiry, payload.get("reason_code"), payload.get("note"))
    commit()
    return inquiry, etag(inquiry)


@blp.route(f"{ITEM}/actions/close", methods=["POST"])
@write_endpoint(blp, InquiryOut, errors=(403, 404, 409), if_match=True)
def close(inquiry_id):
    """结束洽谈（提问方或持有方）"""
    inquiry = _inquiry(inquiry_id)
    services.close_inquiry(current_user, inquiry)
    commit()
    return inquiry, etag(inquiry)
