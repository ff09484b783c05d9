"""XLSX and CSV exports of the statistics tables, and the annual-report workbook — rendered from the same
:class:`~marketplace.statistics.tables.Table` as the dashboard and the API, so all agree cell for cell.

Layout of a table (CSV and each table sheet alike): row 1 the title, row 2 the column titles, then one row per
table row and the total row last (its first cell 合计). The definition, the filters and the data-as-of time are in
the 说明 sheet of a workbook and after a blank line at the end of a CSV. Amounts are numbers in 万元 (4 decimals),
percents numbers with 1 decimal; a withheld cell is empty.

Everything streams: a CSV is a generator of lines; a workbook is written with openpyxl's write-only mode (rows go to
a temporary file as they are appended) into an anonymous temporary file, and the 合同明细 sheet reads the contracts
with ``yield_per`` — so 100,000 contracts export in bounded memory.
"""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import IO

from flask_babel import gettext
from sqlalchemy import func, select

from ..accounts.models import Organization
from ..deals.models import Deal, DealPayment
from ..deals.vocabularies import CONTRACT_FIELDS, CONTRACT_SUBTYPES, CONTRACT_TYPES
from ..extensions import db
from ..taxonomy import ORG_TYPES, REGIONS, label
from ..web.messages import N_
from .annual_report import REPORT_CATEGORIES, report_contracts
from .contracts import BUYER, SELLER, to_wan, units, with_parties
from .filters import INSTITUTION_TYPES, SIDES, StatsFilter
from .models import ContractFact as Fact
from .tables import AMOUNT, ANNUAL_REPORT_TABLES, PERCENT, Table, build

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {AMOUNT: "0.0000", PERCENT: "0.0"}
NOTES_SHEET = N_("说明")
CONTRACTS_SHEET = N_("合同明细")
COVER_SHEET = N_("封面")
YIELD_PER = 2000
CONTRACT_COLUMNS = [  # (msgid, kind, width)
    (N_("合同登记编号"), "text", 18), (N_("合同名称"), "text", 36), (N_("年度报告类别"), "text", 10),
    (N_("合同类别"), "text", 10), (N_("合同子类"), "text", 22), (N_("卖方"), "text", 26), (N_("卖方地区"), "text", 16),
    (N_("买方"), "text", 26), (N_("买方地区"), "text", 16), (N_("技术领域"), "text", 16), (N_("签订日期"), "date", 12),
    (N_("合同成交额（万元）"), AMOUNT, 16), (N_("技术交易额（万元）"), AMOUNT, 16), (N_("当期到账金额（万元）"), AMOUNT, 16),
]


# -- what the export is of ------------------------------------------------------------------------------------------

def years(stats: StatsFilter) -> str:
    return str(stats.year_from) if stats.year_from == stats.year_to else f"{stats.year_from}–{stats.year_to}"


def describe(stats: StatsFilter) -> list[tuple[str, str]]:
    """The filters in words, one (name, value) pair each, in the user's language."""
    pairs = [(gettext("年份"), years(stats))]
    if stats.region is not None:
        pairs.append((gettext("地区"), f"{label(REGIONS, stats.region)}（{label(SIDES, stats.side)}）"))
    if stats.field is not None:
        pairs.append((gettext("技术领域"), label(CONTRACT_FIELDS, stats.field)))
    if stats.institution_id is not None:
        org = db.session.get(Organization, stats.institution_id)
        pairs.append((gettext("机构"), org.name if org is not None else f"#{stats.institution_id}"))
    if stats.institution_type is not None:
        pairs.append((gettext("机构类型"), label(INSTITUTION_TYPES, stats.institution_type)))
    return pairs


def notes(tables: Iterable[Table], stats: StatsFilter, as_of: datetime) -> list[list[str]]:
    """The rows of the notes: data as of, each filter, then each table's title and definition."""
    rows = [[gettext("数据截至"), as_of.isoformat(timespec="seconds")]]
    rows += [[gettext("筛选条件：%(name)s", name=name), value] for name, value in describe(stats)]
    rows += [[table.title, table.definition] for table in tables]
    return rows


def layout(table: Table) -> Iterator[list]:
    """The table's rows as exported: title, column titles, the rows, the total."""
    yield [table.title]
    yield [column.title for column in table.columns]
    yield from table.rows
    if table.total is not None:
        yield table.total


# -- CSV --------------------------------------------------------------------------------------------------------------

def text(value) -> str:
    if value is None:
        return ""
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def csv_lines(table: Table, stats: StatsFilter, as_of: datetime) -> Iterator[str]:
    """The table as CSV, line by line: UTF-8 with a BOM (Excel reads it), the notes after a blank line. Everything
    needing the request (translations, the institution's name) is read now: the lines are written after it."""
    return _csv([*layout(table), [], *notes([table], stats, as_of)])


