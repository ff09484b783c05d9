"""Multi-select facets on the search pages and the API, on both engines: several values of a field (repeated
parameters, OR), the counts of a field computed with the other fields' filters only, toggle links and removable
chips that work without JavaScript, and the database fallback while the engine is down."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from marketplace.extensions import db
from marketplace.indexing import indexer
from tests import factories as f
from tests.search_fixtures import engine_down

API = "/api/v1/search/achievements"


class FacetPage(HTMLParser):
    """The facet sidebar of a search page: ``values[field label][value label] = (href, selected, count)`` and
    the chips of the chosen values ``chips[text] = href``."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, dict[str, tuple[str, bool, int | None]]] = {}
        self.chips: dict[str, str] = {}
        self._group = self._item = self._chip = None
        self._in = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "h2" and self._group == "":
            self._in = "title"
        elif tag == "section" and "facet" in classes:
            self._group = ""
        elif tag == "li" and self._group:
            self._item = {"selected": "selected" in classes, "label": "", "count": None}
        elif tag == "a" and self._item is not None:
            self._item["href"], self._in = a["href"], "label"
        elif tag == "span" and self._item is not None and "count" in classes:
            self._in = "count"
        elif tag == "a" and "chip" in classes and self._group is None:
            self._chip, self._in = [a["href"], ""], "chip"

    def handle_endtag(self, tag):
        if tag == "section":
            self._group = None
        elif tag == "li" and self._item is not None:
            item = self._item
            self.values.setdefault(self._group, {})[item["label"].strip()] = (
                item["href"], item["selected"], item["count"])
            self._item = None
        elif tag == "a" and self._chip is not None:
            self.chips[self._chip[1].strip()] = self._chip[0]
            self._chip = None
        if (tag, self._in) in (("a", "label"), ("a", "chip"), ("span", "count"), ("h2", "title")):
            self._in = ""

    def handle_data(self, data):
        if self._in == "title":
            self._group += data.strip()
        elif self._in == "label" and self._item is not None:
            self._item["label"] += data.replace("☑", "").replace("☐", "")
        elif self._in == "count" and self._item is not None:
            self._item["count"] = int(data.replace(",", ""))
        elif self._in == "chip":
            self._chip[1] += data


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@pytest.fixture
def shelf(app, ctx, any_engine):
    """Four published achievements over three technical fields and two regions, and an unpublished one."""
    jilin = f.user(f.organization("university", region="220000"))
    beijing = f.user(f.organization("institute", region="110000"))
    broker = f.broker()
    made = {
        "vision": f.achievement(jilin, publish_by=broker, title="智能视觉质检系统", technical_field="ai"),
        "graphene": f.achievement(jilin, publish_by=broker, title="石墨烯导热膜", technical_field="new_materials"),
        "fuel_cell": f.achievement(beijing, publish_by=broker, title="氢燃料电池电堆", technical_field="new_energy"),
        "robot": f.achievement(beijing, publish_by=broker, title="智能巡检机器人", technical_field="ai"),
    }
    f.achievement(jilin, title="未发布的智能草稿", technical_field="ai")
    db.session.commit()
    indexer.drain(any_engine)
    return {name: record.id for name, record in made.items()}


