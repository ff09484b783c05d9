"""OpenAPI schemas of the statistics API: the catalogue, a table (columns, rows keyed by column, total) and the
filters. The query schema documents the filters only; :func:`marketplace.statistics.filters.parse` checks them
(one place for the rules and the 422 messages)."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..deals.vocabularies import CONTRACT_FIELDS
from ..taxonomy import REGIONS
from ..validation import InputSchema
from .filters import INSTITUTION_TYPES, SIDES
from .tables import AMOUNT, COUNT, DAYS, PERCENT, TEXT

KINDS = [COUNT, AMOUNT, PERCENT, DAYS, TEXT]


class StatsQuery(InputSchema):
    """The filters every table takes (checked by the statistics filters: a bad value is a 422 naming it)."""

    year = fields.Str(metadata={"description": "签订年份（单一年份；默认今年）", "example": "2025"})
    year_from = fields.Str(metadata={"description": "起始年份（含）", "example": "2023"})
    year_to = fields.Str(metadata={"description": "结束年份（含），范围不超过 50 年", "example": "2025"})
    region = fields.Str(metadata={"description": "省级行政区划代码（GB/T 2260）", "enum": list(REGIONS)})
    side = fields.Str(metadata={"description": "region 指卖方（seller，输出，默认）还是买方（buyer，吸纳）所在地区",
                                "enum": list(SIDES)})
    field = fields.Str(metadata={"description": "技术领域（国家技术合同统计的 11 个领域）", "enum": list(CONTRACT_FIELDS)})
    institution_id = fields.Str(metadata={"description": "卖方机构编号"})
    institution_type = fields.Str(metadata={"description": "卖方机构类型", "enum": list(INSTITUTION_TYPES)})


class TableSummary(Schema):
    id = fields.Str(required=True, metadata={"example": "contracts_by_technical_field"})
    title = fields.Str(required=True)
    definition = fields.Str(required=True, metadata={"description": "口径：这张表统计的是什么"})
    public = fields.Bool(required=True, metadata={"description": "是否在公开统计中提供（小于 3 份合同的组不公开）"})
    chart = fields.Str(allow_none=True, metadata={"description": "建议的图表类型：bar、line、doughnut 或 null"})


class TableCatalogue(Schema):
    items = fields.List(fields.Nested(TableSummary), required=True)


class ColumnOut(Schema):
    key = fields.Str(required=True)
    title = fields.Str(required=True)
    kind = fields.Str(required=True, metadata={"enum": KINDS, "description":
                                               "count 整数；amount 万元（字符串，4 位小数）；percent 百分比（字符串，1 位小数）；"
                                               "days 天数（整数）；text 文字"})


class FiltersOut(Schema):
    year_from = fields.Int(required=True)
    year_to = fields.Int(required=True)
    region = fields.Str(allow_none=True)
    side = fields.Str(required=True)
    field = fields.Str(allow_none=True)
    institution_id = fields.Int(allow_none=True)
    institution_type = fields.Str(allow_none=True)


class TableOut(Schema):
    id = fields.Str(required=True)
    title = fields.Str(required=True)
    definition = fields.Str(required=True)
    filters = fields.Nested(FiltersOut, required=True, metadata={"description": "实际采用的筛选条件"})
    data_as_of = fields.Str(required=True, metadata={"description": "数据时间（RFC 3339，带时区）",
                                                     "example": "2026-12-06T11:30:00+08:00"})
    chart = fields.Str(allow_none=True)
    columns = fields.List(fields.Nested(ColumnOut), required=True)
    rows = fields.List(fields.Dict(keys=fields.Str(), values=fields.Raw(allow_none=True)), required=True,
                       metadata={"description": "每行一个对象：各列的 key → 值，另有 key（该行的代码，如合同类别代码、年份、机构编号）；"
                                                "金额为 4 位小数的字符串（万元），百分比为 1 位小数的字符串，null 表示不适用或不公开"})
    total = fields.Dict(keys=fields.Str(), values=fields.Raw(allow_none=True), allow_none=True,
                        metadata={"description": "合计行（各行可相加时），与 rows 相同的形式但没有 key"})