def _csv(rows: list[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for row in rows:
        writer.writerow([text(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


# -- XLSX -------------------------------------------------------------------------------------------------------------

def _sheet_title(title: str, used: set[str]) -> str:
    """A valid, unused sheet name from ``title`` (at most 31 characters, none of []:*?/\\)."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    name, number = base, 2
    while name in used:
        suffix = f"({number})"
        name, number = base[:31 - len(suffix)] + suffix, number + 1
    used.add(name)
    return name


def _typed(sheet, value, kind: str):
    if value is None or kind not in NUMBER_FORMATS or not isinstance(value, Decimal):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = NUMBER_FORMATS[kind]
    return cell


def write_table_sheet(workbook, table: Table, used: set[str]) -> None:
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(_sheet_title(table.title, used))
    for index in range(1, len(table.columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 30 if index == 1 else 18
    kinds = [column.kind for column in table.columns]
    for number, row in enumerate(layout(table)):
        sheet.append(row if number < 2 else [_typed(sheet, value, kind) for value, kind in zip(row, kinds)])


def write_notes_sheet(workbook, rows: list[list[str]], used: set[str]) -> None:
    sheet = workbook.create_sheet(_sheet_title(gettext(NOTES_SHEET), used))
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 120
    for row in rows:
        sheet.append(row)


def write_cover_sheet(workbook, org: Organization, stats: StatsFilter, as_of: datetime, used: set[str]) -> None:
    """An institution's cover: who it is and which year the report is of (its yearly submission)."""
    sheet = workbook.create_sheet(_sheet_title(gettext(COVER_SHEET), used))
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 60
    for row in ([gettext("科技成果转化年度报告（机构填报）")],
                [gettext("机构名称"), org.name], [gettext("统一社会信用代码"), org.credit_code or ""],
                [gettext("机构类型"), label(ORG_TYPES, org.org_type)],
                [gettext("所在地区"), f"{label(REGIONS, org.region)}（{org.region}）" if org.region else ""],
                [gettext("报告年度"), years(stats)], [gettext("数据截至"), as_of.isoformat(timespec="seconds")]):
        sheet.append(row)


def contract_rows(stats: StatsFilter) -> Iterator[list]:
    """One row per contract the annual report counts (signed in the period, sold by a university or institute, the
    other filters), oldest first, read ``YIELD_PER`` at a time; amounts as Decimal 万元."""
    received = select(func.coalesce(func.sum(units(DealPayment.amount)), 0)).where(
        DealPayment.deal_id == Fact.deal_id, DealPayment.received_on >= stats.start,
        DealPayment.received_on < stats.end).correlate(Fact).scalar_subquery()
    statement = report_contracts(select(
        Deal.registration_number, Deal.name, Fact.category, Fact.contract_type, Deal.contract_subtype,
        SELLER.c.name, SELLER.c.region, BUYER.c.name, BUYER.c.region, Fact.technical_field, Fact.signed_on,
        Fact.total_units, Fact.technical_units, received), stats)
    statement = with_parties(statement.join(Deal, Deal.id == Fact.deal_id)).order_by(Fact.signed_on, Fact.deal_id)
    categories = {code: label(REPORT_CATEGORIES, code) for code in REPORT_CATEGORIES}
    types = {code: label(CONTRACT_TYPES, code) for code in CONTRACT_TYPES}
    subtypes = {(kind, code): label(subs, code) for kind, subs in CONTRACT_SUBTYPES.items() for code in subs}
    fields = {code: label(CONTRACT_FIELDS, code) for code in CONTRACT_FIELDS}
    provinces = {code: label(REGIONS, code) for code in REGIONS}

    def region(code: str | None) -> str:
        return f"{code} {provinces.get(code[:2] + '0000', '')}".strip() if code else ""

    for (number, name, category, kind, sub, seller, seller_region, buyer, buyer_region, field, signed_on, total,
         technical, paid) in db.session.execute(statement.execution_options(yield_per=YIELD_PER)):
        yield [number or "", name, categories.get(category, category), types.get(kind, kind),
               subtypes.get((kind, sub), sub), seller, region(seller_region), buyer, region(buyer_region),
               fields.get(field, field), signed_on, to_wan(total), to_wan(technical), to_wan(paid)]


def write_contracts_sheet(workbook, stats: StatsFilter, used: set[str]) -> int:
    """The 合同明细 sheet: a header row, then every contract counted; returns the contracts written."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(_sheet_title(gettext(CONTRACTS_SHEET), used))
    for index, (_title, _kind, width) in enumerate(CONTRACT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    sheet.append([gettext(title) for title, _kind, _width in CONTRACT_COLUMNS])
    kinds = [kind for _title, kind, _width in CONTRACT_COLUMNS]
    count = 0
    for row in contract_rows(stats):
        cells = []
        for value, kind in zip(row, kinds):
            if kind == "date":
                value = WriteOnlyCell(sheet, value=value)
                value.number_format = "yyyy-mm-dd"
            cells.append(_typed(sheet, value, kind) if kind == AMOUNT else value)
        sheet.append(cells)
        count += 1
    return count


def _workbook():
    from openpyxl import Workbook

    return Workbook(write_only=True)


def chunks(handle: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """The file's bytes, ``size`` at a time; the file is closed (and so removed) when done or abandoned."""
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()


def _saved(workbook) -> IO[bytes]:
    """The workbook in an anonymous temporary file, positioned at its start (removed when closed)."""
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def table_workbook(table: Table, stats: StatsFilter, as_of: datetime) -> IO[bytes]:
    """One table: its sheet, then the 说明 sheet."""
    workbook, used = _workbook(), set()
    write_table_sheet(workbook, table, used)
    write_notes_sheet(workbook, notes([table], stats, as_of), used)
    return _saved(workbook)


def annual_report_workbook(stats: StatsFilter, as_of: datetime, org: Organization | None = None) -> IO[bytes]:
    """The annual-report workbook: (an institution's cover,) one sheet per annual-report table, every contract
    counted (合同明细), then the 说明 sheet."""
    workbook, used = _workbook(), set()
    if org is not None:
        write_cover_sheet(workbook, org, stats, as_of, used)
    tables = [build(table_id, stats) for table_id in ANNUAL_REPORT_TABLES]
    for table in tables:
        write_table_sheet(workbook, table, used)
    write_contracts_sheet(workbook, stats, used)
    rows = notes(tables, stats, as_of)
    rows.append([gettext(CONTRACTS_SHEET), gettext("年度报告统计的每一份合同（卖方为高等院校或科研院所、在所选期间签订）；"
                                                   "当期到账金额为该合同在所选期间收到的款项。")])
    write_notes_sheet(workbook, rows, used)
    return _saved(workbook)
