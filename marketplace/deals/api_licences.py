"""JSON API of patent licences, /api/v1: taking an open licence (专利开放许可) in one step, the licences the caller
sees, one licence and 终止许可. Every rule is in :mod:`marketplace.deals.licensing`."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..api_common import (LOCATION_HEADER, PageArgs, commit, etag, expected_version, paginate, read_endpoint,
                          write_endpoint)
from ..listing_edits import check_version
from ..patents.models import Patent
from ..records import get_visible
from . import licensing
from .licence_schemas import LicenceList, LicenceOut, TakeLicenceInput

blp = Blueprint("api_licences", __name__, description="专利许可：依开放许可一步取得许可、许可记录、终止许可")

MAX_ID = 2**31 - 1
PATENT = f"/patents/<int(max={MAX_ID}):patent_id>"
LICENCE = f"/licences/<int(max={MAX_ID}):licence_id>"


@blp.route(f"{PATENT}/licences")
class PatentLicences(MethodView):
    @write_endpoint(blp, LicenceOut, status=201, headers=LOCATION_HEADER, body=TakeLicenceInput,
                    body_description="confirm 须为 true；starts_on 默认今天，term_years 默认为允许的最长期限；"
                                     "本机构资料没有统一社会信用代码时须提供 credit_code",
                    errors=(403, 404, 409, 422))
    def post(self, patent_id, payload):
        """取得开放许可：被许可人确认公告的许可条件（即专利法第五十一条的书面通知），生成普通许可记录和技术许可合同
        （专利实施许可·普通），并通知专利权人。没有生效的开放许可声明、存在质押/欠费/纠纷等情形、专利权人缺少统一社会信用代码、
        本机构已有有效许可时返回 409（信息指明已有的许可）；本机构的专利返回 403；期限超出声明或专利到期日、未确认返回 422"""
        licence = licensing.take_licence(current_user, get_visible(Patent, patent_id, current_user), payload)
        commit()
        return licence, {"Location": url_for("api_licences.LicenceItem", licence_id=licence.id), **etag(licence)}


@blp.route("/licences")
class Licences(MethodView):
    @read_endpoint(blp, LicenceList, query=PageArgs, errors=(422,), login=True)
    def get(self, args):
        """许可列表：本机构取得的和授予他人的许可（平台工作人员看到全部），新的在前"""
        return paginate(licensing.visible_licences(current_user), args)


@blp.route(LICENCE)
class LicenceItem(MethodView):
    @read_endpoint(blp, LicenceOut, errors=(404,))
    def get(self, licence_id):
        """许可详情（仅被许可人、专利权人和平台工作人员可见，其他人返回 404）"""
        licence = licensing.get_licence(current_user, licence_id)
        return licence, etag(licence)


@blp.route(f"{LICENCE}/end")
class LicenceEnd(MethodView):
    @write_endpoint(blp, LicenceOut, errors=(403, 404, 409), if_match=True)
    def post(self, licence_id):
        """终止许可（专利权人或平台工作人员）"""
        licence = licensing.get_licence(current_user, licence_id)
        check_version(licence, expected_version())
        licensing.end_licence(current_user, licence)
        commit()
        return licence, etag(licence)
