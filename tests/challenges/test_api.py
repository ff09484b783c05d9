"""The 榜单 through the JSON API: drafting, review, the public list, execution actions and notifications."""
from __future__ import annotations

from marketplace.alerts.models import Notification
from marketplace.challenges.models import ChallengeApplication, ChallengeReview
from marketplace.extensions import db
from tests.api.conftest import assert_problem, database
from tests.challenges.helpers import challenge_data


def _published(world) -> int:
    created = world.other.post("/challenges", json=challenge_data())  # org B is an enterprise
    assert created.status_code == 201, created.get_json()
    record_id = created.get_json()["id"]
    assert world.other.post(f"/challenges/{record_id}/submit").status_code == 200
    assert world.broker.post(f"/review/challenge/{record_id}/publish").status_code == 200
    return record_id


def test_issue_review_publish_and_list(world):
    assert_problem(world.owner.post("/challenges", json=challenge_data()), 422)  # a university does not issue
    record_id = _published(world)
    item = world.anon.get(f"/challenges/{record_id}").get_json()
    assert item["status"] == "published" and item["stage"] == "open"
    assert item["results"] == {"applications": 0, "winners": []} and item["execution_actions"] == []
    assert world.other.get(f"/challenges/{record_id}").get_json()["execution_actions"] == \
        ["close_applications", "cancel"]
    listed = world.anon.get("/challenges?open_now=1").get_json()
    assert [c["id"] for c in listed["items"]] == [record_id]


def test_award_needs_complete_reviews_and_notifies_the_teams(app, world):
    record_id = _published(world)
    with database(app) as session:
        application = ChallengeApplication(challenge_id=record_id, org_id=world.ids["org_a"], status="submitted",
                                           proposal="方案", technical_route="路线")
        session.add(application)
        session.flush()
        review = ChallengeReview(application_id=application.id, reviewer_id=world.ids["broker"])
        session.add(review)
        session.flush()
        application_id, review_id = application.id, review.id
    assert world.other.post(f"/challenges/{record_id}/close-applications").status_code == 200
    body = assert_problem(world.other.post(f"/challenges/{record_id}/award", json={"winner_ids": [application_id]}),
                          422, "winner_ids")
    assert "评审未完成" in body["errors"]["winner_ids"][0]
    with database(app) as session:
        session.get(ChallengeReview, review_id).status = "submitted"
    assert_problem(world.owner.post(f"/challenges/{record_id}/award", json={"winner_ids": [application_id]}), 403)
    awarded = world.other.post(f"/challenges/{record_id}/award", json={"winner_ids": [application_id]})
    assert awarded.status_code == 200, awarded.get_json()
    assert awarded.get_json()["stage"] == "awarded" and awarded.get_json()["results"]["winners"] == ["吉林大学（测试）"]
    with database(app) as session:
        titles = [n.title for n in session.execute(db.select(Notification).where(
            Notification.user_id == world.ids["owner"])).scalars()]
    assert any("揭榜申请成功" in title for title in titles), titles


def test_cancel_needs_a_reason_and_tells_applicants(app, world):
    record_id = _published(world)
    assert_problem(world.other.post(f"/challenges/{record_id}/cancel", json={}), 422, "reason")
    cancelled = world.other.post(f"/challenges/{record_id}/cancel", json={"reason": "需求已调整"})
    assert cancelled.get_json()["stage"] == "cancelled" and cancelled.get_json()["stage_reason"] == "需求已调整"
    assert_problem(world.other.post(f"/challenges/{record_id}/cancel", json={"reason": "再撤一次"}), 409)
