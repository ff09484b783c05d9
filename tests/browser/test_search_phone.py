"""The search page on a phone (390 px wide): the facets fold behind a 筛选 button so the first result is near the top;
on a desktop they stay open beside the results (issue 12)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.indexing import indexer
from marketplace.indexing.runtime import get_engine
from tests import factories as f

# Varied published achievements, so that every facet has several values as on the real site (none in agriculture,
# which the publish-flow test counts).
FIELDS = ["new_materials", "biomedicine", "optoelectronics", "equipment", "new_energy", "environment", "ai",
          "medical_devices", "chemicals", "electronics", "mining", "food"]
REGIONS = ["220000", "110000", "310000", "320000", "440000", "210000"]
MODES = [["licence"], ["assignment"], ["equity"], ["joint_development"], ["service"], ["licence", "equity"]]
IP = ["invention_patent", "utility_model", "software_copyright", "know_how", "design", "plant_variety"]


@pytest.fixture(scope="module")
def catalogue(live_server):
    with live_server.app.app_context():
        owner = db.session.execute(db.select(User).where(User.email == live_server.accounts.owner)).scalar_one()
        broker = db.session.execute(db.select(User).where(User.email == live_server.accounts.broker)).scalar_one()
        for number, field in enumerate(FIELDS):
            f.achievement(owner, publish_by=broker, title=f"手机检索测试成果{number:02d}", technical_field=field,
                          region=REGIONS[number % len(REGIONS)], transfer_modes=MODES[number % len(MODES)],
                          ip_type=IP[number % len(IP)], trl=number % 9 + 1,
                          price_amount=None if number % 4 == 0 else str(5 + number * 90))
        db.session.commit()
        indexer.drain(get_engine())


def test_phone_shows_the_first_result_near_the_top_with_facets_behind_a_button(live_server, page_for, catalogue):
    page = page_for(390, 844)
    page.goto(live_server.url + "/search")
    first = page.locator(".search-hit").first
    expect(first).to_be_visible()
    top = first.bounding_box()["y"]
    assert top < 700, f"first result starts at {top:.0f} px"
    toggle = page.locator(".search-facets summary")
    expect(toggle).to_be_visible()
    expect(toggle).to_contain_text("筛选")
    facet = page.locator(".search-facets .facet").first
    expect(facet).to_be_hidden()
    toggle.click()
    expect(facet).to_be_visible()
    page.locator(".search-facets .facet a", has_text="新材料").first.click()
    page.wait_for_url("**technical_field=new_materials**")
    expect(page.locator(".search-facets summary")).to_contain_text("1")  # the folded button counts the chosen filter
    expect(page.locator(".search-hit")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows sideways


def test_desktop_keeps_the_facets_open_beside_the_results(live_server, page_for, catalogue):
    page = page_for(1280, 900)
    page.goto(live_server.url + "/search")
    expect(page.locator(".search-facets .facet").first).to_be_visible()
    expect(page.locator(".search-facets summary")).to_be_hidden()
