"""Rough edges of the search pages (issue 12): the keyword typed on a page without keyword is ranked by relevance,
the API lists under ``items`` (``results`` kept as a deprecated alias), facets collapse on phones."""
import re

import pytest

from marketplace.extensions import db
from marketplace.indexing import indexer
from tests import factories as f


@pytest.fixture
def listed(app, ctx, search_engine):
    owner = f.user(f.organization("university", name="吉林大学测试"))
    broker = f.broker()
    f.achievement(owner, publish_by=broker, title="锂电池正极材料包覆技术", summary="高镍正极材料的表面包覆工艺。",
                  keywords=["锂电池"])
    f.achievement(owner, publish_by=broker, title="寒地玉米机械化收获装备", summary="东北寒地玉米籽粒直收。",
                  keywords=["玉米"])
    db.session.commit()
    indexer.drain(search_engine)


def form_fields(html: str) -> dict[str, str]:
    """The hidden inputs of the search form (what a submission sends besides the keyword)."""
    form = re.search(r'<form class="search-form".*?</form>', html, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def current_sort(html: str) -> str:
    return re.search(r'<nav class="sort".*?<strong aria-current="true">([^<]+)</strong>', html, re.S).group(1)


def test_a_keyword_typed_on_the_page_without_keyword_is_ranked_by_relevance(client, listed):
    first = client.get("/search").get_data(as_text=True)
    assert current_sort(first) == "最新发布"  # no keyword: newest first
    assert "sort" not in form_fields(first)
    typed = client.get("/search", query_string={**form_fields(first), "q": "锂电池"}).get_data(as_text=True)
    assert current_sort(typed) == "相关度"


def test_a_sort_the_user_chose_is_kept_with_the_next_keyword(client, listed):
    chosen = client.get("/search?q=锂电池&sort=newest").get_data(as_text=True)
    assert form_fields(chosen)["sort"] == "newest"
    assert form_fields(client.get("/search?sort=price_asc").get_data(as_text=True))["sort"] == "price_asc"


def test_home_page_has_a_search_box_leading_to_the_search_page(client, listed):
    html = client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="home-search"[^>]*action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    assert form and form.group(1) == "/search" and 'name="q"' in form.group(2)
    assert 'name="sort"' not in form.group(2)
    assert current_sort(client.get("/search?q=锂电池").get_data(as_text=True)) == "相关度"


def test_search_api_lists_under_items_with_results_as_deprecated_alias(client, listed):
    data = client.get("/api/v1/search/achievements?q=锂电池").get_json()
    assert [hit["title"] for hit in data["items"]] == ["锂电池正极材料包覆技术"]
    assert data["results"] == data["items"]
    spec = client.get("/api/v1/openapi.json").get_json()
    text = str(spec)
    assert "results" in text and "items" in text and "deprecated" in text.lower()
