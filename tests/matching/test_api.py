"""The stable match API contract, visibility of the per-record endpoints, and broker curation permissions."""
from __future__ import annotations

import pytest

from marketplace.alerts.models import Notification
from marketplace.extensions import db
from tests.api.conftest import assert_problem

TEXT = "硅碳负极首次效率低，循环中体积膨胀，寻求碳包覆改性技术合作"


def test_match_achievements_contract_anonymous(market, world):
    response = world.anon.post("/match/achievements", json={"text": TEXT, "size": 3})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert 1 <= len(results) <= 3
    first = results[0]
    assert first["id"] == market.ids["anode"]
    assert set(first) >= {"id", "external_id", "title", "score", "band", "explanation"}
    assert isinstance(first["score"], float) and first["external_id"] is None
    assert first["explanation"]["matched_terms"] and first["explanation"]["reasons"]
    assert all(0.0 <= r["score"] <= 1.0 and r["band"] in ("high", "medium", "low") for r in results)


def test_match_filters_and_size_cap(market, world):
    response = world.anon.post("/match/achievements", json={"text": TEXT, "size": 1000,
                                                             "filters": {"technical_field": ["agriculture"]}})
    assert response.status_code == 200
    assert all(r["id"] != market.ids["anode"] for r in response.get_json()["results"])


@pytest.mark.parametrize("body, field", [
    ({"text": ""}, "text"), ({"text": "   "}, "text"), ({}, "text"), ({"text": TEXT, "size": "ten"}, "size"),
    ({"text": TEXT, "size": 2.5}, "size"), ({"text": TEXT, "size": 0}, "size"),
    ({"text": TEXT, "filters": {"status": ["draft"]}}, "filters"), ({"text": TEXT, "filters": []}, "filters"),
])
def test_match_validation_is_422(market, world, body, field):
    assert_problem(world.anon.post("/match/achievements", json=body), 422, field)


def test_match_patents(market, world):
    response = world.anon.post("/match/patents", json={"text": TEXT})
    assert [r["id"] for r in response.get_json()["results"]] == [market.ids["patent"]]


def test_demand_matches_visibility(market, world):
    path = f"/demands/{market.ids['demand']}/matches"
    assert world.other.get(path).status_code == 200  # the demand's organisation
    assert world.broker.get(path).get_json()["results"][0]["id"] == market.ids["anode"]
    assert_problem(world.owner.get(path), 403)  # published, but not theirs
    assert_problem(world.anon.get(path), 401)
    assert_problem(world.other.get("/demands/999999/matches"), 404)


def test_unpublished_demand_matches_are_404_to_others(app, market, world):
    from marketplace.demands.models import Demand

    with app.app_context():
        db.session.get(Demand, market.ids["demand"]).status = "draft"
        db.session.commit()
    assert_problem(world.owner.get(f"/demands/{market.ids['demand']}/matches"), 404)
    assert world.other.get(f"/demands/{market.ids['demand']}/matches").status_code == 200


def test_matching_demands_of_an_achievement(market, world):
    path = f"/achievements/{market.ids['anode']}/matching-demands"
    results = world.owner.get(path).get_json()["results"]
    assert results[0]["id"] == market.ids["demand"]
    assert_problem(world.other.get(path), 403)
    assert_problem(world.other.get(f"/achievements/{market.ids['draft']}/matching-demands"), 404)


def test_pin_dismiss_recommend_are_for_brokers(app, market, world):
    base = f"/demands/{market.ids['demand']}/matches/achievement"
    anode, other = market.ids["anode"], market.ids["other2"]
    for client in (world.other, world.owner):  # the demand's own org and a stranger
        assert client.post(f"{base}/{anode}/pin").status_code == 403
    assert_problem(world.anon.post(f"{base}/{anode}/pin"), 401)
    assert_problem(world.broker.post(f"{base}/{market.ids['draft']}/pin"), 404)

    assert world.broker.post(f"{base}/{other}/pin").get_json()["pinned"] is True
    assert world.broker.post(f"{base}/{anode}/dismiss").get_json()["dismissed"] is True
    ids = [r["id"] for r in world.other.get(f"/demands/{market.ids['demand']}/matches").get_json()["results"]]
    assert ids[0] == other and anode not in ids
    shown = world.broker.get(f"/demands/{market.ids['demand']}/matches?show_dismissed=true").get_json()["results"]
    assert shown[-1]["id"] == anode and shown[-1]["dismissed"] is True
    assert world.broker.post(f"{base}/{anode}/reset").get_json()["dismissed"] is False

    response = world.broker.post(f"{base}/{anode}/recommend", json={"note": "建议尽快对接"})
    assert response.status_code == 200 and response.get_json()["recommended_at"].endswith("Z")
    listed = world.broker.get(f"/demands/{market.ids['demand']}/matches").get_json()["results"]
    assert next(r for r in listed if r["id"] == anode)["recommended_at"].endswith("Z")  # RFC 3339, like every time
    with app.app_context():
        notes = db.session.execute(db.select(Notification).where(Notification.category == "recommendation")
                                   ).scalars().all()
        users = {n.user_id for n in notes}
    assert {world.ids["other"], world.ids["owner"], world.ids["member"]} <= users
    assert world.ids["broker"] not in users
    assert any("建议尽快对接" in (n.body or "") for n in notes)


def test_match_rate_limit_is_configurable(app):
    """The limit string comes from MATCH_RATE_LIMIT (429s themselves are Flask-Limiter's job; the session app runs
    with rate limiting off)."""
    from marketplace.matching.api import _match_limit

    with app.app_context():
        assert _match_limit() == "120 per minute"
        app.config["MATCH_RATE_LIMIT"] = "5 per second"
        try:
            assert _match_limit() == "5 per second"
        finally:
            app.config.pop("MATCH_RATE_LIMIT")


@pytest.mark.parametrize("path, kind", [("/match/achievements", "achievement"), ("/match/patents", "patent")])
def test_match_results_are_what_the_documented_schema_dumps(app, market, world, path, kind):
    """The responses are built without marshmallow (speed); they must equal the schema's dump of the same results,
    model records (patents) and the pool's plain rows (achievements) alike."""
    from marketplace.matching import services
    from marketplace.matching.schemas import MatchList

    body = world.anon.post(path, json={"text": TEXT, "size": 5}).get_json()
    with app.test_request_context():
        expected = MatchList().dump({"results": services.match_text(TEXT, kind=kind, size=5)})
    assert body == expected and body["results"]
    assert body["results"][0]["org_name"]  # the organisation's name comes with the plain rows too