def api(client, qs: str) -> dict:
    response = client.get(f"{API}?{qs}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_api_counts_each_field_with_the_other_fields_filters(client, shelf):
    one = api(client, "technical_field=ai")
    assert one["total"] == 2 and {r["id"] for r in one["results"]} == {shelf["vision"], shelf["robot"]}
    assert one["facets"]["technical_field"] == {"ai": 2, "new_materials": 1, "new_energy": 1}
    assert one["facets"]["region"] == {"220000": 1, "110000": 1}

    two = api(client, "technical_field=ai&technical_field=new_materials")
    assert two["total"] == 3 and shelf["fuel_cell"] not in {r["id"] for r in two["results"]}
    assert two["facets"]["technical_field"] == one["facets"]["technical_field"]
    assert two["facets"]["region"] == {"220000": 2, "110000": 1}

    across = api(client, "technical_field=ai&technical_field=new_materials&region=110000")
    assert [r["id"] for r in across["results"]] == [shelf["robot"]] and across["total"] == 1
    assert across["facets"]["technical_field"] == {"ai": 1, "new_energy": 1}
    assert across["facets"]["region"] == {"220000": 2, "110000": 1}

    paged = api(client, "technical_field=ai&technical_field=new_materials&page_size=2&page=2")
    assert paged["total"] == 3 and len(paged["results"]) == 1 and paged["pages"] == 2


def test_page_keeps_the_other_values_of_a_chosen_field(client, shelf):
    page = FacetPage(client.get("/search?technical_field=ai&q=智能").get_data(as_text=True))
    fields = page.values["技术领域"]
    href, selected, count = fields["人工智能"]
    assert selected and count == 2
    assert query(href) == {"q": ["智能"]}  # unticking removes the value, keeps the keywords
    # with 智能, only AI records match at all: no other technical field has anything to add
    assert set(fields) == {"人工智能"}

    past_the_end = client.get("/search?technical_field=ai&sort=newest&page=2")  # 2 hits: one page
    assert past_the_end.status_code == 302
    page = FacetPage(client.get(past_the_end.headers["Location"]).get_data(as_text=True))
    fields = page.values["技术领域"]
    assert fields["新材料"][1:] == (False, 1) and fields["新能源"][1:] == (False, 1)
    assert query(fields["新材料"][0]) == {"technical_field": ["ai", "new_materials"], "sort": ["newest"]}
    assert page.values["所在地区"]["北京市"][1:] == (False, 1)
    assert set(page.chips) == {"技术领域：人工智能 ×"}
    assert query(page.chips["技术领域：人工智能 ×"]) == {"sort": ["newest"]}


def test_page_with_two_values_of_a_field_and_their_chips(client, shelf):
    html = client.get("/search?technical_field=ai&technical_field=new_materials").get_data(as_text=True)
    for title in ("智能视觉质检系统", "石墨烯导热膜", "智能巡检机器人"):
        assert title in html
    assert "氢燃料电池电堆" not in html and "未发布" not in html
    page = FacetPage(html)
    fields = page.values["技术领域"]
    assert fields["人工智能"][1:] == (True, 2) and fields["新材料"][1:] == (True, 1)
    assert fields["新能源"][1:] == (False, 1)
    assert query(fields["新能源"][0]) == {"technical_field": ["ai", "new_materials", "new_energy"]}
    assert query(fields["新材料"][0]) == {"technical_field": ["ai"]}
    assert query(page.chips["技术领域：人工智能 ×"]) == {"technical_field": ["new_materials"]}
    assert query(page.chips["技术领域：新材料 ×"]) == {"technical_field": ["ai"]}
    # the older comma-separated form of a bookmark still works and means the same
    assert FacetPage(client.get("/search?technical_field=ai,new_materials").get_data(as_text=True)).values == \
        page.values


def test_chosen_value_with_nothing_left_stays_visible_and_removable(client, shelf):
    html = client.get("/search?technical_field=new_energy&region=220000").get_data(as_text=True)
    assert "没有找到符合条件的结果" in html
    page = FacetPage(html)
    # technical fields of the records in Jilin; regions of the new-energy records
    assert {k: v[1:] for k, v in page.values["技术领域"].items()} == {
        "人工智能": (False, 1), "新材料": (False, 1), "新能源": (True, 0)}
    assert {k: v[1:] for k, v in page.values["所在地区"].items()} == {"北京市": (False, 1), "吉林省": (True, 0)}
    assert set(page.chips) == {"技术领域：新能源 ×", "所在地区：吉林省 ×"}


def test_database_fallback_honours_several_values(app, client, shelf):
    with engine_down(app):
        data = api(client, "technical_field=ai&technical_field=new_materials&region=220000")
        assert data["degraded"] is True and data["facets"] == {}
        assert {r["id"] for r in data["results"]} == {shelf["vision"], shelf["graphene"]}
        html = client.get("/search?technical_field=ai&technical_field=new_materials").get_data(as_text=True)
        assert "氢燃料电池电堆" not in html and "石墨烯导热膜" in html and "智能巡检机器人" in html
        page = FacetPage(html)
        assert page.values["技术领域"] == {
            "人工智能": ("/search?technical_field=new_materials", True, None),
            "新材料": ("/search?technical_field=ai", True, None),
        }
