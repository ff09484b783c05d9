"""JSON API: patents, their lifecycle actions and open licence declarations (专利开放许可)."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from ..listing_edits import check_version
from ..records import get_visible
from ..api_common import (LOCATION_HEADER, commit, etag, expected_version, page_schema, partial_schema,
                          read_endpoint, write_endpoint)
from ..api_listings import MAX_ID, ListingArgs, create_record, listing_page, register_actions, register_item
from . import services
from .. import kinds
from .models import Patent
from .reading import PATENTS
from .schemas import OpenLicenceInput, PatentInput, PatentOut

blp = Blueprint("api_patents", __name__, description="专利：登记、审核发布、开放许可声明")
PATCH_BODY = partial_schema(blp, PatentInput, "PatentPatch")

ITEM = f"/patents/<int(max={MAX_ID}):record_id>"

PatentArgs = PATENTS.api_args(ListingArgs, "PatentArgs")
PatentPage = page_schema(PatentOut, "PatentPage")


@blp.route("/patents")
class Patents(MethodView):
    @read_endpoint(blp, PatentPage, query=PatentArgs, errors=(401,))
    def get(self, args):
        """专利列表：默认只含已发布的；mine=1 为本机构的全部专利"""
        return listing_page(PATENTS, args, options=[selectinload(Patent.open_licence)])

    @write_endpoint(blp, PatentOut, status=201, headers=LOCATION_HEADER, body=PatentInput, errors=(403,))
    def post(self, payload):
        """登记专利（草稿）"""
        return create_record(services.create_patent, payload, ".PatentItem")


PatentItem = register_item(
    blp, "patents", Patent, PatentOut, input_schema=PatentInput, patch_schema=PATCH_BODY,
    update_service=services.update_patent, delete_service=services.delete_patent,
    read_summary="专利详情（其他机构未发布的专利返回 404）",
    delete_summary="删除草稿或被退回的专利（已发布的请归档）", endpoint="PatentItem")

register_actions(blp, "patents", kinds.PATENT, PatentOut)


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
