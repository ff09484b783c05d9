"""JSON API: 揭榜挂帅 challenges — the 榜单 as a listing (list, create, read, edit, submit/publish/…) and its execution
(close applications, award, 揭榜不成, cancel). Applications, reviews and delivery have their own API modules."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from .. import kinds
from ..api_common import commit, etag, expected_version, partial_schema, write_endpoint
from ..api_listings import MAX_ID, register_listing_api
from ..listing_edits import check_version
from ..validation import InputSchema, Text, load_or_raise
from . import notifications  # noqa: F401  (connects the notification receiver)
from . import services
from .reading import CHALLENGES
from .schemas import ChallengeInput, ChallengeOut, ChallengeSummaryOut

blp = Blueprint("api_challenges", __name__, description="揭榜挂帅：发榜、审核发布、征集、评审、确定揭榜方、撤榜")
PATCH_BODY = partial_schema(blp, ChallengeInput, "ChallengePatch")

register_listing_api(
    blp, kinds.CHALLENGE, CHALLENGES, input_schema=ChallengeInput, out_schema=ChallengeOut,
    list_item_schema=ChallengeSummaryOut, patch_schema=PATCH_BODY, create_service=services.create_challenge,
    update_service=services.update_challenge, delete_service=services.delete_challenge,
    texts={"list": "榜单列表：默认只含已发布的；open_now=1 为正在征集的榜单；mine=1 为本机构的全部榜单",
           "create": "发布榜单（草稿，企业或政府部门）",
           "read": "榜单详情（其他机构未发布的榜单返回 404）", "delete": "删除草稿或被退回的榜单"})

ITEM = f"/challenges/<int(max={MAX_ID}):record_id>"


class ChallengeReasonInput(InputSchema):
    reason = Text(max_length=2000, metadata={"description": "原因（申请方和公众看到的说明）"})
    version = fields.Int(metadata={"description": "客户端看到的版本号（也可用 If-Match）"})


class ChallengeAwardInput(ChallengeReasonInput):
    winner_ids = fields.List(fields.Int(), required=True,
                             metadata={"description": "揭榜方的申请编号：1 个；赛马 2–3 个"})


def _challenge(record_id: int, payload: dict | None = None):
    challenge = services.get_challenge(record_id, current_user)
    check_version(challenge, expected_version(payload))
    return challenge


def _done(challenge):
    commit()
    return challenge, etag(challenge)


@blp.route(f"{ITEM}/close-applications")
class CloseApplications(MethodView):
    @write_endpoint(blp, ChallengeOut, errors=(403, 404, 409), if_match=True)
    def post(self, record_id):
        """截止征集，进入评审（发榜单位或平台工作人员）"""
        challenge = _challenge(record_id)
        services.close_applications(current_user, challenge)
        return _done(challenge)


@blp.route(f"{ITEM}/award")
class Award(MethodView):
    @write_endpoint(blp, ChallengeOut, body=ChallengeAwardInput, errors=(403, 404, 409, 422), if_match=True)
    def post(self, record_id, payload):
        """确定揭榜方：全部评审完成后，从已提交的申请中选择 1 个（赛马 2–3 个）；其余申请未入选"""
        values = load_or_raise(ChallengeAwardInput(), payload)
        challenge = _challenge(record_id, payload)
        services.award(current_user, challenge, values["winner_ids"], values.get("reason"))
        return _done(challenge)


@blp.route(f"{ITEM}/declare-unsuccessful")
class DeclareUnsuccessful(MethodView):
    @write_endpoint(blp, ChallengeOut, body=ChallengeReasonInput, errors=(403, 404, 409, 422), if_match=True)
    def post(self, record_id, payload):
        """宣布揭榜不成（须说明原因，每个申请方都会收到）"""
        values = load_or_raise(ChallengeReasonInput(), payload)
        challenge = _challenge(record_id, payload)
        services.declare_unsuccessful(current_user, challenge, values.get("reason") or "")
        return _done(challenge)


@blp.route(f"{ITEM}/cancel")
class Cancel(MethodView):
    @write_endpoint(blp, ChallengeOut, body=ChallengeReasonInput, errors=(403, 404, 409, 422), if_match=True)
    def post(self, record_id, payload):
        """撤榜（确定揭榜方之前；须说明原因）"""
        values = load_or_raise(ChallengeReasonInput(), payload)
        challenge = _challenge(record_id, payload)
        services.cancel(current_user, challenge, values.get("reason") or "")
        return _done(challenge)
