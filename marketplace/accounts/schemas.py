"""Input schemas of the accounts package (the web form and the JSON API validate through them)."""
from __future__ import annotations

from marshmallow import ValidationError, validates

from ..taxonomy import ORG_TYPES, REGIONS
from ..validation import Choice, InputSchema, Text


class OrganizationInput(InputSchema):
    """An organisation's profile as its admins edit it."""

    name = Text(required=True, max_length=200, metadata={"example": "吉林大学"})
    org_type = Choice(ORG_TYPES, required=True, label="机构类型")
    region = Choice(REGIONS, required=True, label="地区代码", metadata={"description": "GB/T 2260 地区代码"})
    description = Text(max_length=2000)
    website = Text(max_length=300, metadata={"example": "https://www.jlu.edu.cn"})

    @validates("website")
    def _web_address(self, value, **kwargs):
        if value and not value.strip().lower().startswith(("http://", "https://")):
            raise ValidationError("网址应以 http:// 或 https:// 开头")
