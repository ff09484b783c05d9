"""What a technology contract's input may hold, checked in one place for the pages, the API and bulk imports:
the registration form's fields, the parties, and the rules between them (技术交易额 ≤ 成交额, sub-type of the type,
end after start, valid credit codes and regions, a 技术入股 registered as 技术转让)."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from ..validation import Choice, ChoiceList, Date, InputSchema, Text, invalid_choice
from ..web.messages import N_
from .identifiers import is_valid_country, is_valid_credit_code, is_valid_region, is_valid_registration_number
from .vocabularies import (CONTRACT_FIELDS, CONTRACT_IP_TYPES, CONTRACT_SUBTYPES, CONTRACT_TYPES, ENTERPRISE_SIZES,
                           PARTY_FLAGS, PARTY_NATURES, PARTY_ROLES, PAYMENT_METHODS, PLAN_SOURCES)

PLACES = 4  # 万元 to ¥1
MAX_AMOUNT = Decimal("100000000")  # 万元 = ¥1 万亿: larger is a typing error
NATURAL_PERSON = "400"
CHINA = "156"


class ExactAmount(fields.Decimal):
    """A Decimal of at most :data:`PLACES` decimals: more are refused instead of rounded away."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            try:
                exponent = Decimal(str(value).strip()).as_tuple().exponent
            except ArithmeticError:
                exponent = 0  # the parent's "invalid" message
            if isinstance(exponent, int) and exponent < -PLACES:
                raise ValidationError(f"金额最多保留 {PLACES} 位小数（单位：万元）")
        return super()._deserialize(value, attr, data, **kwargs)


def Money(required: bool = False, **kw) -> fields.Decimal:
    """An amount in 万元 with up to 4 decimals (exact: never a float; a fifth decimal is refused, not rounded)."""
    return ExactAmount(places=PLACES, as_string=False, required=required, allow_none=not required,
                          validate=validate.Range(min=0, max=MAX_AMOUNT,
                                                  error="金额应为 0 到 1 万亿元之间的数字（单位：万元）"),
                          error_messages={"required": "此项为必填项", "null": "此项不能为空",
                                          "invalid": "请输入有效的金额（单位：万元）", "special": "请输入有效的金额"},
                          **kw)


class PartyInput(InputSchema):
    role = Choice(PARTY_ROLES, required=True, label="合同方角色")
    org_id = fields.Int(allow_none=True, strict=False, error_messages={"invalid": "请输入整数"})
    name = Text(required=True, max_length=200)
    credit_code = Text(max_length=18)
    nature = Choice(PARTY_NATURES, required=True, label="主体性质")
    country = Text(max_length=3)
    region = Text(max_length=6)
    flags = ChoiceList(PARTY_FLAGS, label="主体属性")
    enterprise_size = Choice(ENTERPRISE_SIZES, label="企业规模")
    industry = Text(max_length=10)
    address = Text(max_length=300)
    legal_representative = Text(max_length=100)
    contact = Text(max_length=100)
    phone = Text(max_length=40)
    postcode = Text(max_length=6)

    @validates_schema
    def _codes(self, data, partial=None, **kwargs):
        errors: dict[str, list[str]] = {}
        country = data.get("country") or CHINA
        data["country"] = country
        if not is_valid_country(country):
            errors["country"] = ["国别代码应为 3 位数字（中国为 156）"]
        code = (data.get("credit_code") or "").strip().upper()
        if code:
            if not is_valid_credit_code(code):
                errors["credit_code"] = ["统一社会信用代码无效：应为 18 位，且最后一位校验码正确"]
            data["credit_code"] = code
        elif data.get("nature") != NATURAL_PERSON and country == CHINA and not partial:
            errors["credit_code"] = [N_("请填写统一社会信用代码（自然人除外）")]
        region = (data.get("region") or "").strip()
        if region:
            if not is_valid_region(region):
                errors["region"] = ["行政区划代码无效：应为 6 位 GB/T 2260 代码"]
        elif country == CHINA and not partial:
            errors["region"] = [N_("请填写行政区划代码")]
        postcode = data.get("postcode")
        if postcode and not (len(postcode) == 6 and postcode.isdigit()):
            errors["postcode"] = ["邮政编码应为 6 位数字"]
        if errors:
            raise ValidationError(errors)


class PaymentInput(InputSchema):
    received_on = Date(required=True)
    amount = Money(required=True)
    note = Text(max_length=200)


