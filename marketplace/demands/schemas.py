"""Demand schemas."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validates, validates_schema

from ..taxonomy import INDUSTRIES, REGIONS, TECHNICAL_FIELDS, TRANSFER_MODES
from ..listing_schemas import ListingStateOut
from ..timeutil import display_today
from ..validation import Amount, Choice, ChoiceList, Date, InputSchema, Int, Text, TextList, UtcDateTime
from ..web.messages import N_

PAST_DEADLINE = N_("截止日期不能早于今天")


class DemandInput(InputSchema):
    title = Text(required=True, max_length=200, min_length=4)
    problem = Text(required=True, max_length=10000, min_length=10)
    indicators = Text(max_length=5000)
    keywords = TextList(max_items=12, max_length=30)
    industry = Choice(INDUSTRIES, required=True, label="所属行业")
    technical_field = Choice(TECHNICAL_FIELDS, label="技术领域")
    budget_min = Amount()
    budget_max = Amount()
    deadline = Date()
    region = Choice(REGIONS, label="地区代码")
    cooperation_modes = ChoiceList(TRANSFER_MODES, label="合作方式")
    trl_min = Int(1, 9)

    @validates("deadline")
    def _deadline_not_past(self, value, **kwargs):
        """A demand open until a day already gone would be closed on arrival (today, in the users' time zone, is
        still open)."""
        if value is not None and value < display_today():
            raise ValidationError(PAST_DEADLINE)

    @validates_schema
    def _budget(self, data, **kwargs):
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None and high < low:
            raise ValidationError("预算上限不能低于预算下限", field_name="budget_max")


class DemandOut(ListingStateOut):
    id = fields.Int(dump_only=True)
    title = fields.Str()
    problem = fields.Str()
    indicators = fields.Str(allow_none=True)
    keywords = fields.List(fields.Str())
    industry = fields.Str()
    technical_field = fields.Str(allow_none=True)
    budget_min = fields.Float(allow_none=True)
    budget_max = fields.Float(allow_none=True)
    deadline = fields.Date(allow_none=True)
    region = fields.Str(allow_none=True)
    cooperation_modes = fields.List(fields.Str())
    trl_min = fields.Int(allow_none=True)
    org_id = fields.Int(dump_only=True)
    org_name = fields.Function(lambda d: d.organization.name if d.organization else None, dump_only=True)
    status = fields.Str(dump_only=True)
    reject_reason = fields.Str(dump_only=True, allow_none=True)
    version = fields.Int(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)
