"""Readers and writers for the bulk formats: JSON Lines, CSV and XLSX.

Readers yield ``(row_number, record)`` pairs, where the row number is what a person sees in the file: the line
number in JSON Lines, the spreadsheet row (header = row 1) in CSV and XLSX. Tabular cells are plain strings; empty
cells are left out, so a blank cell means "not given". List fields in tabular files hold several values separated
by ``;`` ``,`` ``、`` or ``|`` (full-width ``；`` ``，`` too); the strongest separator present wins (``;`` over ``|`` over
``,``/``、``), so ``船舶、舰船工程;柴油机`` is two values. Writers join with ``;`` (and end a single value that holds a
separator with ``;``), so exported lists read back unchanged. Writers take dicts and stream them out: nothing is held
in memory beyond one row (XLSX uses openpyxl's write-only mode). What the contracts' importer reads the same way
(JSON Lines, opening a workbook, the record count, the file-name suffixes) is in :mod:`marketplace.bulk_files`.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from .. import bulk_files
from ..bulk_files import FormatError, first_sheet_rows, read_jsonl
from ..bulk_files import FORMATS, count_records  # noqa: F401  (the CLI reads them from here)

LIST_FIELDS = frozenset({"keywords", "industries", "transfer_modes", "patent_numbers", "patent_ids"})
LIST_SEPARATORS = [re.compile(r"[;；]"), re.compile(r"\|"), re.compile(r"[,，、]")]
ANY_SEPARATOR = re.compile(r"[;；|,，、]")
LIST_JOINER = ";"


def detect_format(path: str | Path, explicit: str | None = None) -> str:
    """The format named by ``explicit``, else the one the file extension suggests."""
    return bulk_files.detect_format(
        path, explicit, unknown=f"无法从文件名判断格式：{Path(path).name}，请用 --format 指定 jsonl、csv 或 xlsx")


def split_list(value) -> list:
    """A list field's value as a list: lists stay, strings are split on the accepted separators."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v.strip() if isinstance(v, str) else v for v in value if v not in (None, "")]
    text = str(value)
    for separator in LIST_SEPARATORS:
        if separator.search(text):
            return [part.strip() for part in separator.split(text) if part.strip()]
    return [text.strip()] if text.strip() else []


def _cell_text(value) -> str | None:
    """A spreadsheet cell as text (integral floats without ``.0``, dates as ISO), or None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    text = str(value).strip()
    return text or None


def _tabular_record(header: list[str], cells) -> dict | None:
    record = {}
    for name, value in zip(header, cells):
        text = _cell_text(value)
        if name and text is not None:
            record[name] = text
    return record or None


def _normalise_header(cells) -> list[str]:
    return [(_cell_text(cell) or "").lstrip("\ufeff").strip() for cell in cells]


# -- readers -----------------------------------------------------------------------------------------------------

def read_csv(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Records of a UTF-8 CSV file (with or without BOM) whose first row names the fields."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = _normalise_header(next(reader))
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise FormatError("CSV 文件应为 UTF-8 编码（可带 BOM）") from None
        try:
            for number, cells in enumerate(reader, start=2):
                record = _tabular_record(header, cells)
                if record is not None:
                    yield number, record
        except UnicodeDecodeError:
            raise FormatError("CSV 文件应为 UTF-8 编码（可带 BOM）") from None


def read_xlsx(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Records of the first worksheet of an XLSX workbook whose first row names the fields."""
    with first_sheet_rows(path) as rows:
        header = _normalise_header(next(rows, ()))
        for number, cells in enumerate(rows, start=2):
            record = _tabular_record(header, cells)
            if record is not None:
                yield number, record


READERS = {"jsonl": read_jsonl, "csv": read_csv, "xlsx": read_xlsx}


def read_records(path: str | Path, fmt: str) -> Iterator[tuple[int, dict]]:
    """``(row_number, record)`` pairs of ``path`` read as ``fmt``."""
    return READERS[fmt](path)


# -- writers -----------------------------------------------------------------------------------------------------

def _json_default(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _cell(value):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        text = LIST_JOINER.join(str(v) for v in value)
        return text + LIST_JOINER if len(value) == 1 and ANY_SEPARATOR.search(text) else text or None
    if isinstance(value, Decimal):
        return _json_default(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return value


def write_jsonl(path: str | Path, columns: list[str], records: Iterable[dict]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps({c: record.get(c) for c in columns}, ensure_ascii=False,
                                    default=_json_default))
            handle.write("\n")
            count += 1
    return count


def write_csv(path: str | Path, columns: list[str], records: Iterable[dict]) -> int:
    """CSV with a BOM, so that Excel opens the Chinese text correctly."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for record in records:
            writer.writerow(["" if (v := _cell(record.get(c))) is None else v for c in columns])
            count += 1
    return count


def write_xlsx(path: str | Path, columns: list[str], records: Iterable[dict]) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("achievements")
    sheet.append(columns)
    count = 0
    for record in records:
        sheet.append([_cell(record.get(c)) for c in columns])
        count += 1
    workbook.save(path)
    return count


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "xlsx": write_xlsx}


def write_records(path: str | Path, fmt: str, columns: list[str], records: Iterable[dict]) -> int:
    """Write ``records`` (only ``columns``, in that order) to ``path`` as ``fmt``; returns the number written."""
    return WRITERS[fmt](path, columns, records)
