"""What the bulk importers (achievements, technology contracts) share in reading their files: the formats and the
format of a file, the error shown when a file cannot be read, JSON Lines records, the rows of an XLSX
workbook's first worksheet and a cheap count of the records for a progress bar.

Readers yield ``(row_number, record)`` pairs, the row number being what a person sees in the file (the line number in
JSON Lines). Each importer turns tabular rows into records its own way (see ``achievements.io_formats`` and
``deals.importer``)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .web.messages import N_, tr

FORMATS = ("jsonl", "csv", "xlsx")


class FormatError(ValueError):
    """The file cannot be read as its format (the message is shown to the user)."""


def detect_format(filename: str | Path | None, explicit: str | None = None, *, unknown: str) -> str:
    """The format named by ``explicit``, else the one the file name's extension suggests (``.json`` and ``.ndjson``
    are JSON Lines); :class:`FormatError` with the message ``unknown`` when it suggests none."""
    if explicit:
        if explicit not in FORMATS:
            raise FormatError(tr(N_("不支持的格式：%(format)s（可选 jsonl、csv、xlsx）"), format=explicit))
        return explicit
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise FormatError(unknown)


def read_jsonl(path: str | Path, errors: str = "strict") -> Iterator[tuple[int, dict]]:
    """Records of a JSON Lines file (UTF-8, with or without BOM; ``errors`` as for :func:`open`); a line that is not
    a JSON object yields ``{"_error": message}``."""
    with open(path, encoding="utf-8-sig", errors=errors) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, {"_error": tr(N_("不是有效的 JSON：%(error)s（第 %(column)s 列）"), error=error.msg,
                                            column=error.colno)}
                continue
            yield number, record if isinstance(record, dict) else {"_error": N_("每行应为一个 JSON 对象")}


@contextmanager
def first_sheet_rows(path) -> Iterator[Iterator[tuple]]:
    """``with first_sheet_rows(path) as rows:`` — the rows of an XLSX workbook's first worksheet as tuples of cell
    values (read-only, cached values rather than formulas); the workbook is closed when the block ends."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a broken file
        raise FormatError(tr(N_("无法读取 XLSX 文件：%(error)s"), error=error)) from None
    try:
        yield workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def count_records(path, fmt: str) -> int | None:
    """A cheap estimate of the number of records (for a progress bar): lines, less the header of a CSV file, or the
    worksheet's rows less the header; None when unknown."""
    if fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True)
            rows = workbook.worksheets[0].max_row
            workbook.close()
        except Exception:
            return None
        return max(0, rows - 1) if rows else None
    with open(path, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(0, lines - 1) if fmt == "csv" else lines
