"""Bulk import of contract records: export → import → export unchanged; idempotent re-imports; per-row errors that
name the row and the field while good rows are kept; XLSX, CSV (UTF-8 with BOM, GB18030) and JSON Lines; the page,
its progress and report, the API and the CLI; who may import."""
from __future__ import annotations

import csv
import io
import json
import time
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.deals import import_jobs
from marketplace.deals.importer import import_file
from marketplace.deals.models import Deal, DealParty, DealPayment
from marketplace.deals.registration_export import batch_deals, export_deals
from marketplace.deals.registration_form import HEADERS
from marketplace.extensions import db
from marketplace.workflow import SYSTEM
from tests import factories as f
from tests.deals.registration_data import BUYER_CODE, deal, sheet_rows, varied_deals
from tests.web.helpers import csrf_from, login


def export_all(path, fmt: str = "xlsx") -> None:
    export_deals(str(path), batch_deals(SYSTEM, {}), fmt)


def cells(path) -> list[tuple]:
    return sheet_rows(path.read_bytes())


def empty_deals() -> None:
    """An empty database as far as deals go (the import target)."""
    for table in (DealPayment, DealParty, Deal):
        db.session.execute(delete(table))
    db.session.commit()


def deal_count() -> int:
    return db.session.scalar(select(func.count(Deal.id)))


def write_rows(path, rows: list[dict]) -> None:
    """An XLSX in the registration layout with ``rows`` (header → value)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    workbook.save(path)


def row_of(record) -> dict:
    """A deal's exported row as header → value (the base of hand-made rows)."""
    buffer = io.BytesIO()
    export_deals(buffer, [record])
    header, values = sheet_rows(buffer.getvalue())
    return dict(zip(header, values))


# -- round trip and idempotency -----------------------------------------------------------------------------------

def test_export_import_export_is_unchanged_and_reimport_changes_nothing(ctx, tmp_path):
    varied_deals()
    db.session.commit()
    first = tmp_path / "first.xlsx"
    export_all(first)
    empty_deals()

    report = import_file(SYSTEM, first)
    assert (report.rows, report.created, report.failed, report.issues) == (6, 6, 0, [])
    second = tmp_path / "second.xlsx"
    export_all(second)
    assert cells(second) == cells(first)
    registered = db.session.scalar(select(Deal).where(Deal.external_id == "HIST-0001"))
    assert (registered.registration_status, registered.registration_number, registered.registered_on) == (
        "registered", "2025220100000123", date(2025, 3, 20))
    assert [(p.received_on, p.amount, p.note) for p in registered.payments] == [
        (date(2025, 4, 1), Decimal("50"), "首期款"), (date(2025, 9, 1), Decimal("70.5"), None)]
    refused = db.session.scalar(select(Deal).where(Deal.external_id == "HIST-0003"))
    assert (refused.registration_status, refused.registration_reason, refused.equity_investment) == (
        "refused", "合同标的不明确", True)

    again = import_file(SYSTEM, first)
    assert (again.created, again.updated, again.unchanged, again.skipped, again.failed) == (0, 0, 6, 0, 0)
    assert deal_count() == 6  # the row without 登记编号 or 外部编号 was matched on its contract, not duplicated
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deal.import")
                                .order_by(AuditEvent.id)).all()
    assert [e.details["created"] for e in events] == [6, 0] and events[1].details["unchanged"] == 6


def test_jsonl_and_csv_round_trips(ctx, tmp_path):
    varied_deals()
    db.session.commit()
    reference = tmp_path / "reference.xlsx"
    export_all(reference)
    jsonl, utf8_csv, gb_csv = tmp_path / "deals.jsonl", tmp_path / "deals.csv", tmp_path / "deals-gb.csv"
    export_all(jsonl, "jsonl")
    export_all(utf8_csv, "csv")
    gb_csv.write_bytes(utf8_csv.read_text(encoding="utf-8-sig").encode("gb18030"))  # Excel's Chinese CSV
    first_line = json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])
    assert first_line["contract_type"] == "licence" and first_line["total_amount"] == "120.5"
    assert first_line["payments"][0] == {"received_on": "2025-04-01", "amount": "50", "note": "首期款"}

    for source in (jsonl, utf8_csv, gb_csv):
        empty_deals()
        report = import_file(SYSTEM, source)
        assert (report.created, report.failed) == (6, 0), (source.name, report.issues)
        again = tmp_path / f"again-{source.name}.xlsx"
        export_all(again)
        assert cells(again) == cells(reference), source.name


