"""The registration export: technology contracts as the registration form's rows (XLSX, and CSV / JSON Lines for
the CLI), pre-filled from the deals. One contract for anyone who may see it; a batch for staff.

A batch streams: deals are read in chunks of :data:`CHUNK` by id and written through openpyxl's write-only
workbook (rows go to a temporary file, not to memory), so a batch of any size stays in bounded memory."""
from __future__ import annotations

import csv
import gc
import json
from datetime import date
from collections.abc import Iterable, Iterator
from typing import IO

from marshmallow import fields, validate
from sqlalchemy.orm import selectinload

from ..errors import NotFound
from ..extensions import db
from ..permissions import can_record_deals, can_see_deal, require
from ..validation import Choice, InputSchema, load_or_raise
from ..web.messages import N_
from .models import Deal
from .registration_form import COLUMNS, HEADERS, KEYS, cell_value, deal_values, json_value
from .vocabularies import CONTRACT_TYPES, REGISTRATION_STATUSES

CHUNK = 500
SHEET_TITLE = "技术合同登记"
STAFF_ONLY = N_("只有技术经纪人或平台管理员可以批量导出合同")
MAX_IDS = 1000


class _Ids(fields.Field):
    """``1,2,3`` (or a list) → a list of positive ints."""

    default_error_messages = {"invalid": N_("应为以逗号分隔的合同编号，例如 1,2,3")}

    def _deserialize(self, value, attr, data, **kwargs):
        parts = value if isinstance(value, list) else str(value).replace("，", ",").split(",")
        try:
            ids = [int(str(part).strip()) for part in parts if str(part).strip()]
        except ValueError:
            raise self.make_error("invalid") from None
        if any(i <= 0 or i > 2**31 - 1 for i in ids):
            raise self.make_error("invalid")
        return ids


class BatchFilters(InputSchema):
    """The deals list's filters that a batch export accepts."""

    ids = _Ids(validate=validate.Length(max=MAX_IDS, error=f"一次最多导出 {MAX_IDS} 个指定编号的合同"),
               metadata={"description": "合同编号，以逗号分隔"})
    year = fields.Int(strict=False, validate=validate.Range(min=1980, max=2100, error="年份应在 1980 到 2100 之间"),
                      error_messages={"invalid": N_("年份应为整数")}, metadata={"description": "签订年份"})
    contract_type = Choice(CONTRACT_TYPES, label="合同类别")
    registration_status = Choice(REGISTRATION_STATUSES, label="登记状态")


def batch_filters(args) -> dict:
    """Validated filters from query arguments (422 naming the argument)."""
    data = {key: args.get(key) for key in ("ids", "year", "contract_type", "registration_status")
            if args.get(key) not in (None, "")}
    return load_or_raise(BatchFilters(), data)


def _where(filters: dict) -> list:
    clauses = []
    if filters.get("ids"):
        clauses.append(Deal.id.in_(filters["ids"]))
    if filters.get("year"):
        year = filters["year"]
        clauses.append(Deal.signed_on >= date(year, 1, 1))
        clauses.append(Deal.signed_on <= date(year, 12, 31))
    if filters.get("contract_type"):
        clauses.append(Deal.contract_type == filters["contract_type"])
    if filters.get("registration_status"):
        clauses.append(Deal.registration_status == filters["registration_status"])
    return clauses


def batch_deals(actor, filters: dict) -> Iterator[Deal]:
    """The deals ``filters`` select, by id, read in chunks (staff only: 403 otherwise, checked at once)."""
    require(can_record_deals(actor), STAFF_ONLY)
    return _chunked(_where(filters))


def _chunked(clauses: list) -> Iterator[Deal]:
    last = 0
    while True:
        chunk = db.session.scalars(
            db.select(Deal).where(*clauses, Deal.id > last).order_by(Deal.id).limit(CHUNK)
            .options(selectinload(Deal.parties), selectinload(Deal.payments))).all()
        if not chunk:
            return
        last = chunk[-1].id
        yield from chunk
        del chunk
        gc.collect(1)  # the chunk's deals and parties refer to each other: free them before reading the next


def count_batch(actor, filters: dict) -> int:
    require(can_record_deals(actor), STAFF_ONLY)
    return db.session.scalar(db.select(db.func.count(Deal.id)).where(*_where(filters))) or 0


def visible_deal(actor, deal_id: int) -> Deal:
    """The deal if ``actor`` may see it (both parties, their brokers, staff), else 404."""
    deal = db.session.get(Deal, deal_id)
    if deal is None or not can_see_deal(actor, deal):
        raise NotFound()
    return deal


# -- writers ------------------------------------------------------------------------------------------------------

def write_xlsx(target: str | IO[bytes], records: Iterable[dict]) -> int:
    """The registration form's header row and one row per ``deal_values`` record; returns the rows written."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "C2"
    sheet.append(HEADERS)
    count = 0
    for values in records:
        sheet.append([cell_value(column, values[column.key], values) for column in COLUMNS])
        count += 1
    workbook.save(target)
    return count


def write_csv(target: str, records: Iterable[dict]) -> int:
    """UTF-8 with a BOM (Excel opens it), every cell as text."""
    count = 0
    with open(target, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for values in records:
            writer.writerow(["" if (v := cell_value(c, values[c.key], values, typed=False)) is None else v
                             for c in COLUMNS])
            count += 1
    return count


def write_jsonl(target: str, records: Iterable[dict]) -> int:
    """One JSON object a line, keyed by the columns' English keys, with codes rather than labels."""
    count = 0
    with open(target, "w", encoding="utf-8") as handle:
        for values in records:
            record = {c.key: v for c in COLUMNS if (v := json_value(c, values[c.key])) is not None}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


WRITERS = {"xlsx": write_xlsx, "csv": write_csv, "jsonl": write_jsonl}


def records_of(deals: Iterable[Deal]) -> Iterator[dict]:
    for deal in deals:
        yield deal_values(deal)


def export_deals(target, deals: Iterable[Deal], fmt: str = "xlsx") -> int:
    """Write ``deals`` to ``target`` (a path, or a binary file for XLSX) as ``fmt``; returns the rows written."""
    return WRITERS[fmt](target, records_of(deals))


def write_template(target) -> None:
    """An empty registration form: the header row and one example row (which an import would take as a contract:
    delete it first)."""
    write_xlsx(target, [EXAMPLE])


def _example() -> dict:
    from decimal import Decimal

    values = dict.fromkeys(KEYS)
    values.update({
        "name": "一种锂电池正极材料专利实施许可合同", "signed_on": date(2026, 3, 2), "valid_from": date(2026, 3, 2),
        "valid_to": date(2029, 3, 1), "total_amount": Decimal("120.5"), "technical_amount": Decimal("100"),
        "payment_method": "instalments", "related_party": False, "plan_source": "none", "ip_type": "patent",
        "contract_type": "licence", "contract_subtype": "patent_ordinary", "equity_investment": False,
        "technical_field": "new_energy", "registration_status": "pending", "external_id": "EXAMPLE-0001",
        "seller_name": "某某大学", "seller_credit_code": "12220000412755822W", "seller_nature": "022",
        "seller_country": "156", "seller_region": "220100", "seller_flags": ["rd_institution"],
        "buyer_name": "某某新能源有限公司", "buyer_credit_code": "91220101MA17W3YX0Y", "buyer_nature": "150",
        "buyer_country": "156", "buyer_region": "220100", "buyer_flags": ["high_tech_zone"],
        "buyer_enterprise_size": "small",
    })
    return values


EXAMPLE = _example()
