"""Input and output of patent licences: taking an open licence (专利开放许可) in one step, recording a licence granted
outside the platform, and the licence as the API shows it."""
from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from ..workflow.deals import LICENCE
from ..validation import Choice, Date, InputSchema, Int, Text, UtcDateTime
from ..web.messages import N_
from .contract_input import Money

LICENCE_SCOPES: dict[str, tuple[str, str]] = {
    "ordinary": ("普通许可", "Ordinary licence"),
    "sole": ("排他许可", "Sole licence"),
    "exclusive": ("独占许可", "Exclusive licence"),
}
MAX_TERM_YEARS = 30


class TakeLicenceInput(InputSchema):
    """取得许可: the licensee's written notice (Patent Law art. 51) accepting the announced terms."""

    starts_on = Date(metadata={"description": "许可开始日期，默认今天，不能早于今天"})
    term_years = Int(1, MAX_TERM_YEARS, metadata={
        "description": "许可期限（年），默认且最长为声明的期限，且不超过专利到期日；至少 1 年"})
    confirm = fields.Bool(load_default=False, allow_none=True, truthy={True, "true", "1", "yes", "on"},
                          falsy={False, "false", "0", "no", "off", ""}, error_messages={"invalid": N_("应为是或否")},
                          metadata={"description": "确认接受声明的许可使用费条件，并以此作为向专利权人发出的书面通知；须为 true"})
    credit_code = Text(max_length=18, metadata={
        "description": "本机构的统一社会信用代码：机构资料中没有时必填（技术合同登记需要），保存到机构资料"})
    terms = Text(max_length=64, metadata={
        "description": "确认时看到的许可条件指纹（terms_fingerprint）；条件已被修改时返回 409"})


class RecordLicenceInput(InputSchema):
    """A licence the patentee granted outside the platform (by contract), recorded so the rules can see it."""

    scope = Choice(LICENCE_SCOPES, required=True, label="许可类型")
    licensee_name = Text(required=True, max_length=200, min_length=2)
    starts_on = Date(required=True)
    term_years = Int(1, MAX_TERM_YEARS, required=True)
    fee_terms = Text(max_length=2000)
    annual_fee = Money()


class LicenceOut(Schema):
    id = fields.Int()
    patent_id = fields.Int()
    patent_number = fields.Str(attribute="patent.number")
    patent_title = fields.Str(attribute="patent.title")
    patentee_org_id = fields.Int(attribute="patent.org_id")
    licensee_org_id = fields.Int(allow_none=True)
    licensee_name = fields.Str()
    scope = fields.Str(metadata={"description": "ordinary 普通许可 / sole 排他许可 / exclusive 独占许可"})
    via_open_licence = fields.Bool()
    fee_terms = fields.Str()
    annual_fee = fields.Decimal(places=4, as_string=True, allow_none=True, metadata={"description": "万元/年"})
    starts_on = fields.Date()
    term_years = fields.Int()
    ends_on = fields.Date()
    terms_confirmed_at = UtcDateTime(allow_none=True, metadata={"description": "书面通知（专利法第五十一条）的时间"})
    status = fields.Str(metadata={"description": "active 有效 / ended 已终止"})
    deal_id = fields.Int(allow_none=True, metadata={"description": "由此形成的技术许可合同"})
    created_at = UtcDateTime()
    ended_at = UtcDateTime(allow_none=True)
    version = fields.Int()
    actions = fields.Function(lambda licence: LICENCE.available(current_user, licence), dump_only=True,
                              metadata={"description": "当前用户可执行的操作，例如 end（终止许可）"})


class LicenceList(Schema):
    items = fields.List(fields.Nested(LicenceOut), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)
