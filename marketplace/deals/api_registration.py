"""JSON API of the registration export and the bulk import (/api/v1): ``GET /deals/registration.xlsx`` (staff; the
deals list's filters) and ``POST /deals/import`` (staff; multipart ``file``; imported in the request, the report
in the response — use ``flask deals import`` for very large files). The rules live in :mod:`.registration_export`
and :mod:`.importer`."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..api_common import problems, require_user, write_endpoint
from ..errors import ValidationFailed
from ..web.messages import N_, translate_message
from .importer import FormatError, detect_format, import_file, require_importer
from .registration_export import batch_deals, batch_filters, export_deals
from .registration_views import XLSX, xlsx_response

blp = Blueprint("api_deal_registration", __name__, description="技术合同：登记表导出与批量导入")

FILTER_PARAMETERS = [
    {"in": "query", "name": "ids", "schema": {"type": "string"}, "description": "合同编号，以逗号分隔，如 1,2,3"},
    {"in": "query", "name": "year", "schema": {"type": "integer", "minimum": 1980, "maximum": 2100},
     "description": "签订年份"},
    {"in": "query", "name": "contract_type", "schema": {"type": "string"}, "description": "合同类别代码"},
    {"in": "query", "name": "registration_status", "schema": {"type": "string"},
     "description": "登记状态：pending、registered、refused"},
]


class RowIssueOut(Schema):
    row = fields.Int(metadata={"description": "行号（表格含表头为第 1 行；JSON Lines 为行号）"})
    field = fields.Str(metadata={"description": "列的英文键，或 parties、_row"})
    column = fields.Str(metadata={"description": "列的中文名"})
    message = fields.Str()
    skipped = fields.Bool(metadata={"description": "true：该行被跳过（如已登记合同的内容不同）；false：错误"})


class ImportReportOut(Schema):
    rows = fields.Int()
    created = fields.Int()
    updated = fields.Int()
    unchanged = fields.Int()
    skipped = fields.Int()
    failed = fields.Int()
    issues = fields.List(fields.Nested(RowIssueOut))


@blp.route("/deals/registration.xlsx")
class RegistrationExport(MethodView):
    @require_user
    @problems(403, 422)
    @blp.doc(parameters=FILTER_PARAMETERS, responses={"200": {
        "description": "技术合同登记表（XLSX，登记表字段顺序）",
        "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self):
        """导出技术合同登记表（技术经纪人、平台管理员；筛选条件同合同列表）"""
        filters = batch_filters(request.args)
        deals = batch_deals(current_user, filters)
        return xlsx_response(lambda handle: export_deals(handle, deals), "deal-registration.xlsx")


@blp.route("/deals/import")
class RegistrationImport(MethodView):
    @write_endpoint(blp, ImportReportOut, errors=(403, 413, 422))
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "XLSX、CSV（UTF-8 或 GB18030）或 JSON Lines"}}}}}})
    def post(self):
        """批量导入技术合同记录（以登记编号或外部编号去重；逐行报告错误）"""
        require_importer(current_user)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed(errors={"file": [N_("请上传要导入的文件（multipart 字段 file）")]})
        try:
            fmt = detect_format(upload.filename)
        except FormatError as error:
            raise ValidationFailed(errors={"file": [str(error)]}) from None
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload.{fmt}"
            upload.save(path)
            try:
                report = import_file(current_user, path, fmt, source=upload.filename)
            except FormatError as error:
                raise ValidationFailed(errors={"file": [str(error)]}) from None
        # the importer keeps most row messages as written (Chinese: the CLI's and the stored reports' language);
        # the answer gives them in the request's language, as the import page does
        return {**report.to_dict(), "issues": [
            {"row": i.row, "field": i.field, "column": i.column, "message": translate_message(i.message),
             "skipped": i.skipped}
            for i in report.issues]}
