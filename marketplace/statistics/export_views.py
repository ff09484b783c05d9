"""Downloads of the statistics, /statistics/export: any table as CSV or XLSX (staff), the public tables (anyone),
an institution's own tables (its members), and the annual-report workbook — the platform's (staff) and an
institution's own, pre-filled for its yearly submission (its members). The filters are the dashboard's query
arguments; who may see what is :mod:`marketplace.statistics.access`, the files :mod:`marketplace.statistics.exports`.
"""
from __future__ import annotations

import os

from flask import Blueprint, Response, request
from flask_login import current_user, login_required

from . import access, exports
from .filters import StatsFilter
from .tables import Table

bp = Blueprint("statistics_exports", __name__, url_prefix="/statistics/export")

TABLE = "<string(maxlength=64):table_id>"


def _name(prefix: str, stats: StatsFilter, extension: str) -> str:
    period = str(stats.year_from) if stats.year_from == stats.year_to else f"{stats.year_from}-{stats.year_to}"
    return f"{prefix}-{period}.{extension}"


def _xlsx(handle, name: str) -> Response:
    """The workbook in ``handle`` streamed in chunks (the temporary file goes when the response is done)."""
    size = os.fstat(handle.fileno()).st_size
    return Response(exports.chunks(handle), mimetype=exports.XLSX_MIMETYPE, direct_passthrough=True,
                    headers={**_attachment(name), "Content-Length": str(size)})


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


def _download(table: Table, stats: StatsFilter, fmt: str, prefix: str = ""):
    as_of = access.data_as_of()
    name = _name(f"{prefix}{table.id}", stats, fmt)
    if fmt == "xlsx":
        return _xlsx(exports.table_workbook(table, stats, as_of), name)
    return Response(exports.csv_lines(table, stats, as_of), mimetype=exports.CSV_MIMETYPE,
                    headers=_attachment(name))


@bp.get("/annual-report.xlsx")
@login_required
def annual_report():
    """The platform's annual-report workbook for the filters (staff)."""
    stats = access.staff_filter(current_user, request.args)
    return _xlsx(exports.annual_report_workbook(stats, access.data_as_of()), _name("annual-report", stats, "xlsx"))


@bp.get("/institution/annual-report.xlsx")
@login_required
def institution_report():
    """An institution's own annual-report workbook with its cover sheet (its members; staff name the institution)."""
    stats, org = access.institution_filter(current_user, request.args)
    workbook = exports.annual_report_workbook(stats, access.data_as_of(), org)
    return _xlsx(workbook, _name(f"annual-report-institution-{org.id}", stats, "xlsx"))


def _staff(table_id: str, fmt: str):
    """Any table with every figure (staff)."""
    found, stats = access.staff_table(current_user, table_id, request.args)
    return _download(found, stats, fmt)


def _public(table_id: str, fmt: str):
    """A public table, small groups withheld (anyone)."""
    found, stats = access.public(table_id, request.args)
    return _download(found, stats, fmt, "public-")


def _institution(table_id: str, fmt: str):
    """One of an institution's own tables (its members; staff name the institution)."""
    found, stats = access.institution_table(current_user, table_id, request.args)
    return _download(found, stats, fmt, f"institution-{stats.institution_id}-")


# one endpoint per format (the pages link to statistics_exports.table_csv / table_xlsx with table_id and filters)
for fmt in ("csv", "xlsx"):
    bp.add_url_rule(f"/{TABLE}.{fmt}", f"table_{fmt}",
                    login_required(lambda table_id, fmt=fmt: _staff(table_id, fmt)))
    bp.add_url_rule(f"/public/{TABLE}.{fmt}", f"public_{fmt}", lambda table_id, fmt=fmt: _public(table_id, fmt))
    bp.add_url_rule(f"/institution/{TABLE}.{fmt}", f"institution_{fmt}",
                    login_required(lambda table_id, fmt=fmt: _institution(table_id, fmt)))
