"""The JSON API of 揭榜 and 评审: applying, the permission matrix, deadlines, review with recusal, ranking and the
anonymous structured result."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.accounts.models import User
from marketplace.challenges import experts, services
from marketplace.challenges.models import Challenge
from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import ApiClient, _cheap_password_hashing, assert_problem, database, make_token, world  # noqa: F401
from tests.challenges.helpers import published_challenge

PROPOSAL = {"proposal": "硫化物固态电解质方案", "technical_route": "材料筛选 → 中试 → 电芯验证"}
RUBRIC = {"criteria": [{"name": "技术先进性", "weight": 70, "min": 0, "max": 100, "comments_required": True},
                       {"name": "团队能力", "weight": 30, "min": 0, "max": 10}]}


@pytest.fixture
def race(app, client, world):  # noqa: F811  (the fixture imported above)
    """A published challenge of organisation B (``other``, the issuer); experts from unrelated organisations, a
    colleague of the issuer and a user of a third organisation, each with an API client."""
    with database(app):
        issuer, broker = db.session.get(User, world.ids["other"]), db.session.get(User, world.ids["broker"])
        challenge = published_challenge(issuer, broker)
        extra = {"expert": f.user(f.organization("institute")), "expert2": f.user(f.organization("institute")),
                 "colleague": f.user(issuer.organization), "third": f.user(f.organization("university"))}
        for name, user in extra.items():
            world.ids[name] = user.id
            world.clients[name] = ApiClient(client, make_token(user))
        for user in (extra["expert"], extra["expert2"], extra["colleague"], db.session.get(User, world.ids["member"])):
            experts.set_expert_profile(broker, user, {"fields": [challenge.technical_field], "active": True})  # 专家库
        world.ids["challenge"] = challenge.id
    return world


def applied(w, api=None, submit=True) -> dict:
    api = api or w.owner
    response = api.post(f"/challenges/{w.ids['challenge']}/applications")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    if submit:
        assert api.patch(f"/challenge-applications/{body['id']}", json=PROPOSAL).status_code == 200
        body = api.post(f"/challenge-applications/{body['id']}/submit").get_json()
        assert body["status"] == "submitted", body
    return body


def close(app, w) -> None:
    with database(app):
        challenge = db.session.get(Challenge, w.ids["challenge"])
        services.close_applications(db.session.get(User, w.ids["broker"]), challenge)


def test_register_edit_and_submit(race):
    w = race
    response = w.owner.post(f"/challenges/{w.ids['challenge']}/applications")
    assert response.status_code == 201 and response.headers["Location"].endswith(
        f"/challenge-applications/{response.get_json()['id']}")
    body = response.get_json()
    assert body["status"] == "interested" and {"edit", "submit", "withdraw"} <= set(body["actions"])
    assert_problem(w.member.post(f"/challenges/{w.ids['challenge']}/applications"), 409)
    assert_problem(w.colleague.post(f"/challenges/{w.ids['challenge']}/applications"), 403)
    url = f"/challenge-applications/{body['id']}"
    problem = assert_problem(w.owner.post(f"{url}/submit"), 422, "proposal", "technical_route")
    assert "揭榜方案" in problem["errors"]["proposal"][0]
    assert_problem(w.owner.patch(url, json={"budget": "很多", "team": [{"title": "教授"}]}), 422, "budget", "team")
    assert_problem(w.owner.patch(url, json=PROPOSAL, headers={"If-Match": '"99"'}), 409)
    response = w.owner.patch(url, json={**PROPOSAL, "proposed_milestones": [
        {"deliverable": "小试样品", "due": "2027-06-30", "amount": "100"}]}, headers={"If-Match": f'"{body["version"]}"'})
    assert response.status_code == 200 and response.get_json()["proposed_milestones"][0]["amount"] == "100.00"
    response = w.owner.post(f"{url}/submit")
    assert response.status_code == 200 and response.get_json()["status"] == "submitted"


def test_eligibility_refusal_over_http(app, race):
    w = race
    with database(app):
        db.session.get(Challenge, w.ids["challenge"]).eligible_org_types = ["institute"]
    body = applied(w, submit=False)
    w.owner.patch(f"/challenge-applications/{body['id']}", json=PROPOSAL)
    problem = assert_problem(w.owner.post(f"/challenge-applications/{body['id']}/submit"), 422, "org_type")
    assert "科研院所" in problem["errors"]["org_type"][0]


def test_edit_and_withdraw_after_the_deadline_are_conflicts(app, race):
    w = race
    body = applied(w)
    with database(app):  # test setup: the deadline has passed
        db.session.get(Challenge, w.ids["challenge"]).application_deadline = date.today() - timedelta(days=1)
    url = f"/challenge-applications/{body['id']}"
    assert_problem(w.owner.patch(url, json={"proposal": "再改一次"}), 409)
    assert_problem(w.owner.post(f"{url}/withdraw"), 409)
    assert w.owner.get(url).get_json()["actions"] == []


def test_permission_matrix(app, race):
    w = race
    mine, theirs = applied(w), applied(w, w.third)
    url = f"/challenge-applications/{mine['id']}"
    for api in (w.third, w.anon, w.expert):
        assert_problem(api.get(url), 404)
    assert_problem(w.third.patch(url, json={"proposal": "x"}), 404)
    assert w.member.get(url).status_code == 200  # the applicant's colleague
    listing = f"/challenges/{w.ids['challenge']}/applications"
    assert {a["id"] for a in w.other.get(listing).get_json()["items"]} == {mine["id"], theirs["id"]}
    assert {a["id"] for a in w.broker.get(listing).get_json()["items"]} == {mine["id"], theirs["id"]}
    assert [a["id"] for a in w.owner.get(listing).get_json()["items"]] == [mine["id"]]
    assert w.expert.get(listing).get_json()["items"] == []
    assert w.broker.put(f"/challenges/{w.ids['challenge']}/rubric", json=RUBRIC).status_code == 200
    assert w.broker.post(f"{url}/reviewers", json={"reviewer_id": w.ids["expert"]}).status_code == 201
    assert [a["id"] for a in w.expert.get(listing).get_json()["items"]] == [mine["id"]]
    assert w.expert.get(url).status_code == 200
    assert_problem(w.expert.get(f"/challenge-applications/{theirs['id']}"), 404)


def test_review_with_recusal_ranking_and_anonymous_result(app, race):
    w = race
    first, second = applied(w), applied(w, w.third)
    rubric_url = f"/challenges/{w.ids['challenge']}/rubric"
    assert_problem(w.other.put(rubric_url, json=RUBRIC), 403)
    assert_problem(w.broker.put(rubric_url, json={"criteria": []}), 422, "criteria")
    assert w.broker.put(rubric_url, json=RUBRIC).get_json()["criteria"][0]["weight"] == 70.0
    close(app, w)
    assign = f"/challenge-applications/{first['id']}/reviewers"
    problem = assert_problem(w.broker.post(assign, json={"reviewer_id": w.ids["colleague"]}), 422, "reviewer_id")
    assert "发榜单位" in problem["errors"]["reviewer_id"][0]
    problem = assert_problem(w.broker.post(assign, json={"reviewer_id": w.ids["member"]}), 422, "reviewer_id")
    assert "申请单位" in problem["errors"]["reviewer_id"][0]
    assert_problem(w.other.post(assign, json={"reviewer_id": w.ids["expert"]}), 403)
    reviews = {}
    for app_id in (first["id"], second["id"]):
        for name in ("expert", "expert2"):
            response = w.broker.post(f"/challenge-applications/{app_id}/reviewers", json={"reviewer_id": w.ids[name]})
            assert response.status_code == 201, response.get_json()
            reviews[app_id, name] = response.get_json()["id"]
    assert_problem(w.broker.post(assign, json={"reviewer_id": w.ids["expert"]}), 409)

    review_url = f"/challenge-reviews/{reviews[first['id'], 'expert']}"
    body = w.expert.get(review_url).get_json()
    assert body["application"]["id"] == first["id"] and [c["name"] for c in body["rubric"]] == ["技术先进性", "团队能力"]
    assert [r["id"] for r in w.expert.get("/challenge-reviews").get_json()["items"]] == sorted(
        [reviews[first["id"], "expert"], reviews[second["id"], "expert"]], reverse=True)
    for api in (w.owner, w.other, w.expert2):
        assert_problem(api.get(review_url), 404)
    problem = assert_problem(w.expert.post(f"{review_url}/score", json={"scores": {"技术先进性": 120}}), 422)
    assert set(problem["errors"]["scores"]) == {"技术先进性", "团队能力"}

    ranking = f"/challenges/{w.ids['challenge']}/ranking"
    for (app_id, name), review_id in reviews.items():
        if (app_id, name) == (second["id"], "expert2"):
            continue
        score = 90 if app_id == first["id"] else 60
        response = w.clients[name].post(f"/challenge-reviews/{review_id}/score", json={
            "scores": {"技术先进性": score, "团队能力": 8}, "comments": {"技术先进性": f"评语{score}"}})
        assert response.status_code == 200, response.get_json()
    problem = assert_problem(w.other.post(ranking), 422, "reviews")
    assert str(second["id"]) in problem["errors"]["reviews"][0]
    recuse = f"/challenge-reviews/{reviews[second['id'], 'expert2']}/recuse"
    assert_problem(w.expert2.post(recuse, json={}), 422, "reason")
    response = w.expert2.post(recuse, json={"reason": "与申请团队负责人为同门"})
    assert response.status_code == 200 and response.get_json()["status"] == "recused"

    response = w.other.post(ranking)
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [(i["application_id"], i["rank"]) for i in items] == [(first["id"], 1), (second["id"], 2)]
    assert items[0]["score"] == "87.000"  # 0.7 × 0.9 + 0.3 × 0.8
    assert_problem(w.owner.get(ranking), 403)
    assert w.broker.get(ranking).get_json()["items"] == items

    result_url = f"/challenge-applications/{second['id']}/result"
    assert_problem(w.third.get(result_url), 409)
    with database(app):
        services.award(db.session.get(User, w.ids["other"]), db.session.get(Challenge, w.ids["challenge"]),
                       [first["id"]])
    response = w.third.get(result_url)
    assert response.status_code == 200
    result = response.get_json()
    assert result["outcome"] == "not_selected" and result["reason"] and result["rank"] == 2
    assert result["criteria"][0] == {"name": "技术先进性", "weight": 70.0, "min": 0, "max": 100, "mean": 60.0}
    assert result["comments"] == [{"criterion": "技术先进性", "comment": "评语60"}]
    text = response.get_data(as_text=True)
    assert "reviewer" not in text and "expert" not in text
    with database(app):
        for name in ("expert", "expert2"):
            assert db.session.get(User, w.ids[name]).email not in text
    assert_problem(w.owner.get(result_url), 404)


def test_shortlist_and_defence_by_the_issuer(app, race):
    w = race
    body = applied(w)
    url = f"/challenge-applications/{body['id']}/shortlist"
    assert_problem(w.other.post(url), 409)  # still open for applications
    close(app, w)
    assert_problem(w.owner.post(url), 403)
    response = w.other.post(url)
    assert response.status_code == 200 and response.get_json()["status"] == "shortlisted"
    defence = f"/challenges/{w.ids['challenge']}/defence"
    assert_problem(w.other.put(defence, json={"at": "2027-03-01T09:00:00"}), 422, "place")
    assert_problem(w.owner.put(defence, json={"at": "2027-03-01T09:00:00", "place": "科技大厦"}), 403)
    assert w.other.put(defence, json={"at": "2027-03-01T09:00:00", "place": "科技大厦 301"}).status_code == 204
    with database(app):
        assert db.session.get(Challenge, w.ids["challenge"]).defence_place == "科技大厦 301"
