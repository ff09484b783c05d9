"""JSON API: patents, their lifecycle actions and open licence declarations (专利开放许可)."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from ..listing_edits import check_version
from ..records import get_visible
from ..api_common import (commit, etag, expected_version, partial_schema,
                          write_endpoint)
from ..api_listings import MAX_ID, register_listing_api
from . import services
from .. import kinds
from .models import Patent
from .reading import PATENTS
from .schemas import OpenLicenceInput, PatentInput, PatentOut

blp = Blueprint("api_patents", __name__, description="专利：登记、审核发布、开放许可声明")
PATCH_BODY = partial_schema(blp, PatentInput, "PatentPatch")

ITEM = f"/patents/<int(max={MAX_ID}):record_id>"

register_listing_api(
    blp, kinds.PATENT, PATENTS, input_schema=PatentInput, out_schema=PatentOut, list_item_schema=PatentOut,
    patch_schema=PATCH_BODY, create_service=services.create_patent, update_service=services.update_patent,
    delete_service=services.delete_patent, list_options=[selectinload(Patent.open_licence)],
    texts={"list": "专利列表：默认只含已发布的；mine=1 为本机构的全部专利", "create": "登记专利（草稿）",
           "read": "专利详情（其他机构未发布的专利返回 404）", "delete": "删除草稿或被退回的专利（已发布的请归档）"})


@blp.route(f"{ITEM}/open-licence")
class PatentOpenLicence(MethodView):
    @write_endpoint(blp, PatentOut, body=OpenLicenceInput, if_match=True)
    def put(self, record_id, payload):
        """声明（或更新）开放许可：许可费条款、期限、范围（仅限已授权的专利）"""
        record = get_visible(Patent, record_id, current_user)
        check_version(record, expected_version(payload))
        services.declare_open_licence(current_user, record, payload)
        commit()
        return record, etag(record)

    @write_endpoint(blp, PatentOut, errors=(403, 404, 422), if_match=True)
    def delete(self, record_id):
        """撤回开放许可声明"""
        record = get_visible(Patent, record_id, current_user)
        check_version(record, expected_version())
        services.withdraw_open_licence(current_user, record)
        commit()
        return record, etag(record)
