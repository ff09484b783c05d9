"""Patent and open-licence schemas."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..taxonomy import LEGAL_STATUSES, PATENT_TYPES, REGIONS
from ..listing_schemas import ListingStateOut
from ..validation import Amount, Choice, Date, InputSchema, Int, Text, TextList, UtcDateTime

# A Chinese patent (application) number: ZL202110123456.7, CN112345678A, 2021101234567 … Written so that Python and
# the OpenAPI document's ECMA-262 ``pattern`` read it alike (no flags, ASCII digits): the schema states the one rule.
PATENT_NUMBER = re.compile(r"^ *(?:[Zz][Ll]|[Cc][Nn])? ?[0-9]{8,13}(?:\.[0-9]|[A-Za-z][0-9]?)? *$")


class OpenLicenceInput(InputSchema):
    fee_terms = Text(required=True, max_length=2000, min_length=2)
    annual_fee = Amount()
    term_years = Int(1, 20, required=True)
    scope = Text(required=True, max_length=2000, min_length=2)


def _flag() -> fields.Bool:
    return fields.Bool(load_default=False, truthy={True, "true", "1", "yes", "on"},
                       falsy={False, "false", "0", "no", "off", ""}, error_messages={"invalid": "应为是或否"})


class LicenceObstaclesInput(InputSchema):
    """What stands in the way of an open licence, kept by the patentee (a form's unticked box is false)."""

    pledged = _flag()  # 已质押
    pledgee_consents = _flag()  # 质权人同意开放许可
    annual_fees_overdue = _flag()  # 年费欠缴
    ownership_disputed = _flag()  # 权属纠纷或保全


class PatentInput(InputSchema):
    number = Text(required=True, max_length=40,
                  validate=validate.Regexp(PATENT_NUMBER, error="专利号格式不正确，例如 ZL202110123456.7"))
    title = Text(required=True, max_length=200, min_length=2)
    abstract = Text(max_length=5000)
    patent_type = Choice(PATENT_TYPES, label="专利类型", load_default="invention_patent")
    ipc_codes = TextList(max_items=10, max_length=20)
    applicant = Text(required=True, max_length=200)
    legal_status = Choice(LEGAL_STATUSES, label="法律状态", load_default="granted")
    filing_date = Date()
    grant_date = Date()
    expiry_date = Date()
    region = Choice(REGIONS, label="地区代码")

    @validates_schema
    def _dates(self, data, **kwargs):
        filing, expiry = data.get("filing_date"), data.get("expiry_date")
        if filing and expiry and expiry <= filing:
            raise ValidationError("到期日应晚于申请日", field_name="expiry_date")


class OpenLicenceOut(Schema):
    fee_terms = fields.Str()
    annual_fee = fields.Float(allow_none=True)
    term_years = fields.Int()
    scope = fields.Str()
    declared_at = UtcDateTime()
    active = fields.Bool()


class PatentOut(ListingStateOut):
    id = fields.Int(dump_only=True)
    number = fields.Str()
    title = fields.Str()
    abstract = fields.Str(allow_none=True)
    patent_type = fields.Str()
    ipc_codes = fields.List(fields.Str())
    applicant = fields.Str()
    legal_status = fields.Str()
    filing_date = fields.Date(allow_none=True)
    grant_date = fields.Date(allow_none=True)
    expiry_date = fields.Date(allow_none=True)
    region = fields.Str(allow_none=True)
    org_id = fields.Int(dump_only=True)
    status = fields.Str(dump_only=True)
    reject_reason = fields.Str(dump_only=True, allow_none=True)
    version = fields.Int(dump_only=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)
    open_licence = fields.Nested(OpenLicenceOut, allow_none=True, dump_only=True)
    pledged = fields.Bool(dump_only=True, metadata={"description": "已质押"})
    pledgee_consents = fields.Bool(dump_only=True, metadata={"description": "质权人同意开放许可"})
    annual_fees_overdue = fields.Bool(dump_only=True, metadata={"description": "年费欠缴"})
    ownership_disputed = fields.Bool(dump_only=True, metadata={"description": "存在权属纠纷或保全措施"})