def test_a_pending_deal_is_updated_a_registered_one_skipped(ctx, tmp_path):
    pending = deal(external_id="UPD-1")
    registered = deal(name="已登记的技术许可合同", register=("2025220100000999", date(2025, 4, 1)))
    db.session.commit()
    rows = [row_of(pending), row_of(registered)]
    rows[0]["合同成交额（万元）"] = 130
    rows[0]["买方联系人"] = "李经理"
    rows[0]["登记状态"], rows[0]["合同登记编号"], rows[0]["登记日期"] = "已登记", "2025220100000777", "2025-05-06"
    rows[0]["到账明细"] = "2025-05-01 30"
    rows[1]["合同成交额（万元）"] = 999
    path = tmp_path / "changes.xlsx"
    write_rows(path, rows)

    report = import_file(SYSTEM, path)
    assert (report.created, report.updated, report.skipped, report.failed) == (0, 1, 1, 0)
    [notice] = report.issues
    assert notice.row == 3 and notice.skipped and "已登记" in notice.message
    db.session.expire_all()
    updated = db.session.get(Deal, pending.id)
    assert updated.total_amount == Decimal("130") and updated.buyer.contact == "李经理"
    assert (updated.registration_status, updated.registration_number, updated.registered_on) == (
        "registered", "2025220100000777", date(2025, 5, 6))
    assert [(p.received_on, p.amount) for p in updated.payments] == [(date(2025, 5, 1), Decimal("30"))]
    assert db.session.get(Deal, registered.id).total_amount == Decimal("120.5")
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == pending.id)))
    assert {"deal.edit", "deal.register", "deal.record_payment"} <= actions
    assert deal_count() == 2


# -- errors -------------------------------------------------------------------------------------------------------

def test_bad_rows_are_reported_by_row_and_field_and_good_rows_kept(ctx, tmp_path):
    model = row_of(deal(external_id="MODEL"))
    empty_deals()

    def variant(number: int, **changes) -> dict:
        return {**model, "外部编号": f"ROW-{number}", **changes}

    rows = [
        variant(2),
        variant(3, **{"技术交易额（万元）": 200}),  # above 成交额 120.5
        variant(4, **{"买方统一社会信用代码": BUYER_CODE[:-1] + ("0" if BUYER_CODE[-1] != "0" else "1")}),
        variant(5, **{"卖方行政区划代码": "990000"}),  # no such province
        variant(6, **{"合同有效期止": "2020-01-01"}),  # ends before it starts
        variant(7, **{"合同类别": "技术合伙"}),  # no such contract type
        variant(8, **{"登记状态": "不予登记", "不予登记原因": "理" * 2100}),  # refused after creation: rolled back
        variant(9, **{"卖方主体性质": "22", "合同类别": "licence", "合同子类": "技术许可 / 专利实施许可（普通）"}),
    ]
    path = tmp_path / "bad.xlsx"
    write_rows(path, rows)
    report = import_file(SYSTEM, path)

    found = {(issue.row, issue.field) for issue in report.errors}
    assert found == {(3, "technical_amount"), (4, "buyer_credit_code"), (5, "seller_region"), (6, "valid_to"),
                     (7, "contract_type"), (8, "registration_reason")}, found
    messages = {issue.row: issue for issue in report.errors}
    assert "技术交易额不能超过合同成交额" in messages[3].message and messages[3].column == "技术交易额（万元）"
    assert messages[4].column == "买方统一社会信用代码" and "校验码" in messages[4].message
    assert "技术合伙" in messages[7].message
    assert (report.rows, report.created, report.failed) == (8, 2, 6)
    assert sorted(db.session.scalars(select(Deal.external_id))) == ["ROW-2", "ROW-9"]
    assert db.session.scalar(select(func.count(DealParty.id))) == 4  # nothing of row 8 left behind
    nine = db.session.scalar(select(Deal).where(Deal.external_id == "ROW-9"))
    assert nine.seller.nature == "022" and nine.contract_subtype == "patent_ordinary"


