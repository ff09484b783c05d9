"""The column layout of the technology-contract registration form (技术合同认定登记表) shared by the registration
export and the bulk import: one row per contract, columns in the form's field order, each with its Chinese header
and an English key.

Order (after the national form's instructions as summarised in ``shared/DOMAIN.md``): 合同登记编号, 项目名称, dates,
amounts, 支付方式, 关联交易, 计划来源, 知识产权类型, 合同类别 and 子类, 技术领域, 社会经济目标; then the seller's,
the buyer's and the intermediary's columns (headers prefixed 卖方 / 买方 / 中介方, keys ``seller_`` / ``buyer_`` /
``intermediary_``); then the platform's own columns: registration status and date, refusal reason, external id,
payments received and notes.

Values: vocabulary columns are written as their Chinese labels and read back from a label (Chinese or English) or
a code; amounts are numbers in 万元 (exact: read back through their decimal text, never kept as floats); dates are
dates; yes/no columns 是 / 否; party attributes several labels joined with ``；``; codes (credit code, region, 国别,
邮编, 登记编号) are text, and digits that a spreadsheet turned into a number are read back zero-padded.
Payments received: ``到账明细`` holds one payment a line (``2026-03-01 50.5 备注``); when a file has no
``到账明细`` but ``到账金额合计`` and ``到账日期``, that is read as one payment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .vocabularies import (CONTRACT_FIELDS, CONTRACT_IP_TYPES, CONTRACT_SUBTYPES, CONTRACT_TYPES, ENTERPRISE_SIZES,
                           PARTY_FLAGS, PARTY_NATURES, PAYMENT_METHODS, PLAN_SOURCES, REGISTRATION_STATUSES)

ROLE_PREFIXES = {"seller": "卖方", "buyer": "买方", "intermediary": "中介方"}
ROLE_NAMES = {"seller": "Seller", "buyer": "Buyer", "intermediary": "Intermediary"}
LIST_JOINER = "；"
LIST_SPLIT = re.compile(r"[;；,，、|\n]")
PAYMENT_SPLIT = re.compile(r"[;；\n]")
YES = frozenset({"是", "y", "yes", "true", "1", "t", "√"})
NO = frozenset({"否", "n", "no", "false", "0", "f", "×"})
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass(frozen=True)
class Column:
    """One column: ``key`` (English, also the JSON Lines key), ``header`` (Chinese, the file's header), ``english``
    (its name on English pages), how its values look
    (``kind``: text, code, amount, date, bool, choice, choices, subtype, payments) and, for codes that may lose
    leading zeros in a spreadsheet, the width to pad digits back to."""

    key: str
    header: str
    english: str
    kind: str = "text"
    vocabulary: dict | None = None
    pad: int = 0
    role: str | None = None  # a party's column: the party's role
    field: str | None = None  # the attribute (of the deal, or of the party)
    width: int = 14


def _party_columns(role: str) -> list[Column]:
    prefix = ROLE_PREFIXES[role]
    spec = [("name", "名称", "name", "text", None, 0, 28),
            ("credit_code", "统一社会信用代码", "unified social credit code", "code", None, 0, 22),
            ("nature", "主体性质", "entity type", "choice", PARTY_NATURES, 3, 22),
            ("country", "国别代码", "country code", "code", None, 3, 10),
            ("region", "行政区划代码", "administrative division code", "code", None, 6, 12),
            ("flags", "主体属性", "entity attributes", "choices", PARTY_FLAGS, 0, 20),
            ("enterprise_size", "企业规模", "enterprise size", "choice", ENTERPRISE_SIZES, 0, 10),
            ("industry", "国民经济行业代码", "industry code (GB/T 4754)", "code", None, 0, 12),
            ("address", "通讯地址", "postal address", "text", None, 0, 28),
            ("legal_representative", "法定代表人", "legal representative", "text", None, 0, 12),
            ("contact", "联系人", "contact person", "text", None, 0, 12),
            ("phone", "联系电话", "phone", "code", None, 0, 16),
            ("postcode", "邮政编码", "postcode", "code", None, 6, 10)]
    return [Column(f"{role}_{field}", f"{prefix}{header}", f"{ROLE_NAMES[role]} {english}", kind, vocabulary, pad,
                   role, field, width)
            for field, header, english, kind, vocabulary, pad, width in spec]


COLUMNS: list[Column] = [
    Column("registration_number", "合同登记编号", "Contract registration number", "code", field="registration_number", width=20),
    Column("name", "项目名称（合同名称）", "Project name (contract name)", field="name", width=36),
    Column("signed_on", "签订日期", "Signing date", "date", field="signed_on", width=12),
    Column("valid_from", "合同有效期起", "Valid from", "date", field="valid_from", width=12),
    Column("valid_to", "合同有效期止", "Valid until", "date", field="valid_to", width=12),
    Column("total_amount", "合同成交额（万元）", "Contract value (¥10k)", "amount", field="total_amount"),
    Column("technical_amount", "技术交易额（万元）", "Tech. transaction value (¥10k)", "amount", field="technical_amount"),
    Column("payment_method", "支付方式", "Payment method", "choice", PAYMENT_METHODS, field="payment_method", width=10),
    Column("related_party", "关联交易", "Related-party transaction", "bool", field="related_party", width=8),
    Column("plan_source", "计划来源", "Plan source", "choice", PLAN_SOURCES, field="plan_source", width=10),
    Column("ip_type", "知识产权类型", "Intellectual property type", "choice", CONTRACT_IP_TYPES, field="ip_type"),
    Column("contract_type", "合同类别", "Contract type", "choice", CONTRACT_TYPES, field="contract_type", width=10),
    Column("contract_subtype", "合同子类", "Contract sub-type", "subtype", field="contract_subtype", width=22),
    Column("equity_investment", "技术入股（作价投资）", "Technology as equity (capital contribution)", "bool", field="equity_investment", width=8),
    Column("technical_field", "技术领域", "Technical field", "choice", CONTRACT_FIELDS, field="technical_field", width=20),
    Column("socio_economic_goal", "社会经济目标", "Socio-economic objective", "code", field="socio_economic_goal", width=10),
    *_party_columns("seller"),
    *_party_columns("buyer"),
    *_party_columns("intermediary"),
    Column("registration_status", "登记状态", "Registration status", "choice", REGISTRATION_STATUSES, field="registration_status",
           width=10),
    Column("registered_on", "登记日期", "Registration date", "date", field="registered_on", width=12),
    Column("registration_reason", "不予登记原因", "Reason for refusal", field="registration_reason", width=24),
    Column("external_id", "外部编号", "External ID", "code", field="external_id", width=16),
    Column("received_amount", "到账金额合计（万元）", "Total received (¥10k)", "amount", field="received_amount"),
    Column("received_on", "到账日期", "Date received", "date", field="received_on", width=12),
    Column("payments", "到账明细", "Payments received", "payments", field="payments", width=30),
    Column("notes", "备注", "Notes", field="notes", width=30),
]
BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
KEYS: list[str] = [column.key for column in COLUMNS]
HEADERS: list[str] = [column.header for column in COLUMNS]

#: columns computed from the payments (written for people; read only when 到账明细 is absent)
DERIVED = frozenset({"received_amount", "received_on"})
EXTRA_LABELS = {"parties": "合同双方", "_row": "整行", "_schema": "整行", "file": "文件"}
#: key → (Chinese header, English name) of every column and of the import report's other fields, for
#: :func:`marketplace.taxonomy.label` on pages
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    **{column.key: (column.header, column.english) for column in COLUMNS},
    "parties": ("合同双方", "Contract parties"), "_row": ("整行", "Whole row"), "_schema": ("整行", "Whole row"),
    "file": ("文件", "File")}


def _plain(text: str) -> str:
    """A header as compared: no spaces, BOM or unit brackets (``合同成交额（万元）`` = ``合同成交额(万元)`` =
    ``合同成交额``), lower case for English keys."""
    text = text.replace("\ufeff", "").replace(" ", "").replace("\u3000", "").lower()
    return re.sub(r"[（(][^）)]*[）)]$", "", text)


HEADER_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    HEADER_KEYS[_plain(_column.key)] = _column.key
    HEADER_KEYS[_plain(_column.header)] = _column.key
    HEADER_KEYS[_column.header] = _column.key
HEADER_KEYS["合同名称"] = "name"
HEADER_KEYS["项目名称"] = "name"


def key_of_header(header) -> str | None:
    """The column key a file's header (Chinese header or English key) names; None for a column we do not know."""
    if header is None:
        return None
    text = str(header).strip().replace("\ufeff", "")
    return HEADER_KEYS.get(text) or HEADER_KEYS.get(_plain(text))


def label_of(key: str) -> str:
    """The Chinese header of a column key (also for the error report's fields such as ``parties``)."""
    column = BY_KEY.get(key)
    return column.header if column else EXTRA_LABELS.get(key, key)


# -- writing values ------------------------------------------------------------------------------------------------

def decimal_text(value: Decimal) -> str:
    """``Decimal("120.5000")`` → ``"120.5"`` (never an exponent)."""
    text = format(value.normalize(), "f")
    return text


def deal_values(deal) -> dict:
    """A deal as ``key → value`` with codes, Decimals, dates, booleans and lists (see :func:`cell_value`)."""
    values: dict = {}
    parties = {party.role: party for party in deal.parties}
    for column in COLUMNS:
        if column.role is not None:
            party = parties.get(column.role)
            values[column.key] = getattr(party, column.field) if party is not None else None
        elif column.key == "registration_status":
            values[column.key] = str(deal.registration_status)
        elif column.key == "received_amount":
            values[column.key] = deal.received_amount if deal.payments else None
        elif column.key == "received_on":
            values[column.key] = deal.payments[-1].received_on if deal.payments else None
        elif column.key == "payments":
            values[column.key] = [{"received_on": p.received_on, "amount": p.amount, "note": p.note}
                                  for p in deal.payments] or None
        else:
            values[column.key] = getattr(deal, column.field)
    return values


def _label(vocabulary: dict, code) -> str:
    labels = vocabulary.get(code)
    return labels[0] if labels else str(code)


def cell_value(column: Column, value, values: dict, *, typed: bool = True):
    """What a spreadsheet cell shows for ``value``: labels for codes; ``typed`` keeps numbers and dates as such
    (XLSX), otherwise every cell is text (CSV)."""
    if value is None or value == [] or value == "":
        return None
    kind = column.kind
    if kind == "amount":
        return value if typed else decimal_text(value)
    if kind == "date":
        return value if typed else value.isoformat()
    if kind == "bool":
        return "是" if value else "否"
    if kind == "choice":
        return _label(column.vocabulary, value)
    if kind == "choices":
        return LIST_JOINER.join(_label(column.vocabulary, code) for code in value)
    if kind == "subtype":
        return _label(CONTRACT_SUBTYPES.get(values.get("contract_type"), {}), value)
    if kind == "payments":
        lines = []
        for payment in value:
            line = f"{payment['received_on'].isoformat()} {decimal_text(payment['amount'])}"
            if payment.get("note"):
                line += " " + PAYMENT_SPLIT.sub("，", payment["note"]).strip()
            lines.append(line)
        return "\n".join(lines)
    return str(value)


def json_value(column: Column, value):
    """What a JSON Lines record holds for ``value``: codes, amounts as decimal text, ISO dates."""
    if value is None or value == []:
        return None
    if column.kind == "amount":
        return decimal_text(value)
    if column.kind == "date":
        return value.isoformat()
    if column.kind == "payments":
        return [{"received_on": p["received_on"].isoformat(), "amount": decimal_text(p["amount"]),
                 **({"note": p["note"]} if p.get("note") else {})} for p in value]
    return value


# -- reading values ------------------------------------------------------------------------------------------------

def _text(raw) -> str | None:
    """A cell as text: integral floats without ``.0``, dates as ISO; None when empty."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        raw = int(raw) if raw.is_integer() else Decimal(repr(raw))
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    return text or None


def _same(text: str) -> str:
    """A label as compared: no spaces, half-width brackets and colons as full-width ones, lower case."""
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）").replace(":", "：").lower()


def _code_of(vocabulary: dict, text: str, pad: int = 0):
    if pad and text.isdigit():
        text = text.zfill(pad)
    if text in vocabulary:
        return text
    plain = _same(text)
    for code, (zh, en) in vocabulary.items():
        if plain in (_same(zh), _same(en), code.lower()):
            return code
    return text  # unknown: the schema names the field and the value


def _subtype_of(contract_type, text: str):
    subtypes = CONTRACT_SUBTYPES.get(contract_type or "", {})
    if "/" in text and text not in subtypes:  # the whole kind label "技术许可 / 专利实施许可（普通）"
        text = text.split("/", 1)[1].strip()
    if not subtypes:
        return text
    return _code_of(subtypes, text)


def _date_text(text: str) -> str:
    match = _DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text
    return text


def _bool(text: str):
    lowered = text.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    return text  # the schema answers 应为是或否


def _amount_text(raw) -> str | None:
    if isinstance(raw, float):
        return str(Decimal(repr(raw)))
    text = _text(raw)
    return text.replace(",", "").replace("，", "") if text is not None else None


def parse_payments(raw) -> list[dict] | str:
    """``到账明细`` (lines ``YYYY-MM-DD amount [note]``) or a JSON list of objects → payment dicts for
    :class:`~marketplace.deals.contract_input.PaymentInput`; a line that cannot be read → its text (an error)."""
    if isinstance(raw, list):
        return [dict(item) if isinstance(item, dict) else {"received_on": item} for item in raw]
    payments = []
    for line in PAYMENT_SPLIT.split(str(raw)):
        parts = line.strip().split(None, 2)
        if not parts:
            continue
        if len(parts) < 2:
            return line.strip()
        payment = {"received_on": _date_text(parts[0]), "amount": parts[1].replace(",", "")}
        if len(parts) == 3:
            payment["note"] = parts[2]
        payments.append(payment)
    return payments


def parse_value(column: Column, raw, contract_type=None):
    """A file's value for ``column`` as the contract input expects it (codes, decimal text, ISO dates, booleans,
    lists); None for an empty cell. Unreadable values are passed on as they are, for the schema to name."""
    if column.kind == "payments":
        if raw is None or raw == "" or raw == []:
            return None
        return parse_payments(raw)
    if column.kind == "choices":
        if isinstance(raw, list):
            items = [str(item).strip() for item in raw if str(item).strip()]
        else:
            text = _text(raw)
            items = [part.strip() for part in LIST_SPLIT.split(text) if part.strip()] if text else []
        return [_code_of(column.vocabulary, item) for item in items]
    if column.kind == "amount":
        return _amount_text(raw)
    if column.kind == "bool" and isinstance(raw, bool):
        return raw
    text = _text(raw)
    if text is None:
        return None
    if column.kind == "date":
        return _date_text(text)
    if column.kind == "bool":
        return _bool(text)
    if column.kind == "choice":
        return _code_of(column.vocabulary, text, column.pad)
    if column.kind == "subtype":
        return _subtype_of(contract_type, text)
    if column.kind == "code" and column.pad and text.isdigit():
        return text.zfill(column.pad)
    if column.kind == "code":
        return text.upper() if column.field == "credit_code" else text
    return text


def parse_record(raw: dict) -> dict:
    """A file's record (headers or keys → raw values) as ``key → value`` over the columns it has; a column present
    but empty is ``None`` (it clears the field on an update)."""
    by_key: dict = {}
    for header, value in raw.items():
        key = key_of_header(header)
        if key is not None:
            by_key[key] = value
    contract_type = None
    if "contract_type" in by_key:
        contract_type = parse_value(BY_KEY["contract_type"], by_key["contract_type"])
    return {key: parse_value(BY_KEY[key], value, contract_type) for key, value in by_key.items()}

