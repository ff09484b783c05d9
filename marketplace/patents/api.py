"""JSON API: patents, their lifecycle actions and open licence declarations (专利开放许可)."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy.orm import selectinload

from ..access import check_version, get_editable
from ..api_common import (commit, etag, expected_version, json_body, optional_user, page_schema, paginate,
                          partial_schema, problems, require_user, versioned, write_limit)
from ..api_listings import (MAX_ID, ListingArgs, delete_record, listing_query, newest_first, read_visible,
                            register_actions, update_record)
from ..review import services as review
from ..taxonomy import LEGAL_STATUSES, PATENT_TYPES
from ..validation import Choice
from . import services
from .models import OpenLicence, Patent
from .schemas import OpenLicenceInput, PatentInput, PatentOut

blp = Blueprint("api_patents", __name__, description="专利：登记、审核发布、开放许可声明")
PATCH_BODY = partial_schema(blp, PatentInput, "PatentPatch")

ITEM = f"/patents/<int(max={MAX_ID}):record_id>"


class PatentArgs(ListingArgs):
    patent_type = Choice(PATENT_TYPES, label="专利类型")
    legal_status = Choice(LEGAL_STATUSES, label="法律状态")
    open_licence = fields.Bool(truthy={"1", "true", "yes"}, falsy={"0", "false", "no"},
                               error_messages={"invalid": "应为 1 或 0"},
                               metadata={"description": "1 = 只看有生效中开放许可声明的专利"})


PatentPage = page_schema(PatentOut, "PatentPage")


@blp.route("/patents")
class Patents(MethodView):
    @optional_user
    @blp.arguments(PatentArgs, location="query")
    @problems(401)
    @blp.response(200, PatentPage)
    def get(self, args):
        """专利列表：默认只含已发布的；mine=1 为本机构的全部专利"""
        query = listing_query(Patent, args).options(selectinload(Patent.open_licence))
        if args.get("patent_type"):
            query = query.where(Patent.patent_type == args["patent_type"])
        if args.get("legal_status"):
            query = query.where(Patent.legal_status == args["legal_status"])
        if args.get("open_licence") is not None:
            declared = Patent.open_licence.has(OpenLicence.active.is_(True))
            query = query.where(declared if args["open_licence"] else ~declared)
        return paginate(query.order_by(*newest_first(Patent)), args)

    @require_user
    @write_limit
    @json_body(PatentInput)
    @problems(403)
    @blp.response(201, PatentOut, headers={"Location": {"schema": {"type": "string"}}})
    def post(self, payload):
        """登记专利（草稿）"""
        record = services.create_patent(current_user, payload)
        commit()
        return record, {"Location": url_for(".PatentItem", record_id=record.id), **etag(record)}


@blp.route(ITEM)
class PatentItem(MethodView):
    @optional_user
    @problems(404)
    @blp.response(200, PatentOut)
    def get(self, record_id):
        """专利详情（其他机构未发布的专利返回 404）"""
        return read_visible(Patent, record_id)

    @require_user
    @write_limit
    @versioned
    @json_body(PATCH_BODY, description="只需提交要修改的字段")
    @problems(403, 404)
    @blp.response(200, PatentOut)
    def patch(self, record_id, payload):
        """部分修改"""
        return update_record(Patent, services.update_patent, PatentInput(), record_id, payload, partial=True)

    @require_user
    @write_limit
    @versioned
    @json_body(PatentInput, description="完整内容；未提交的可选字段会被清空")
    @problems(403, 404)
    @blp.response(200, PatentOut)
    def put(self, record_id, payload):
        """整体替换"""
        return update_record(Patent, services.update_patent, PatentInput(), record_id, payload, partial=False)

    @require_user
    @write_limit
    @versioned
    @problems(403, 404, 422)
    @blp.response(204)
    def delete(self, record_id):
        """删除草稿或被退回的专利（已发布的请归档）"""
        delete_record(Patent, services.delete_patent, record_id)


register_actions(blp, "patents", Patent, PatentOut, {
    "submit": (review.submit, "提交审核"),
    "withdraw": (review.withdraw, "撤回为草稿"),
    "archive": (review.archive, "归档"),
})


@blp.route(f"{ITEM}/open-licence")
class PatentOpenLicence(MethodView):
    @require_user
    @write_limit
    @versioned
    @json_body(OpenLicenceInput)
    @problems(403, 404)
    @blp.response(200, PatentOut)
    def put(self, record_id, payload):
        """声明（或更新）开放许可：许可费条款、期限、范围（仅限已授权的专利）"""
        record = get_editable(Patent, record_id, current_user)
        check_version(record, expected_version(payload))
        services.declare_open_licence(current_user, record, payload)
        commit()
        return record, etag(record)

    @require_user
    @write_limit
    @versioned
    @problems(403, 404, 422)
    @blp.response(200, PatentOut)
    def delete(self, record_id):
        """撤回开放许可声明"""
        record = get_editable(Patent, record_id, current_user)
        check_version(record, expected_version())
        services.withdraw_open_licence(current_user, record)
        commit()
        return record, etag(record)