def test_unreadable_rows_and_files(ctx, tmp_path):
    lines = tmp_path / "broken.jsonl"
    lines.write_text('{"name": "只有名称"}\nnot json\n[1, 2]\n', encoding="utf-8")
    report = import_file(SYSTEM, lines)
    assert report.created == 0 and report.failed == 3
    fields = {(issue.row, issue.field) for issue in report.errors}
    assert {(1, "contract_type"), (1, "seller_name"), (1, "buyer_nature"), (2, "_row"), (3, "_row")} <= fields
    payments = tmp_path / "payments.csv"
    with open(payments, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["项目名称", "到账明细", "到账金额合计（万元）"])
        writer.writerow(["甲", "2025-13-01 5", ""])
        writer.writerow(["乙", "", "12"])
    report = import_file(SYSTEM, payments)
    assert (2, "payments") in {(i.row, i.field) for i in report.errors}
    assert (3, "received_on") in {(i.row, i.field) for i in report.errors}


# -- over HTTP and the CLI ------------------------------------------------------------------------------------------

@pytest.fixture
def people(app):
    with app.app_context():
        member, broker = f.user(f.organization("enterprise")), f.broker()
        db.session.commit()
        return {"member": member.email, "broker": broker.email}


def signed_in(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def _xlsx_bytes(app) -> bytes:
    with app.test_request_context():
        varied_deals()
        db.session.commit()
        buffer = io.BytesIO()
        export_deals(buffer, batch_deals(SYSTEM, {}))
        empty_deals()
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "合同.xlsx"):
    token = csrf_from(client, "/deals/import")
    return client.post("/deals/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_import_page_for_staff_only(app, client, people):
    assert client.get("/deals/import").status_code in (302, 401)
    member = signed_in(app, people["member"])
    assert member.get("/deals/import").status_code == 403
    assert member.get("/deals/import/template.xlsx").status_code == 403
    token = csrf_from(member, "/")
    refused = member.post("/deals/import", data={"csrf_token": token, "file": (io.BytesIO(b"x"), "a.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 403
    with app.app_context():
        assert deal_count() == 0


def test_upload_imports_and_reports(app, people):
    data = _xlsx_bytes(app)
    broker = signed_in(app, people["broker"])
    page = broker.get("/deals/import")
    assert page.status_code == 200 and "buyer_credit_code" in page.get_data(as_text=True)
    template = broker.get("/deals/import/template.xlsx")
    assert template.status_code == 200
    rows = sheet_rows(template.data)
    assert list(rows[0]) == HEADERS and len(rows) == 2

    response = upload(broker, data)
    assert response.status_code == 302
    status_page = broker.get(response.headers["Location"])
    text = status_page.get_data(as_text=True)
    assert status_page.status_code == 200 and "导入完成" in text and "Refresh" not in status_page.headers
    with app.app_context():
        assert deal_count() == 6
        creator = db.session.scalar(select(User).where(User.email == people["broker"]))
        assert {d.created_by_id for d in db.session.scalars(select(Deal))} == {creator.id}

    bad = upload(broker, "项目名称,合同成交额（万元）\n坏行,abc\n".encode("gb18030"), "bad.csv")
    report_url = broker.get(bad.headers["Location"])
    assert "total_amount" in report_url.get_data(as_text=True)
    csv_report = broker.get(bad.headers["Location"] + "/report.csv")
    assert csv_report.status_code == 200 and csv_report.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(csv_report.data.decode("utf-8-sig"))))
    assert lines[0] == ["行号", "字段", "列名", "类型", "信息"]
    assert ["2", "total_amount", "合同成交额（万元）", "错误", "请输入有效的金额（单位：万元）"] in lines

    wrong = upload(broker, b"hello", "notes.txt")
    assert wrong.status_code == 422 and "XLSX" in wrong.get_data(as_text=True)
    assert broker.get("/deals/import/not-a-token").status_code == 404


def test_a_large_upload_runs_in_the_background_with_progress(app, people):
    data = _xlsx_bytes(app)
    broker = signed_in(app, people["broker"])
    app.config["DEAL_IMPORT_INLINE_ROWS"] = 2
    try:
        response = upload(broker, data)
    finally:
        app.config.pop("DEAL_IMPORT_INLINE_ROWS")
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]
    thread = import_jobs.THREADS.get(token)
    if thread is not None:
        first = broker.get(response.headers["Location"])
        assert first.status_code == 200 and ('role="progressbar"' in first.get_data(as_text=True))
        thread.join(timeout=60)
    deadline = time.monotonic() + 60
    while True:
        page = broker.get(response.headers["Location"])
        if "导入完成" in page.get_data(as_text=True) or time.monotonic() > deadline:
            break
        assert page.headers.get("Refresh") == "2"
        time.sleep(0.2)
    assert "导入完成" in page.get_data(as_text=True) and 'aria-valuenow="100"' in page.get_data(as_text=True)
    with app.app_context():
        assert deal_count() == 6


def test_import_and_export_over_the_api(app, client, people):
    from tests.api.conftest import ApiClient, make_token

    data = _xlsx_bytes(app)
    with app.app_context():
        tokens = {name: make_token(db.session.scalar(select(User).where(User.email == email)))
                  for name, email in people.items()}
        db.session.commit()
    staff, member = ApiClient(client, tokens["broker"]), ApiClient(client, tokens["member"])
    response = staff.post("/deals/import", data={"file": (io.BytesIO(data), "deals.xlsx")},
                          content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["created"], body["failed"], body["issues"]) == (6, 0, [])
    again = staff.post("/deals/import", data={"file": (io.BytesIO(data), "deals.xlsx")},
                       content_type="multipart/form-data").get_json()
    assert (again["created"], again["unchanged"]) == (0, 6)
    assert member.post("/deals/import", data={"file": (io.BytesIO(data), "deals.xlsx")},
                       content_type="multipart/form-data").status_code == 403
    missing = staff.post("/deals/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]
    export = staff.get("/deals/registration.xlsx?year=2025")
    assert export.status_code == 200 and len(sheet_rows(export.data)) == 4


def test_cli_import_and_export(app, runner, tmp_path):
    with app.app_context():
        varied_deals()
        db.session.commit()
    exported = tmp_path / "deals.xlsx"
    result = runner.invoke(args=["deals", "export-registration", str(exported)])
    assert result.exit_code == 0 and "已导出 6 份合同" in result.output
    only_2025 = tmp_path / "2025.csv"
    result = runner.invoke(args=["deals", "export-registration", str(only_2025), "--year", "2025"])
    assert "已导出 3 份合同" in result.output
    with app.app_context():
        empty_deals()
    result = runner.invoke(args=["deals", "import", str(exported)])
    assert result.exit_code == 0, result.output
    assert "新增 6" in result.output and "失败 0" in result.output
    result = runner.invoke(args=["deals", "import", str(exported)])
    assert "新增 0" in result.output and "未变化 6" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"name": "x"}\n', encoding="utf-8")
    report = tmp_path / "report.csv"
    result = runner.invoke(args=["deals", "import", str(bad), "--report", str(report)])
    assert result.exit_code == 1 and "失败 1" in result.output
    assert "contract_type" in report.read_text(encoding="utf-8-sig")
    with app.app_context():
        assert deal_count() == 6
        assert all(d.created_by_id is None for d in db.session.scalars(select(Deal)))