class RewardInput(InputSchema):
    form = Choice({"cash": 1, "equity": 1}, required=True, label="奖励形式")
    amount = Money(required=True)
    persons = fields.Int(required=True, strict=False, validate=validate.Range(min=1, max=10000,
                                                                              error="人数应为 1 到 10000 之间的整数"),
                         error_messages={"required": "此项为必填项", "invalid": "请输入整数"})
    awarded_on = Date()


class ContractInput(InputSchema):
    name = Text(required=True, max_length=200, min_length=2)
    contract_type = Choice(CONTRACT_TYPES, required=True, label="合同类别")
    contract_subtype = Text(required=True, max_length=30)
    equity_investment = fields.Bool(load_default=False, error_messages={"invalid": N_("应为是或否")})
    total_amount = Money(required=True)
    technical_amount = Money(required=True)
    payment_method = Choice(PAYMENT_METHODS, required=True, label="支付方式")
    related_party = fields.Bool(load_default=False, error_messages={"invalid": N_("应为是或否")})
    signed_on = Date(required=True)
    valid_from = Date()
    valid_to = Date()
    plan_source = Choice(PLAN_SOURCES, label="计划来源", load_default="none")
    ip_type = Choice(CONTRACT_IP_TYPES, label="知识产权类型", load_default="none")
    technical_field = Choice(CONTRACT_FIELDS, required=True, label="技术领域")
    socio_economic_goal = Text(max_length=10)
    registration_number = Text(max_length=16)
    external_id = Text(max_length=64)
    notes = Text(max_length=4000)
    parties = fields.List(fields.Nested(PartyInput), required=True,
                          error_messages={"required": N_("请填写合同双方"), "invalid": "应为列表"})

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data, partial=None, **kwargs):
        errors: dict[str, list[str]] = {}
        kind, sub = data.get("contract_type"), data.get("contract_subtype")
        if kind in CONTRACT_SUBTYPES and sub is not None and sub not in CONTRACT_SUBTYPES[kind]:
            errors["contract_subtype"] = [invalid_choice(N_("合同子类"), sub)]
        if data.get("equity_investment") and kind is not None and kind != "transfer":
            errors["equity_investment"] = [N_("技术入股（作价投资）按技术转让合同登记，合同类别应为技术转让")]
        if data.get("payment_method") == "equity":
            if kind is not None and kind != "transfer":
                errors["payment_method"] = [N_("作价入股的合同按技术转让合同登记，合同类别应为技术转让")]
            else:
                data["equity_investment"] = True
        total, technical = data.get("total_amount"), data.get("technical_amount")
        if total is not None and technical is not None and technical > total:
            errors["technical_amount"] = [N_("技术交易额不能超过合同成交额")]
        start, end = data.get("valid_from"), data.get("valid_to")
        if start is not None and end is not None and end < start:
            errors["valid_to"] = [N_("合同有效期的结束日期不能早于开始日期")]
        number = data.get("registration_number")
        if number and not is_valid_registration_number(number):
            errors["registration_number"] = ["合同登记编号应为 16 位数字"]
        parties = data.get("parties")
        if parties is not None:
            roles = [party.get("role") for party in parties]
            if roles.count("seller") != 1 or roles.count("buyer") != 1:
                errors["parties"] = [N_("合同应有且只有一个卖方和一个买方")]
            elif roles.count("intermediary") and not (kind == "service" and sub == "intermediary"):
                errors["parties"] = [N_("只有技术中介合同有中介方")]
        if errors:
            raise ValidationError(errors)


SCALAR_FIELDS = ("name", "contract_type", "contract_subtype", "equity_investment", "total_amount", "technical_amount",
                 "payment_method", "related_party", "signed_on", "valid_from", "valid_to", "plan_source", "ip_type",
                 "technical_field", "socio_economic_goal", "registration_number", "external_id", "notes")
PARTY_FIELDS = ("role", "org_id", "name", "credit_code", "nature", "country", "region", "flags", "enterprise_size",
                "industry", "address", "legal_representative", "contact", "phone", "postcode")


def apply_contract(deal, data: dict) -> None:
    """Write loaded ``data`` (from :class:`ContractInput`) onto ``deal``; parties given replace the parties held."""
    from .models import DealParty

    for name in SCALAR_FIELDS:
        if name in data:
            setattr(deal, name, data[name] if data[name] != "" else None)
    if "parties" in data:
        by_role = {party.role: party for party in deal.parties}
        keep = []
        for given in data["parties"]:
            party = by_role.pop(given["role"], None) or DealParty(role=given["role"])
            for name in PARTY_FIELDS:
                setattr(party, name, given.get(name, [] if name == "flags" else None))
            keep.append(party)
        deal.parties[:] = keep
