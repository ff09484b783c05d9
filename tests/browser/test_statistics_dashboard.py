"""The statistics dashboard in Chromium: a broker opens /statistics, the charts are drawn (Chart.js from
static/vendor/, installed by `make setup`), and changing the year changes the headline figures."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.statistics import contracts
from marketplace.statistics.filters import StatsFilter
from marketplace.statistics.pages import CHART_LIBRARY, cell_text
from tests.browser.test_publish_flow import sign_in
from tests.statistics import fixture

#: how many pixels of a chart's canvas are not transparent (something was drawn)
DRAWN_PIXELS = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { drawn += 1; } }
  return drawn;
}"""


@pytest.fixture(scope="module")
def figures(live_server):
    """The hand-computed fixture's contracts on the shared live server, and the headline figures the core gives
    for 2025 and 2026 (other tests may add contracts of their own)."""
    library = Path(live_server.app.static_folder, CHART_LIBRARY)
    if not library.is_file():
        message = f"{library} missing: run `make setup` (npm ci copies Chart.js there)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with live_server.app.test_request_context():
        fixture.load()
        db.session.commit()
        return {year: cell_text(contracts.total(StatsFilter(year, year)).total_amount, "amount")
                for year in (2025, 2026)}


def test_dashboard_draws_its_charts_and_follows_the_year_filter(live_server, page_for, figures):
    base = live_server.url
    page = page_for()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, live_server.accounts.broker, live_server.accounts.password)
    page.goto(base + "/statistics?year=2025")
    expect(page.locator("h1")).to_have_text("成果转化统计分析")
    amount = page.locator('[data-figure="total_amount"] .figure-value')
    expect(amount).to_have_text(figures[2025])

    chart = page.locator('figure[data-chart="contracts_by_contract_type"]')
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart).to_be_visible()
    canvas = chart.locator("canvas")
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    assert canvas.evaluate(DRAWN_PIXELS) > 500
    instances = page.evaluate("() => Object.keys(window.Chart.instances).length")
    assert instances == page.locator("figure.stat-chart[data-drawn=true]").count() > 5
    assert not errors

    page.select_option("#f-year_from", "2026")
    page.select_option("#f-year_to", "2026")
    page.locator("button[type=submit]", has_text="应用筛选").click()
    expect(amount).to_have_text(figures[2026])
    assert figures[2025] != figures[2026]
    assert "year_from=2026" in page.url
    expect(page.locator('figure[data-chart="contracts_by_month"]')).to_have_attribute("data-drawn", "true")


def test_dashboard_on_a_phone_scrolls_tables_inside_their_card(live_server, page_for, figures):
    page = page_for(width=390, height=844)
    sign_in(page, live_server.url, live_server.accounts.broker, live_server.accounts.password)
    page.goto(live_server.url + "/statistics?year_from=2025&year_to=2026")
    expect(page.locator('figure[data-chart="funnel"]')).to_have_attribute("data-drawn", "true")
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= 390  # nothing wider than the screen: wide tables scroll inside their container
    scroller = page.locator("#t-funnel .table-scroll")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    width = page.locator('figure[data-chart="contracts_by_contract_type"] canvas').bounding_box()["width"]
    assert 200 < width <= 390
