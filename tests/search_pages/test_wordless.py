"""Keywords without a usable word (only punctuation or stopwords) find nothing, on the pages, the API and the
database fallback, with the page's "nothing matched" help; empty keywords still browse everything."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.indexing import indexer
from tests import factories as f
from tests.search_fixtures import engine_down

NOTHING = "没有找到符合条件的结果"
HINT = "关键词中没有可检索的词语"
PAGES = ("/search", "/search/patents", "/search/demands", "/search/orgs")
APIS = ("achievements", "patents", "demands", "organizations")


@pytest.fixture
def published(app, ctx, any_engine):
    owner = f.user(f.organization("university", name="的和研究院"))
    broker = f.broker()
    f.achievement(owner, publish_by=broker, title="高镍正极材料的表面包覆技术")
    f.achievement(owner, publish_by=broker, title="寒地玉米(籽粒)直收装备", technical_field="agriculture",
                  summary="适用于东北寒地的玉米籽粒直收，低损失率。", keywords=["玉米", "收获机"])
    f.demand(f.user(f.organization("enterprise")), publish_by=broker, title="负极材料的首效提升")
    db.session.commit()
    indexer.drain(any_engine)


@pytest.mark.parametrize("q", ["(", "的", "的 和", "？！", "the of", "——", "( ) 、"])
def test_wordless_keywords_find_nothing(client, published, q):
    for path in APIS:
        data = client.get(f"/api/v1/search/{path}", query_string={"q": q}).get_json()
        assert (data["total"], data["results"], data["did_you_mean"]) == (0, [], []), (path, data)
        assert all(counts == {} for counts in data["facets"].values())
    for path in PAGES:
        html = client.get(path, query_string={"q": q}).get_data(as_text=True)
        assert NOTHING in html and HINT in html, path
        assert "检查错别字" not in html and "不限关键词，查看全部" in html
        assert "表面包覆技术" not in html and "首效提升" not in html


@pytest.mark.parametrize("q", ["", "   "])
def test_empty_keywords_browse_everything(client, published, q):
    assert client.get("/api/v1/search/achievements", query_string={"q": q}).get_json()["total"] == 2
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    assert "表面包覆技术" in html and "直收装备" in html and HINT not in html


def test_stopwords_among_words_are_ignored(client, published):
    data = client.get("/api/v1/search/achievements", query_string={"q": "的 高镍 ("}).get_json()
    assert [r["title"] for r in data["results"]] == ["高镍正极材料的表面包覆技术"]
    html = client.get("/search?q=不存在的词xyz").get_data(as_text=True)
    assert NOTHING in html and HINT not in html and "检查错别字" in html


def test_hint_in_english(client, published):
    html = client.get("/search?q=的&lang=en").get_data(as_text=True)
    assert "contain no searchable word" in html


def test_database_fallback_agrees(app, client, published):
    with engine_down(app):
        for q in ("(", "的", "的 和"):
            data = client.get("/api/v1/search/achievements", query_string={"q": q}).get_json()
            assert data["degraded"] is True and data["total"] == 0, q
            html = client.get("/search/orgs", query_string={"q": q}).get_data(as_text=True)
            assert NOTHING in html and HINT in html and "的和研究院" not in html
        # a stopword next to a word no longer has to appear in the title
        data = client.get("/api/v1/search/achievements", query_string={"q": "高镍 和"}).get_json()
        assert [r["title"] for r in data["results"]] == ["高镍正极材料的表面包覆技术"]
        assert client.get("/api/v1/search/achievements", query_string={"q": " "}).get_json()["total"] == 2
