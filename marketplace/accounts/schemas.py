"""Input schemas of the accounts package (the web form and the JSON API validate through them)."""
from __future__ import annotations

from marshmallow import ValidationError, pre_load, validates

from ..deals.identifiers import is_valid_credit_code
from ..taxonomy import ORG_TYPES, REGIONS
from ..validation import Choice, InputSchema, Text


class OrganizationInput(InputSchema):
    """An organisation's profile as its admins edit it."""

    name = Text(required=True, max_length=200, metadata={"example": "吉林大学"})
    org_type = Choice(ORG_TYPES, required=True, label="机构类型")
    region = Choice(REGIONS, required=True, label="地区代码", metadata={"description": "GB/T 2260 地区代码"})
    description = Text(max_length=2000)
    website = Text(max_length=300, metadata={"example": "https://www.jlu.edu.cn"})
    credit_code = Text(max_length=18, metadata={"example": "12220000412754832X",
                                                "description": "统一社会信用代码（GB 32100，18 位，末位为校验码）；"
                                                               "预填技术合同的当事人信息"})

    @pre_load
    def _upper_case_code(self, data, **kwargs):
        code = data.get("credit_code") if isinstance(data, dict) else None
        if isinstance(code, str):
            data = {**data, "credit_code": code.strip().upper() or None}
        return data

    @validates("credit_code")
    def _credit_code(self, value, **kwargs):
        if value and not is_valid_credit_code(value):
            raise ValidationError("统一社会信用代码无效：应为 18 位，且最后一位校验码正确")

    @validates("website")
    def _web_address(self, value, **kwargs):
        if value and not value.strip().lower().startswith(("http://", "https://")):
            raise ValidationError("网址应以 http:// 或 https:// 开头")
