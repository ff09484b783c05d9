"""A page past the end of a list goes to its last page with a notice, on every paginated list (issue 12); the
quality list never silently replaces a year outside its range."""
from datetime import date

import pytest

from tests.web.helpers import login, text
from tests.web.test_browse import _publish_many


@pytest.mark.parametrize("url, last", [
    ("/achievements?page=99999", "/achievements?page=2"),
    ("/achievements?trl=1-3&page=7", "/achievements?trl=1-3"),  # 9 of 25 match: one page; filters kept
    ("/demands?page=3", "/demands"),  # an empty list has one page
    ("/patents?page=2", "/patents"),
    ("/orgs?page=500", "/orgs"),
])
def test_a_page_past_the_end_redirects_to_the_last_page_with_a_notice(app, client, world, url, last):
    _publish_many(app, world)
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"] == last
    page = text(client.get(last))
    assert "已显示最后一页" in page and "第 1000 /" not in page


def test_the_last_page_itself_is_not_redirected(app, client, world):
    _publish_many(app, world)
    response = client.get("/achievements?page=2")
    assert response.status_code == 200 and 'rel="next"' not in text(response)


def test_search_page_past_the_end_redirects(app, client, world):
    _publish_many(app, world, 3)
    response = client.get("/search?page=40")
    assert response.status_code == 302 and response.headers["Location"] == "/search"


def test_workspace_page_past_the_end_redirects(app, client, world):
    _publish_many(app, world)
    login(client, world.owner)
    response = client.get("/workspace?tab=achievements&page=9")
    assert response.status_code == 302 and response.headers["Location"] == "/workspace?tab=achievements&page=2"


@pytest.mark.parametrize("year", ["1999", "2101", "abc"])
def test_quality_year_out_of_range_is_refused_with_the_valid_range(app, client, world, year):
    login(client, world.admin)
    response = client.get(f"/quality?year={year}")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "年份应为 2000 到 2100 之间的整数" in page and f"已显示 {date.today().year} 年" in page
    assert "年份应为" not in text(client.get("/quality?year=2025"))
