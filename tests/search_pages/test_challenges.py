"""揭榜挂帅 challenges in search, on every engine: published challenges are indexed through the outbox and found by
keyword and facet (page and API); drafts are not; an execution stage change reaches the index; the database
fallback answers with the same filters."""
from __future__ import annotations

import re

import pytest

from marketplace.challenges import services
from marketplace.extensions import db
from marketplace.indexing import indexer
from tests import factories as f
from tests.challenges.helpers import challenge_data, published_challenge
from tests.search_fixtures import engine_down

API = "/api/v1/search/challenges"


@pytest.fixture
def board(app, ctx, any_engine):
    """Two published challenges (Jilin enterprise, Beijing government office) and a draft."""
    jilin = f.user(f.organization("enterprise", region="220000"))
    beijing = f.user(f.organization("government", region="110000"))
    broker = f.broker()
    battery = published_challenge(jilin, broker, title="固态电池电解质揭榜攻关", reward_amount="500",
                                  funding_mode="milestone")
    vision = published_challenge(beijing, broker, title="工业视觉缺陷检测揭榜", technical_field="ai",
                                 industry="manufacturing", reward_amount="80", funding_mode="horse_race",
                                 problem="需要识别微米级表面缺陷的视觉检测算法。",
                                 indicators=[{"metric": "漏检率", "target": "≤0.1%", "unit": ""}])
    draft = services.create_challenge(jilin, challenge_data(title="固态电池隔膜草稿榜单"))
    db.session.commit()
    indexer.drain(any_engine)
    return {"battery": battery.id, "vision": vision.id, "draft": draft.id, "jilin": jilin}


def api(client, qs: str) -> dict:
    response = client.get(f"{API}?{qs}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_published_challenges_found_by_keyword_drafts_not(client, board):
    found = api(client, "q=固态电池")
    assert [hit["id"] for hit in found["results"]] == [board["battery"]]
    assert found["results"][0]["stage"] == "open" and found["results"][0]["reward_amount"] == 500
    assert not found["degraded"]
    by_indicator = api(client, "q=漏检率")
    assert [hit["id"] for hit in by_indicator["results"]] == [board["vision"]]


def test_facets_filter_and_count(client, board):
    everything = api(client, "")
    assert everything["total"] == 2
    assert everything["facets"]["funding_mode"] == {"milestone": 1, "horse_race": 1}
    assert everything["facets"]["region"] == {"220000": 1, "110000": 1}
    assert everything["facets"]["reward_band"] == {"200-1000": 1, "50-200": 1}
    assert everything["facets"]["stage"] == {"open": 2}
    assert [h["id"] for h in api(client, "funding_mode=horse_race")["results"]] == [board["vision"]]
    assert [h["id"] for h in api(client, "reward_band=200-1000&technical_field=new_energy")["results"]] == \
        [board["battery"]]
    assert api(client, "region=110000&technical_field=new_energy")["total"] == 0
    sorted_by_reward = api(client, "sort=reward")["results"]
    assert [h["id"] for h in sorted_by_reward] == [board["battery"], board["vision"]]


def test_stage_change_reaches_the_index(client, board, any_engine):
    from marketplace.challenges.models import Challenge

    challenge = db.session.get(Challenge, board["battery"])
    services.cancel(board["jilin"], challenge, "企业技术路线调整")
    db.session.commit()
    indexer.drain(any_engine)
    assert [h["id"] for h in api(client, "stage=cancelled")["results"]] == [board["battery"]]
    assert api(client, "stage=open")["total"] == 1


def test_search_page_has_a_challenges_tab(client, board):
    page = client.get("/search/challenges?q=固态电池&funding_mode=milestone")
    assert page.status_code == 200
    html = re.sub(r"</?mark>", "", page.get_data(as_text=True))
    assert "固态电池电解质揭榜攻关" in html and "草稿榜单" not in html
    assert "资助方式" in html and "榜额区间" in html
    assert client.get("/search/challenges?stage=bogus").status_code == 200
    assert client.get(f"{API}?stage=bogus").status_code == 422


def test_database_fallback_honours_the_filters(app, client, board):
    with engine_down(app):
        found = api(client, "q=固态电池&funding_mode=milestone&reward_band=200-1000")
        assert found["degraded"] and [h["id"] for h in found["results"]] == [board["battery"]]
        assert api(client, "sort=deadline&stage=open")["total"] == 2


def test_a_cluster_without_the_challenge_index_gets_it(app, client, board, any_engine):
    """An index set created before challenges were searchable: the next process creates the missing index and
    ``flask search reindex --kind challenge`` fills it."""
    if not hasattr(any_engine, "t"):
        pytest.skip("cluster engines only: the embedded engine creates each kind's store on first use")
    for name in any_engine._alias_targets(any_engine.alias("challenge")):
        any_engine.t.request("DELETE", f"/{name}")
    any_engine._ensured = False  # a fresh process (the upgrade)
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--kind", "challenge"])
    assert result.exit_code == 0, result.output
    assert sorted(any_engine.versions("challenge")) == sorted([board["battery"], board["vision"]])
    assert api(client, "q=固态电池")["total"] == 1
