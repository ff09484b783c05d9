"""The statistics pages: the staff dashboard (brokers and admins only), the public summary (public tables, small
groups withheld, no party names) and an institution's own figures, on the hand-computed fixture."""
from __future__ import annotations

import json
import re
from html import unescape

import pytest

from marketplace.extensions import db
from marketplace.statistics.filters import StatsFilter
from marketplace.statistics.pages import cell_text, chart_spec
from marketplace.statistics.public import PUBLIC_TABLES
from marketplace.statistics.tables import AMOUNT, BUILDERS, build
from tests import factories as f
from tests.web.helpers import login, text

from . import fixture


@pytest.fixture
def world(app):
    """The fixture's seven contracts, a broker, an admin, an enterprise member; a university with two contracts of
    its own as the seller."""
    with app.app_context():
        fixture.load()
        university = f.organization("university", name="示范理工大学")
        member = f.user(university, email="member@stats.test")
        for seed, (signed, amount) in enumerate((("2025-04-01", "120"), ("2026-05-01", "30.5")), start=40):
            fixture.deal(f"大学合同{seed}", "licence", "patent_ordinary", amount, amount, signed,
                         fixture.party("seller", university.name, "022", "220100", seed, org=university),
                         fixture.party("buyer", "某买方公司", "150", "220100", seed + 10), number=f"2025220100{seed:06d}")
        people = {"broker": f.broker().email, "admin": f.admin().email, "member": member.email,
                  "company": f.user(f.organization("enterprise", name="某企业用户"), email="co@stats.test").email,
                  "nobody": f.user(None, email="alone@stats.test").email}
        db.session.commit()
        return people


def figure(html: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}">.*?<span class="figure-value">([^<]*)</span>', html, re.S)
    assert match, f"no headline figure {key}"
    return unescape(match.group(1))


