"""The calibrated match score: absolute (a pair scores the same whatever else is listed, in both directions, pinned
or ranked), banded high / medium / low in the API and on the pages, weak matches collapsed below the others."""
from __future__ import annotations

import pytest

from tests.api.conftest import login_session

TEXT = "硅碳负极首次效率低，循环中体积膨胀，寻求碳包覆改性技术合作"
# A need whose subject (snow-making) no record has; it shares a word or two with the corpus, so something is listed
ABSENT = "滑雪场人工造雪机：需要提高造雪机在零下2℃时的成雪率，降低能耗，欢迎改良土壤的单位合作"


def _match(world, text, **body):
    response = world.anon.post("/match/achievements", json={"text": text, **body})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def test_scores_lie_in_0_1_with_the_band_of_their_thresholds(market, world):
    results = _match(world, TEXT, size=5)
    assert results[0]["id"] == market.ids["anode"] and results[0]["band"] == "high"
    for r in results:
        assert 0.0 <= r["score"] <= 1.0
        assert r["band"] == ("high" if r["score"] >= 0.5 else "medium" if r["score"] >= 0.2 else "low")
    assert all(r["band"] == "low" for r in results[1:])  # the unrelated records


def test_a_need_whose_subject_is_absent_gets_no_high_and_no_near_one_score(market, world):
    results = _match(world, ABSENT, size=5)
    assert results, "the shared word should list something"
    assert all(r["band"] == "low" and r["score"] < 0.2 for r in results)


def test_a_pair_scores_the_same_whatever_else_is_listed(market, world):
    """The second record of one list scores the same when a filter leaves it first."""
    results = _match(world, "秸秆生物炭改良盐碱土壤，硅碳负极碳包覆", size=5)
    second = results[1]
    field = world.anon.get(f"/achievements/{second['id']}").get_json()["technical_field"]
    alone = _match(world, "秸秆生物炭改良盐碱土壤，硅碳负极碳包覆", size=5, filters={"technical_field": [field]})
    assert alone[0]["id"] == second["id"]
    assert alone[0]["score"] == second["score"]


def test_both_directions_give_the_pair_the_same_score(market, world):
    demand, anode = market.ids["demand"], market.ids["anode"]
    to_achievements = world.broker.get(f"/demands/{demand}/matches").get_json()["results"]
    to_demands = world.broker.get(f"/achievements/{anode}/matching-demands").get_json()["results"]
    forward = next(r for r in to_achievements if r["id"] == anode)
    backward = next(r for r in to_demands if r["id"] == demand)
    assert forward["score"] == backward["score"] and forward["band"] == backward["band"] == "high"


@pytest.mark.parametrize("action", ["pin", "recommend"])
def test_pinned_and_recommended_results_keep_their_real_score(market, world, action):
    demand, anode = market.ids["demand"], market.ids["anode"]
    base = f"/demands/{demand}/matches"
    before = next(r for r in world.broker.get(base).get_json()["results"] if r["id"] == anode)
    assert world.broker.post(f"{base}/achievement/{anode}/{action}").status_code == 200
    after = next(r for r in world.broker.get(base).get_json()["results"] if r["id"] == anode)
    assert after["pinned"] is True
    assert after["score"] == before["score"] > 0.5 and after["band"] == "high"
    other = market.ids["other0"]
    assert world.broker.post(f"{base}/achievement/{other}/dismiss").status_code == 200
    dismissed = [r for r in world.broker.get(base + "?show_dismissed=true").get_json()["results"] if r["dismissed"]]
    assert dismissed and all(r["score"] > 0.0 for r in dismissed)


def test_band_thresholds():
    from marketplace.matching import scoring

    assert [scoring.band(v) for v in (0.0, 0.19, 0.2, 0.49, 0.5, 1.0, None)] == \
        ["low", "low", "medium", "medium", "high", "high", "low"]
    profile = scoring.NeedProfile.of({"硅碳负极": 1.0, "碳包覆": 0.8}, "硅碳负极 碳包覆")
    same = scoring.score(profile, "硅碳负极的碳包覆改性", "硅碳负极的碳包覆改性")
    none = scoring.score(profile, "玉米秸秆生物炭还田", "玉米秸秆生物炭还田")
    assert 0.0 <= none < same <= 1.0


def test_pages_show_score_band_and_help_with_weak_matches_collapsed_below(app, client, market, world):
    from marketplace.accounts.models import User
    from marketplace.extensions import db
    from tests import factories as f
    from tests.matching.conftest import index_all

    with app.test_request_context():
        owner, broker = (db.session.get(User, world.ids[n]) for n in ("owner", "broker"))
        weak = f.achievement(owner, publish_by=broker, title="膨胀珍珠岩外墙保温板",
                             summary="以膨胀珍珠岩为骨料制备建筑外墙保温板，导热系数低，防火等级A级。",
                             technical_field="civil", industries=["construction"]).id
        db.session.commit()
        index_all()
    login_session(app, client, world.ids["broker"])
    html = client.get(f"/demands/{market.ids['demand']}/matches").get_data(as_text=True)
    assert "匹配度是什么意思？" in html and 'class="tag band band-high">高<' in html
    separator = html.index('class="weak-matches"')
    assert html.index("硅碳负极材料的碳包覆改性") < separator < html.index("膨胀珍珠岩外墙保温板")
    assert 'class="tag band band-low">低<' in html[separator:]
    results = world.broker.get(f"/demands/{market.ids['demand']}/matches").get_json()["results"]
    assert next(r for r in results if r["id"] == weak)["band"] == "low"
    page = client.get(f"/achievements/{market.ids['anode']}/matches").get_data(as_text=True)
    assert "匹配度是什么意思？" in page and 'band-high">高<' in page
