"""CSV and XLSX exports on generated contracts: every table's file holds what tables.build() gives, cell for cell
(the XLSX opened with openpyxl); the annual-report workbook lists every contract it counts and reconciles with its
tables; an institution's workbook is its own; who may download what; bad filters; the contract sheet streams."""
from __future__ import annotations

import csv
import io
import time
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from marketplace.accounts.models import Organization
from marketplace.deals.models import Deal
from marketplace.extensions import db
from marketplace.statistics import exports
from marketplace.statistics.access import data_as_of
from marketplace.statistics.filters import StatsFilter, parse
from marketplace.statistics.public import PUBLIC_TABLES, public_table
from marketplace.statistics.tables import ANNUAL_REPORT_TABLES, BUILDERS, build
from tests import factories as f
from tests.api.conftest import _cheap_password_hashing, database  # noqa: F401
from tests.web.helpers import login

from . import fixture
from .generated import bulk_contracts, generate

QUERY = "year_from=2023&year_to=2026"
ARGS = {"year_from": "2023", "year_to": "2026"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def people(app):
    """Generated contracts; a broker, an admin, a member of the generated university and one without a
    organisation — each with a client signed in through the login form."""
    with database(app):
        orgs = generate().orgs
        users = {"broker": f.broker(), "admin": f.admin(), "member": f.user(orgs["university"]),
                 "company": f.user(orgs["enterprise"]), "loner": f.user(None)}
        emails = {name: user.email for name, user in users.items()}
        ids = {name: org.id for name, org in orgs.items()}
    clients = {"anon": app.test_client()}
    for name, email in emails.items():
        clients[name] = app.test_client()
        login(clients[name], email)
    return clients, ids


# -- reading the files back -------------------------------------------------------------------------------------------

def csv_rows(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "UTF-8 with a BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def same_cell(got, value, fmt: str) -> bool:
    if fmt == "csv":
        expected = "" if value is None else (f"{value:f}" if isinstance(value, Decimal) else str(value))
        return got == expected
    if isinstance(value, Decimal):
        return isinstance(got, (int, float)) and Decimal(str(got)) == value
    if value == "":
        return got in ("", None)
    return got == value


def assert_table(rows: list[list], table, fmt: str) -> None:
    """``rows`` (the file's rows from the top) hold ``table``: title, column titles, rows, total."""
    width = len(table.columns)
    assert rows[0][0] == table.title
    assert list(rows[1][:width]) == [column.title for column in table.columns]
    expected = [*table.rows, *([table.total] if table.total is not None else [])]
    for got, row in zip(rows[2:2 + len(expected)], expected, strict=True):
        for cell, value, column in zip(got, row, table.columns):
            assert same_cell(cell, value, fmt), (table.id, column.key, cell, value)
    after = rows[2 + len(expected):]
    assert not after or not any(after[0]), (table.id, "the data block ends with the total")


# -- every table, every format --------------------------------------------------------------------------------------

def test_every_table_exports_as_built(app, people):
    clients, _ids = people
    for query in (QUERY, "year=2025&region=220000&field=electronics"):
        args = dict(pair.split("=") for pair in query.split("&"))
        for table_id in BUILDERS:
            with app.test_request_context():
                table = build(table_id, parse(args))
            as_csv = clients["broker"].get(f"/statistics/export/{table_id}.csv?{query}")
            assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv", (table_id, as_csv.status_code)
            assert "attachment" in as_csv.headers["Content-Disposition"]
            rows = csv_rows(as_csv)
            assert_table(rows, table, "csv")
            assert any(row and row[0] == "数据截至" for row in rows)
            as_xlsx = clients["admin"].get(f"/statistics/export/{table_id}.xlsx?{query}")
            assert as_xlsx.status_code == 200 and as_xlsx.mimetype == XLSX, table_id
            workbook = load_workbook(io.BytesIO(as_xlsx.get_data()))
            assert workbook.sheetnames[1] == "说明"
            assert_table(sheet_rows(workbook.worksheets[0]), table, "xlsx")
            notes = {row[0]: row[1] for row in sheet_rows(workbook["说明"])}
            assert notes[table.title] == table.definition and "筛选条件：年份" in notes
    assert notes["筛选条件：技术领域"] == "电子信息" and notes["筛选条件：地区"] == "吉林省（输出（按卖方地区））"


def test_public_exports_withhold_small_groups(app, people):
    clients, _ids = people
    with database(app):
        fixture.load()  # a few contracts more, in 2025 and 2026
    query, args = "year=2026&region=110000", {"year": "2026", "region": "110000"}  # sellers in Beijing: few
    for table_id in PUBLIC_TABLES:
        with app.test_request_context():
            table = public_table(table_id, parse(args))
        assert_table(csv_rows(clients["anon"].get(f"/statistics/export/public/{table_id}.csv?{query}")), table, "csv")
        workbook = load_workbook(io.BytesIO(clients["anon"].get(f"/statistics/export/public/{table_id}.xlsx?{query}")
                                            .get_data()))
        assert_table(sheet_rows(workbook.worksheets[0]), table, "xlsx")
    with app.test_request_context():
        table = public_table("contracts_by_technical_field", parse(args))
    assert any(row[1] is None for row in table.rows), "some group is withheld in this data"
    assert clients["anon"].get("/statistics/export/public/brokers.csv").status_code == 404


def test_the_annual_report_workbook_lists_every_contract_it_counts(app, people):
    clients, _ids = people
    response = clients["broker"].get(f"/statistics/export/annual-report.xlsx?{QUERY}")
    assert response.status_code == 200 and response.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(response.get_data()))
    stats = StatsFilter(2023, 2026)
    with app.test_request_context():
        tables = [build(table_id, stats) for table_id in ANNUAL_REPORT_TABLES]
        deals = [deal for deal in db.session.execute(db.select(Deal)).scalars()
                 if deal.registration_status != "refused" and deal.seller.nature in ("021", "022")]
        names = sorted(deal.name for deal in deals)
        expected_total = sum((deal.total_amount for deal in deals), Decimal("0"))
    assert workbook.sheetnames == [table.title for table in tables] + ["合同明细", "说明"]
    for sheet, table in zip(workbook.worksheets, tables):
        assert_table(sheet_rows(sheet), table, "xlsx")
    contracts = sheet_rows(workbook["合同明细"])
    header, rows = contracts[0], contracts[1:]
    assert header[:2] == ["合同登记编号", "合同名称"] and header[-3:] == ["合同成交额（万元）", "技术交易额（万元）",
                                                                 "当期到账金额（万元）"]
    overall = tables[0]
    assert len(rows) == overall.total[1] == len(deals)
    assert sorted(row[1] for row in rows) == names
    amount = sum((Decimal(str(row[-3])) for row in rows), Decimal("0"))
    assert amount == overall.total[2] == expected_total
    assert all(isinstance(row[10], date) for row in rows)  # 签订日期 as a date
    received = sum((Decimal(str(row[-1])) for row in rows), Decimal("0"))
    summary = dict(zip(tables[3].keys, tables[3].rows))
    assert 0 < received <= summary["received"][1]  # the contracts signed in the period; the report counts all


def test_an_institution_downloads_its_own_report(app, people):
    clients, ids = people
    response = clients["member"].get(f"/statistics/export/institution/annual-report.xlsx?{QUERY}"
                                     f"&institution_id={ids['enterprise']}")  # another institution: ignored
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames[0] == "封面" and workbook.sheetnames[-2:] == ["合同明细", "说明"]
    cover = {row[0]: row[1] for row in sheet_rows(workbook["封面"]) if len(row) > 1}
    with app.test_request_context():
        org = db.session.get(Organization, ids["university"])
        assert cover["机构名称"] == org.name and cover["报告年度"] == "2023–2026"
        assert cover["所在地区"] == "吉林省（220000）"
        stats = StatsFilter(2023, 2026, institution_id=org.id)
        tables = [build(table_id, stats) for table_id in ANNUAL_REPORT_TABLES]
    for sheet, table in zip(workbook.worksheets[1:], tables):
        assert_table(sheet_rows(sheet), table, "xlsx")
    rows = sheet_rows(workbook["合同明细"])[1:]
    assert rows and {row[5] for row in rows} == {"生成数据大学"} and len(rows) == tables[0].total[1]
    staff = clients["admin"].get(f"/statistics/export/institution/annual-report.xlsx?{QUERY}"
                                 f"&institution_id={ids['university']}")
    assert sheet_rows(load_workbook(io.BytesIO(staff.get_data()))["合同明细"])[1:] == rows
    own_table = clients["member"].get(f"/statistics/export/institution/contracts_by_year.csv?{QUERY}")
    with app.test_request_context():
        assert_table(csv_rows(own_table), build("contracts_by_year", stats), "csv")


def test_who_may_download_what(app, people):
    clients, ids = people
    staff_urls = [f"/statistics/export/contracts_by_year.csv?{QUERY}", f"/statistics/export/brokers.xlsx?{QUERY}",
                  f"/statistics/export/annual-report.xlsx?{QUERY}"]
    for url in staff_urls:
        assert clients["anon"].get(url).status_code == 302  # to the login page
        assert clients["member"].get(url).status_code == 403
        assert clients["company"].get(url).status_code == 403
        assert clients["broker"].get(url).status_code == 200
    assert clients["broker"].get("/statistics/export/no_such_table.csv").status_code == 404
    assert clients["broker"].get("/statistics/export/contracts_by_year.pdf").status_code == 404
    assert clients["anon"].get("/statistics/export/public/contracts_by_year.csv").status_code == 200
    assert clients["anon"].get("/statistics/export/public/annual_report_all.xlsx").status_code == 404
    assert clients["anon"].get("/statistics/export/institution/annual-report.xlsx").status_code == 302
    assert clients["loner"].get("/statistics/export/institution/annual-report.xlsx").status_code == 403
    assert clients["loner"].get("/statistics/export/institution/contracts_by_year.csv").status_code == 403
    assert clients["member"].get("/statistics/export/institution/brokers.csv").status_code == 404
    assert clients["broker"].get("/statistics/export/institution/annual-report.xlsx").status_code == 422
    assert clients["broker"].get(f"/statistics/export/institution/annual-report.xlsx?institution_id={ids['institute']}"
                                 ).status_code == 200


@pytest.mark.parametrize("query", ["year=20x5", "year_from=2026&year_to=2020", "region=123456", "side=up&region=220000",
                                   "field=magic", "institution_type=club", "institution_id=abc"])
def test_bad_filters_are_refused(app, query):
    with database(app):
        broker, member = f.broker().email, f.user(f.organization("university")).email
    staff, own, anon = app.test_client(), app.test_client(), app.test_client()
    login(staff, broker)
    login(own, member)
    for client, url in ((staff, "/statistics/export/contracts_by_year.csv"),
                        (staff, "/statistics/export/contracts_by_year.xlsx"),
                        (staff, "/statistics/export/annual-report.xlsx"),
                        (own, "/statistics/export/institution/annual-report.xlsx"),
                        (anon, "/statistics/export/public/contracts_by_year.xlsx")):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 422, (url, query, response.status_code)
        assert "提交的数据有误" in response.get_data(as_text=True)


def test_the_contract_sheet_streams_in_bounded_memory(ctx):
    """5,000 contracts: the workbook's peak Python memory stays far below what the rows would take held at once."""
    bulk_contracts(5000, sellers=[(None, "批量大学", "022", "220100"), (None, "批量研究所", "021", "220200")])
    stats = StatsFilter(2023, 2026)
    began = time.perf_counter()
    tracemalloc.start()
    try:
        handle = exports.annual_report_workbook(stats, data_as_of())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - began
    with handle:
        workbook = load_workbook(handle, read_only=True)
        rows = sum(1 for _row in workbook["合同明细"].iter_rows()) - 1
    assert rows == build("annual_report_all", stats).total[1] > 4000
    print(f"peak {peak / 2**20:.1f} MiB in {seconds:.1f} s")
    assert peak < 12 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
    assert seconds < 60, seconds
