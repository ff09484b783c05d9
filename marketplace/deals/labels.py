"""The Chinese names of a contract's fields, as the registration form (技术合同认定登记表) calls them: the labels of
the pages and the field names a 422 states in its message ("技术交易额：技术交易额不能超过合同成交额")."""
from __future__ import annotations

from flask import has_request_context

from ..errors import ValidationFailed
from ..web.messages import N_, translate_message
from .vocabularies import PARTY_ROLES

FIELD_LABELS: dict[str, str] = {
    "name": N_("合同名称"), "contract_type": N_("合同类别"), "contract_subtype": N_("合同子类"),
    "kind": N_("合同类别"), "equity_investment": N_("技术入股（作价投资）"), "total_amount": N_("合同成交额（万元）"),
    "technical_amount": N_("技术交易额（万元）"), "payment_method": N_("支付方式"), "related_party": N_("关联交易"),
    "signed_on": N_("签订日期"), "valid_from": N_("有效期起"), "valid_to": N_("有效期止"),
    "plan_source": N_("计划来源"), "ip_type": N_("知识产权类型"), "technical_field": N_("技术领域"),
    "socio_economic_goal": N_("社会经济目标"), "registration_number": N_("合同登记编号"),
    "registered_on": N_("登记日期"), "external_id": N_("外部编号"), "notes": N_("备注"), "parties": N_("合同方"),
    "reason": N_("原因"), "received_on": N_("到账日期"), "amount": N_("金额（万元）"), "note": N_("说明"),
    "form": N_("奖励形式"), "persons": N_("奖励人数"), "awarded_on": N_("奖励日期"), "consent": N_("是否同意"),
    "inquiry_id": N_("来源洽谈"), "opportunity_id": N_("来源商机"), "underlying_deal_id": N_("所中介的合同"),
    "demand_id": N_("来源技术需求"), "challenge_id": N_("来源揭榜挂帅榜单"), "achievement_ids": N_("关联科技成果"),
    "patent_ids": N_("关联专利"), "Idempotency-Key": N_("Idempotency-Key 请求头"), "version": N_("版本号"),
}
PARTY_FIELD_LABELS: dict[str, str] = {
    "role": N_("合同方角色"), "org_id": N_("平台机构"), "name": N_("名称"), "credit_code": N_("统一社会信用代码"),
    "nature": N_("主体性质"), "country": N_("国别代码"), "region": N_("行政区划代码"), "flags": N_("主体属性"),
    "enterprise_size": N_("企业规模"), "industry": N_("国民经济行业代码"), "address": N_("地址"),
    "legal_representative": N_("法定代表人"), "contact": N_("联系人"), "phone": N_("电话"), "postcode": N_("邮政编码"),
}


COLON, LIST_SEPARATOR, JOINER = N_("："), N_("、"), N_("；")


def _t(text: str) -> str:
    """``text`` in the user's language when there is a request (numbers looked up as placeholders)."""
    return translate_message(text) if has_request_context() else text


def _messages(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _messages(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _messages(item)]
    return [str(value)]


def describe(errors: dict, roles: list[str] | None = None) -> str:
    """One sentence naming every field in error in Chinese: ``技术交易额（万元）：技术交易额不能超过合同成交额；…``.
    ``roles`` are the roles of the submitted parties in order (a party's errors are keyed by its position)."""
    parts: list[str] = []
    for name, value in errors.items():
        if name == "parties" and isinstance(value, dict):
            for index, fields in value.items():
                role = roles[index] if roles and isinstance(index, int) and index < len(roles) else None
                who = _t(PARTY_ROLES[role][0]) if role in PARTY_ROLES else _t("合同方") + f" {index}"
                for field, messages in (fields.items() if isinstance(fields, dict) else [("", fields)]):
                    label = _t(PARTY_FIELD_LABELS.get(field, field)) if field else ""
                    text = _t(LIST_SEPARATOR).join(_t(m) for m in _messages(messages))
                    parts.append(f"{who} · {label}{_t(COLON)}{text}" if label else f"{who}{_t(COLON)}{text}")
            continue
        label = _t(FIELD_LABELS.get(name, name)) if name not in ("_schema", "_form") else ""
        text = _t(LIST_SEPARATOR).join(_t(m) for m in _messages(value))
        parts.append(f"{label}{_t(COLON)}{text}" if label else text)
    return _t(JOINER).join(parts)


def labelled(error: ValidationFailed, roles: list[str] | None = None) -> ValidationFailed:
    """``error`` with a message that names each field in error (the API's ``detail``); the per-field ``errors``
    are unchanged."""
    if not error.errors:
        return error
    return ValidationFailed(describe(error.errors, roles), errors=error.errors)