def charts(html: str) -> list[dict]:
    match = re.search(r'<script type="application/json" id="statistics-charts">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else []


def test_dashboard_for_brokers_and_admins_only(client, world):
    assert client.get("/statistics").status_code == 302  # anonymous: to the login page
    login(client, world["company"])
    refused = client.get("/statistics")
    assert refused.status_code == 403 and "只有技术经纪人或平台管理员可以查看统计分析" in text(refused)
    for role in ("broker", "admin"):
        staff = client.application.test_client()
        login(staff, world[role])
        assert staff.get("/statistics?year=2025").status_code == 200


def test_dashboard_shows_every_table_with_its_definition_and_the_headline_figures(app, client, world):
    login(client, world["broker"])
    html = text(client.get("/statistics?year=2025"))
    for table_id in BUILDERS:
        assert f'id="t-{table_id}"' in html
    assert html.count('<details class="definition">') == len(BUILDERS)
    assert "数据截至" in html and "北京时间" in html
    # 2025: four counted contracts (the refused one never counts) plus the university's 120
    assert figure(html, "contracts") == "5"
    assert figure(html, "total_amount") == "12,450.50"
    assert figure(html, "technical_amount") == "12,410.25"
    assert figure(html, "received") == "0.00"
    assert "作价投资C" not in html  # contract names are not figures
    with app.test_request_context():
        expected = {spec["id"] for spec in map(chart_spec, (build(t, StatsFilter(2025, 2025)) for t in BUILDERS))
                    if spec}
    assert {spec["id"] for spec in charts(html)} == expected and "contracts_by_contract_type" in expected
    assert html.count('<figure class="stat-chart"') == len(expected)


def test_a_filter_changes_the_figures(client, world):
    login(client, world["broker"])
    year_2025, year_2026 = text(client.get("/statistics?year=2025")), text(client.get("/statistics?year=2026"))
    assert figure(year_2026, "contracts") == "3" and figure(year_2026, "total_amount") == "70.5001"
    assert figure(year_2025, "contracts") != figure(year_2026, "contracts")
    both = text(client.get("/statistics?year_from=2025&year_to=2026&field=new_materials"))
    assert figure(both, "contracts") == "2" and figure(both, "total_amount") == "12,200.00"
    inflow = text(client.get("/statistics?year_from=2025&year_to=2026&region=440000&side=buyer"))
    assert figure(inflow, "contracts") == "3"
    assert figure(text(client.get("/statistics?year_from=2025&year_to=2026&institution_type=institute")),
                  "contracts") == "2"
    by_type = text(client.get("/statistics?year=2025"))
    row = re.search(r'id="t-contracts_by_contract_type".*?<tr data-key="transfer">(.*?)</tr>', by_type, re.S).group(1)
    assert re.findall(r'data-column="contracts">([^<]*)<', row) == ["2"]
    assert re.findall(r'data-column="total_amount">([^<]*)<', row) == ["12,200.00"]


def test_bad_filters_answer_422_with_the_form(client, world):
    login(client, world["broker"])
    for query, field in (("year=abc", "year"), ("year_from=2026&year_to=2025", "year_to"), ("region=999999", "region"),
                         ("field=magic", "field"), ("institution_type=x", "institution_type"),
                         ("institution_id=-1", "institution_id"), ("side=up", "side")):
        response = client.get(f"/statistics?{query}")
        assert response.status_code == 422, query
        assert f'data-field="{field}"' in text(response) and "筛选条件有误" in text(response)
        assert 'name="year_from"' in text(response)  # the form stays, to correct the value


def test_public_summary_withholds_small_groups_and_names(client, world):
    html = text(client.get("/statistics/public?year_from=2025&year_to=2026"))
    for table_id in BUILDERS:
        assert (f'id="t-{table_id}"' in html) == (table_id in PUBLIC_TABLES), table_id
    assert "brokers" not in PUBLIC_TABLES and 'id="t-brokers"' not in html
    for name in ("某大学", "某研究所", "某科技公司", "深圳某电子公司", "示范理工大学", "某买方公司", "许可A", "作价投资C"):
        assert name not in html
    # by type 2025–2026: licence has 3 contracts (shown), transfer 2 (withheld)
    table = re.search(r'id="t-contracts_by_contract_type"(.*?)</section>', html, re.S).group(1)
    transfer = re.search(r'<tr data-key="transfer">(.*?)</tr>', table, re.S).group(1)
    assert re.findall(r'data-column="total_amount">([^<]*)<', transfer) == ["&lt;3"]
    licence = re.search(r'<tr data-key="licence">(.*?)</tr>', table, re.S).group(1)
    assert re.findall(r'data-column="contracts">([^<]*)<', licence) == ["3"]
    assert "少于 3 份合同的分组不公布" in html
    assert figure(html, "contracts") == "8"
    one_year = text(client.get("/statistics/public?year=2026"))
    assert figure(one_year, "contracts") == "3"
    assert client.get("/statistics/public?year=twenty").status_code == 422


def test_public_charts_carry_no_withheld_value(client, world):
    html = text(client.get("/statistics/public?year_from=2025&year_to=2026"))
    by_type = next(spec for spec in charts(html) if spec["id"] == "contracts_by_contract_type")
    transfer = by_type["labels"].index("技术转让")
    assert by_type["series"][0]["data"][transfer] is None


def test_home_page_links_to_the_public_summary(client, world):
    assert 'href="/statistics/public"' in text(client.get("/"))


def test_institution_page_shows_the_members_own_figures(client, world):
    assert client.get("/statistics/institution").status_code == 302
    login(client, world["member"])
    html = text(client.get("/statistics/institution?year=2025"))
    assert "示范理工大学" in html
    assert figure(html, "contracts") == "1" and figure(html, "total_amount") == "120.00"
    assert 'id="t-annual_report_university"' in html and 'id="t-annual_report_summary"' in html
    assert 'id="t-annual_report_institute"' not in html and 'id="t-brokers"' not in html
    assert figure(text(client.get("/statistics/institution?year=2026")), "total_amount") == "30.50"
    # another institution's id in the query changes nothing: the page is the member's own organisation
    assert figure(text(client.get("/statistics/institution?year=2025&institution_id=1")), "contracts") == "1"
    assert client.get("/statistics/institution?year=20x5").status_code == 422
    workspace = text(client.get("/workspace"))
    assert 'href="/statistics/institution"' in workspace


def test_institution_page_for_an_enterprise_and_for_someone_without_one(app, client, world):
    login(client, world["company"])
    html = text(client.get("/statistics/institution?year=2025"))
    assert figure(html, "contracts") == "0" and 'id="t-annual_report_' not in html
    other = app.test_client()
    login(other, world["nobody"])
    assert "您还没有加入任何机构" in text(other.get("/statistics/institution"))


def test_cells_read_with_separators_and_exact_decimals():
    from decimal import Decimal as D

    assert cell_text(D("12330.5000"), AMOUNT) == "12,330.50"
    assert cell_text(D("10.0001"), AMOUNT) == "10.0001"
    assert cell_text(1234, "count") == "1,234"
    assert cell_text(D("33.3"), "percent") == "33.3"
    assert cell_text(None, AMOUNT) == "—" and cell_text(None, AMOUNT, withheld=True) == "<3"


def test_without_the_chart_library_the_pages_show_their_tables(app, client, world, tmp_path):
    """Before `make setup` has copied Chart.js to static/vendor/, no script is loaded and the tables say it all."""
    login(client, world["broker"])
    static_folder = app.static_folder
    app.static_folder = str(tmp_path)
    try:
        html = text(client.get("/statistics?year=2025"))
    finally:
        app.static_folder = static_folder
    assert "chart.umd" not in html and "statistics-charts" not in html and "statistics.js" not in html
    assert 'id="t-contracts_by_contract_type"' in html and figure(html, "contracts") == "5"
