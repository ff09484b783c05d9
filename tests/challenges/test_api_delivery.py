"""The delivery API: agreement draft and signing, milestones (evidence, return, accept, payments), start, 赛马
checkpoint, extension and acceptance; problem+json for bad input, 403/404 by who asks."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.api.conftest import ApiClient, _cheap_password_hashing, assert_problem, database, make_token  # noqa: F401
from tests.challenges.delivery_helpers import agreement_data, awarded, signed


@pytest.fixture
def race(app, client):
    """A 赛马 of two awarded teams, agreements not drafted yet; clients for the issuer, the teams and a stranger."""
    with database(app):
        s = awarded(teams=2)
        stranger = f.user(f.organization("enterprise"))
        ids = {"challenge": s.challenge.id, "apps": [a.id for a in s.applications]}
        clients = {name: ApiClient(client, make_token(user)) for name, user in
                   (("issuer", s.issuer), ("team", s.teams[0]), ("team2", s.teams[1]), ("stranger", stranger))}
    return ids, clients


def _draft_and_sign(c, application_id):
    response = c["issuer"].put(f"/challenge-applications/{application_id}/agreement", json=agreement_data())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    today = date.today().isoformat()
    signed = c["issuer"].post(f"/challenge-agreements/{body['id']}/sign",
                              json={"issuer_signed_on": today, "team_signed_on": today})
    assert signed.status_code == 200, signed.get_json()
    return signed.get_json()


def test_agreement_milestones_and_checkpoint_over_http(race):
    ids, c = race
    first_app, second_app = ids["apps"]
    bad = c["issuer"].put(f"/challenge-applications/{first_app}/agreement",
                          json=agreement_data(tranches=("60", "30")))
    assert "milestones" in assert_problem(bad, 422)["errors"]
    assert c["stranger"].get(f"/challenge-applications/{first_app}/agreement").status_code == 404
    agreement = _draft_and_sign(c, first_app)
    assert agreement["status"] == "signed" and agreement["first_tranche_share"] == "60.00"
    assert agreement["actions"] == []
    too_early = c["issuer"].post(f"/challenges/{ids['challenge']}/start-delivery")
    assert_problem(too_early, 422)
    _draft_and_sign(c, second_app)
    started = c["issuer"].post(f"/challenges/{ids['challenge']}/start-delivery")
    assert started.status_code == 200 and started.get_json()["stage"] == "in_delivery"
    assert "extend" in started.get_json()["actions"]

    milestone_id = agreement["milestones"][0]["id"]
    assert c["stranger"].get(f"/challenge-milestones/{milestone_id}").status_code == 404
    team_view = c["team"].get(f"/challenge-milestones/{milestone_id}").get_json()
    assert team_view["actions"] == ["submit_evidence"]
    assert_problem(c["team"].post(f"/challenge-milestones/{milestone_id}/evidence", json={}), 422, "evidence")
    submitted = c["team"].post(f"/challenge-milestones/{milestone_id}/evidence", json={"evidence": "检测报告"})
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    assert_problem(c["team"].post(f"/challenge-milestones/{milestone_id}/accept"), 403)
    assert_problem(c["issuer"].post(f"/challenge-milestones/{milestone_id}/return", json={}), 422, "reason")
    returned = c["issuer"].post(f"/challenge-milestones/{milestone_id}/return", json={"reason": "数据不全"})
    assert returned.get_json()["return_reason"] == "数据不全"
    c["team"].post(f"/challenge-milestones/{milestone_id}/evidence", json={"evidence": "补充数据"})
    stale = c["issuer"].post(f"/challenge-milestones/{milestone_id}/accept", headers={"If-Match": '"1"'})
    assert_problem(stale, 409)
    accepted = c["issuer"].post(f"/challenge-milestones/{milestone_id}/accept")
    assert accepted.get_json()["status"] == "accepted"
    today = date.today().isoformat()
    over = c["issuer"].post(f"/challenge-milestones/{milestone_id}/payments", json={"amount": "61", "paid_on": today})
    assert_problem(over, 422, "amount")
    assert_problem(c["issuer"].post(f"/challenge-milestones/{milestone_id}/payments",
                                    json={"amount": "abc", "paid_on": today}), 422, "amount")
    paid = c["issuer"].post(f"/challenge-milestones/{milestone_id}/payments", json={"amount": "60", "paid_on": today})
    assert paid.status_code == 200 and paid.get_json()["paid_amount"] == "60.00"

    checkpoint = c["issuer"].post(f"/challenges/{ids['challenge']}/checkpoint", json={"results": [
        {"application_id": first_app, "passed": True},
        {"application_id": second_app, "passed": False, "reason": "阶段目标未达到"}]})
    assert checkpoint.status_code == 200, checkpoint.get_json()
    body = checkpoint.get_json()
    assert body["checkpoint"]["eliminated"] == [second_app] and body["checkpoint"]["freed"] == "100.00"
    assert {t["application_id"]: t["status"] for t in body["teams"]} == {first_app: "awarded",
                                                                          second_app: "eliminated"}
    assert body["paid"] == "60.00"
    moved = c["team"].get(f"/challenge-applications/{first_app}/agreement").get_json()
    assert [m["tranche"] for m in moved["milestones"]] == ["60.00", "140.00"] and moved["funding"] == "200.00"


def test_extension_and_acceptance_over_http(race):
    ids, c = race
    for application_id in ids["apps"]:
        _draft_and_sign(c, application_id)
    url = f"/challenges/{ids['challenge']}"
    assert c["issuer"].post(f"{url}/start-delivery").status_code == 200
    deadline = date.today() + timedelta(days=400)  # the completion deadline of the helpers' 榜单
    assert_problem(c["issuer"].post(f"{url}/extend", json={}), 422, "extended_to", "reason")
    assert_problem(c["issuer"].post(f"{url}/extend", json={"extended_to": (deadline + timedelta(days=400)).isoformat(),
                                                          "reason": "设备延迟"}), 422, "extended_to")
    assert_problem(c["team"].post(f"{url}/extend", json={"extended_to": (deadline + timedelta(days=30)).isoformat(),
                                                        "reason": "设备延迟"}), 403)
    extended = c["issuer"].post(f"{url}/extend", json={"extended_to": (deadline + timedelta(days=90)).isoformat(),
                                                       "reason": "设备延迟"})
    assert extended.status_code == 200 and extended.get_json()["extension_reason"] == "设备延迟"
    again = c["issuer"].post(f"{url}/extend", json={"extended_to": (deadline + timedelta(days=100)).isoformat(),
                                                    "reason": "再延"})
    assert_problem(again, 409)
    assert_problem(c["issuer"].post(f"{url}/acceptance", json={"outcome": "maybe"}), 422, "outcome")
    results = [{"met": True, "measured": "1.2", "evidence": "报告"}, {"met": False, "measured": "800"}]
    assert_problem(c["issuer"].post(f"{url}/acceptance", json={"outcome": "accept", "results": results}), 422)
    failed = c["issuer"].post(f"{url}/acceptance", json={"outcome": "fail", "results": results,
                                                         "reason": "循环寿命未达标"})
    assert failed.status_code == 200, failed.get_json()
    body = failed.get_json()
    assert body["stage"] == "failed" and [r["met"] for r in body["acceptance"]] == [True, False]
    assert body["actions"] == []


def test_a_team_cannot_touch_another_challenge(app, client):
    with database(app):
        s = awarded()
        signed(s)
        other = awarded()
        signed(other)
        milestone_id = s.applications[0].agreement.milestones[0].id
        outsider = ApiClient(client, make_token(other.teams[0]))
    assert_problem(outsider.get(f"/challenge-milestones/{milestone_id}"), 404)
    assert_problem(outsider.post(f"/challenge-milestones/{milestone_id}/evidence", json={"evidence": "x"}), 404)
    assert_problem(ApiClient(client).post(f"/challenge-milestones/{milestone_id}/accept"), 401)
