"""Registration export and bulk import pages:

- ``GET /deals/<id>/registration.xlsx`` — one contract as the registration form's row (whoever may see the deal);
- ``GET /deals/registration.xlsx`` — a batch (staff), filtered like the deals list: ``ids=1,2,3``, ``year``,
  ``contract_type``, ``registration_status``;
- ``GET/POST /deals/import`` — upload XLSX / CSV / JSON Lines (staff); small files are imported at once, larger
  ones in the background with a progress bar at ``/deals/import/<token>``; the per-row report as CSV at
  ``/deals/import/<token>/report.csv``; ``/deals/import/template.xlsx`` is the empty form with one example row.

The rules live in :mod:`.registration_export`, :mod:`.importer` and :mod:`.import_jobs`."""
from __future__ import annotations

import contextlib
import os
import tempfile
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ValidationFailed
from ..taxonomy import label
from ..timeutil import utcnow
from ..web.forms import translate_message
from . import import_jobs
from .importer import FormatError, report_csv, require_importer
from .registration_export import batch_deals, batch_filters, export_deals, visible_deal, write_template
from .registration_form import COLUMN_LABELS, COLUMNS

bp = Blueprint("deal_registration", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ISSUES = 200


def xlsx_response(write, download_name: str, ascii_name: str = "deal-registration.xlsx") -> Response:
    """Send what ``write(path)`` writes as an XLSX download: written to a temporary file first, then streamed from
    it in chunks (the file is removed once sent), so a large batch is never held in memory."""
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="deal-registration-")
    os.close(fd)
    try:
        write(path)
    except BaseException:
        os.unlink(path)
        raise

    def remove() -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def chunks():
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 16):
                    yield chunk
        finally:
            remove()

    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(download_name)}"
    response = Response(chunks(), mimetype=XLSX, headers={"Content-Disposition": disposition,
                                                          "Content-Length": str(os.path.getsize(path))})
    response.call_on_close(remove)
    return response


@bp.get("/deals/<int:record_id>/registration.xlsx", endpoint="export_one")
@login_required
def export_one(record_id: int):
    deal = visible_deal(current_user, record_id)
    return xlsx_response(lambda handle: export_deals(handle, [deal]), f"技术合同登记表-{deal.id}.xlsx",
                         f"deal-registration-{deal.id}.xlsx")


@bp.get("/deals/registration.xlsx", endpoint="export_batch")
@login_required
def export_batch():
    filters = batch_filters(request.args)
    deals = batch_deals(current_user, filters)
    stamp = utcnow().strftime("%Y%m%d")
    suffix = f"-{filters['year']}" if filters.get("year") else ""
    return xlsx_response(lambda handle: export_deals(handle, deals), f"技术合同登记表{suffix}-{stamp}.xlsx")


@bp.get("/deals/import/template.xlsx", endpoint="import_template")
@login_required
def import_template():
    require_importer(current_user)
    return xlsx_response(write_template, "技术合同导入模板.xlsx", "deal-import-template.xlsx")


@bp.route("/deals/import", methods=["GET", "POST"], endpoint="import_form")
@login_required
def import_form():
    require_importer(current_user)
    if request.method == "GET":
        return render_template("deals/import.html", errors={}, columns=COLUMNS, column_labels=COLUMN_LABELS)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed(errors={"file": [_("请选择要导入的文件")]})
        try:
            token, _status = import_jobs.start(current_user, upload.stream, upload.filename)
        except FormatError as error:
            raise ValidationFailed(errors={"file": [translate_message(str(error))]}) from None
    except ValidationFailed as error:
        return render_template("deals/import.html", errors=error.errors, columns=COLUMNS, column_labels=COLUMN_LABELS), 422
    return redirect(url_for("deal_registration.import_status", token=token))


def _job(token: str) -> dict:
    require_importer(current_user)
    status = import_jobs.read_status(token)
    if status is None:
        abort(404)
    return status


@bp.get("/deals/import/<token>", endpoint="import_status")
@login_required
def import_status(token: str):
    status = _job(token)
    report = import_jobs.report_of(status)
    total = status.get("total") or 0
    percent = 100 if status["state"] == "done" else (min(99, status["done"] * 100 // total) if total else 0)
    issues = [{"row": i.row, "field": i.field, "column": label(COLUMN_LABELS, i.field), "skipped": i.skipped,
               "text": translate_message(i.message)} for i in (report.issues[:SHOWN_ISSUES] if report else [])]
    page = render_template("deals/import_status.html", status=status, report=report, percent=percent,
                           issues=issues, shown=SHOWN_ISSUES)
    response = Response(page)
    if status["state"] == "running":
        response.headers["Refresh"] = "2"
    return response


@bp.get("/deals/import/<token>/report.csv", endpoint="import_report")
@login_required
def import_report(token: str):
    report = import_jobs.report_of(_job(token))
    if report is None:
        abort(404)
    return Response(report_csv(report).encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="deal-import-{token[:8]}-report.csv"'})
