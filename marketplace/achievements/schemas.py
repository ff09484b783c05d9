"""Achievement schemas: one input schema for forms, the API and imports; one output schema."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..taxonomy import INDUSTRIES, IP_TYPES, REGIONS, TECHNICAL_FIELDS, TRANSFER_MODES
from ..listing_schemas import ListingStateOut
from ..validation import Amount, Choice, ChoiceList, InputSchema, Int, Text, TextList, UtcDateTime


class AchievementInput(InputSchema):
    external_id = Text(max_length=100)
    title = Text(required=True, max_length=200, min_length=4)
    summary = Text(required=True, max_length=2000, min_length=10)
    description = Text(max_length=20000)
    keywords = TextList(max_items=12, max_length=30)
    technical_field = Choice(TECHNICAL_FIELDS, required=True, label="技术领域")
    discipline = Text(max_length=60)
    industries = ChoiceList(INDUSTRIES, label="应用行业")
    trl = Int(1, 9)
    ip_type = Choice(IP_TYPES, label="知识产权类型")
    transfer_modes = ChoiceList(TRANSFER_MODES, label="转化方式")
    price_amount = Amount()  # None / absent = 面议
    benefits = Text(max_length=4000)
    team = Text(max_length=4000)
    region = Choice(REGIONS, label="地区代码")
    contact = Text(max_length=200)
    patent_ids = fields.List(fields.Int(error_messages={"invalid": "专利编号应为整数"},
                                        validate=validate.Range(1, 2**31 - 1, error="专利编号无效")),
                             load_default=list)


class PatentBrief(Schema):
    id = fields.Int()
    number = fields.Str()
    title = fields.Str()
    has_open_licence = fields.Bool()


class AchievementOut(ListingStateOut):
    id = fields.Int(dump_only=True)
    external_id = fields.Str(allow_none=True)
    title = fields.Str()
    summary = fields.Str()
    description = fields.Str(allow_none=True)
    keywords = fields.List(fields.Str())
    technical_field = fields.Str()
    discipline = fields.Str(allow_none=True)
    industries = fields.List(fields.Str())
    trl = fields.Int(allow_none=True)
    ip_type = fields.Str(allow_none=True)
    transfer_modes = fields.List(fields.Str())
    price_amount = fields.Float(allow_none=True)
    negotiable = fields.Bool(dump_only=True)
    benefits = fields.Str(allow_none=True)
    team = fields.Str(allow_none=True)
    region = fields.Str(allow_none=True)
    contact = fields.Str(allow_none=True)
    org_id = fields.Int(dump_only=True)
    org_name = fields.Function(lambda a: a.organization.name if a.organization else None, dump_only=True)
    status = fields.Str(dump_only=True)
    reject_reason = fields.Str(dump_only=True, allow_none=True)
    quality_year = fields.Int(dump_only=True, allow_none=True)
    version = fields.Int(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)
    patents = fields.List(fields.Nested(PatentBrief), dump_only=True)


class AchievementSummaryOut(Schema):
    """The short form used in lists."""

    id = fields.Int(dump_only=True)
    external_id = fields.Str(allow_none=True)
    title = fields.Str()
    summary = fields.Str()
    keywords = fields.List(fields.Str())
    technical_field = fields.Str()
    trl = fields.Int(allow_none=True)
    ip_type = fields.Str(allow_none=True)
    transfer_modes = fields.List(fields.Str())
    price_amount = fields.Float(allow_none=True)
    region = fields.Str(allow_none=True)
    org_id = fields.Int(dump_only=True)
    status = fields.Str(dump_only=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)
