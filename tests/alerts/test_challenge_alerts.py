"""Saved searches over 揭榜挂帅 challenges: a newly published challenge that a saved challenge search matches
notifies the subscriber (in-app, and queued for e-mail) once; filters are checked against the challenge facets;
the challenge search page offers 订阅此搜索 and /subscriptions shows what each subscription watches.

The alerting tests run on every engine (``any_engine``): the embedded engine, a real OpenSearch node, and the
Elasticsearch node, where they are skipped when the saved search is stored (no percolator there, see
tests/search_fixtures.py)."""
from __future__ import annotations

import re

from marketplace.accounts.models import User
from marketplace.alerts import services
from marketplace.alerts.models import MAIL_QUEUED, SEARCH, Notification, Subscription
from marketplace.challenges.models import Challenge
from marketplace.extensions import db
from marketplace.indexing.documents import to_document
from marketplace.indexing.records import load_public_in_order
from tests.api.conftest import assert_problem, login_session
from tests.challenges.helpers import published_challenge
from tests.matching.conftest import index_all
from tests.search_fixtures import any_engine  # noqa: F401

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
BATTERY = dict(title="全固态电池硫化物电解质揭榜攻关", funding_mode="horse_race")


def _publish(app, world, **overrides) -> tuple[int, int]:
    """Organisation B (an enterprise) publishes a challenge; the outbox is drained into the app's engine, whose
    ``documents_indexed`` signal runs the alerts. Returns the challenge id and how many notifications it made."""
    with app.test_request_context():
        issuer, broker = (db.session.get(User, world.ids[n]) for n in ("other", "broker"))
        challenge = published_challenge(issuer, broker, **overrides)
        db.session.commit()
        before = db.session.execute(db.select(db.func.count()).select_from(Notification)).scalar_one()
        index_all()
        after = db.session.execute(db.select(db.func.count()).select_from(Notification)).scalar_one()
        return challenge.id, after - before


def _alerts(app, user_id: int) -> list[Notification]:
    """The user's saved-search alerts (the issuer also gets the challenge workflow's own notifications)."""
    with app.app_context():
        return list(db.session.execute(db.select(Notification).where(
            Notification.user_id == user_id, Notification.category == "alert").order_by(Notification.id)).scalars())


def test_a_matching_challenge_notifies_once(app, world, any_engine):  # noqa: F811
    response = world.owner.post("/subscriptions", json={"kind": "challenge", "query_text": "固态电池",
                                                        "filters": {"funding_mode": "horse_race"}})
    assert response.status_code == 201, response.get_data(as_text=True)
    saved = response.get_json()
    assert saved["kind"] == "search" and saved["search_kind"] == "challenge"
    assert saved["filters"] == {"funding_mode": ["horse_race"]}
    # an achievement search with the same words must not hear of challenges
    assert world.member.post("/subscriptions", json={"query_text": "固态电池"}).get_json()["search_kind"] == \
        "achievement"

    _, created = _publish(app, world, title="工业视觉缺陷检测揭榜", technical_field="ai", funding_mode="horse_race",
                          problem="需要识别微米级表面缺陷的视觉检测算法。",
                          indicators=[{"metric": "漏检率", "target": "≤0.1%", "unit": ""}])
    assert created == 0  # 赛马, but not about solid-state batteries
    _, created = _publish(app, world, title="固态电池电解质界面攻关", funding_mode="milestone")
    assert created == 0  # solid-state batteries, but not 赛马
    challenge_id, created = _publish(app, world, **BATTERY)
    assert created == 1
    (note,) = _alerts(app, world.ids["owner"])
    assert note.title == f"有新的揭榜挂帅榜单符合您的订阅：{BATTERY['title']}"
    assert note.link == f"/challenges/{challenge_id}" and note.category == "alert"
    assert (note.subject_type, note.subject_id, note.subscription_id) == ("challenge", challenge_id, saved["id"])
    assert note.email_state == MAIL_QUEUED
    assert _alerts(app, world.ids["member"]) == []

    with app.test_request_context():  # sent again (an edit, a stage change, a reindex): never a second alert
        documents = [to_document(c) for c in load_public_in_order("challenge", [challenge_id])]
        assert services.on_documents_indexed(documents) == 0
    assert len(_alerts(app, world.ids["owner"])) == 1
    listed = world.owner.get("/notifications").get_json()
    assert [(n["subject_type"], n["link"]) for n in listed["items"]] == [("challenge", f"/challenges/{challenge_id}")]


def test_the_issuers_own_members_and_older_challenges_do_not_alert(app, world, any_engine):  # noqa: F811
    _publish(app, world, **BATTERY)  # published before anyone subscribed
    assert world.other.post("/subscriptions", json={"kind": "challenge", "query_text": "固态电池"}).status_code == 201
    assert world.owner.post("/subscriptions", json={"kind": "challenge", "query_text": "固态电池"}).status_code == 201
    with app.test_request_context():
        ids = list(db.session.execute(db.select(Challenge.id)).scalars())
        old = load_public_in_order("challenge", ids)
        assert services.on_documents_indexed([to_document(c) for c in old]) == 0
    _, created = _publish(app, world, title="固态电池正极包覆揭榜")
    assert created == 1  # A's owner only: B issued it
    assert _alerts(app, world.ids["other"]) == []


def test_filters_are_checked_against_the_kind(app, world):
    body = assert_problem(world.owner.post("/subscriptions", json={"kind": "challenge", "query_text": "固态电池",
                                                                   "filters": {"trl_band": "4-6"}}), 422, "filters")
    assert "不支持的筛选字段：trl_band" in body["errors"]["filters"][0]
    assert_problem(world.owner.post("/subscriptions", json={"query_text": "固态电池",
                                                            "filters": {"funding_mode": "horse_race"}}), 422, "filters")
    body = assert_problem(world.owner.post("/subscriptions", json={"kind": "organization", "query_text": "固态电池"}),
                          422, "kind")
    assert body["errors"]["kind"] == ["订阅类型只能是 achievement（科技成果）、patent（专利）、demand（技术需求）或 challenge（揭榜挂帅榜单）"]
    with app.app_context():
        assert db.session.execute(db.select(Subscription)).first() is None


def test_challenge_search_page_offers_save_this_search(app, client, world, search_engine):
    url = "/search/challenges?q=固态电池&funding_mode=horse_race"
    login_session(app, client, world.ids["owner"])
    page = client.get(url).get_data(as_text=True)
    assert 'action="/subscriptions/from-search"' in page and 'name="kind" value="challenge"' in page
    response = client.post("/subscriptions/from-search", data={
        "csrf_token": TOKEN.search(page).group(1), "kind": "challenge", "q": "固态电池", "funding_mode": "horse_race",
        "next": url, "email": "1"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/search/challenges?")
    with app.app_context():
        saved = db.session.execute(db.select(Subscription).where(Subscription.kind == SEARCH)).scalar_one()
        assert (saved.search_kind, saved.query_text, saved.filters) == ("challenge", "固态电池",
                                                                       {"funding_mode": ["horse_race"]})
    listing = client.get("/subscriptions").get_data(as_text=True)
    assert "有新发布的揭榜挂帅榜单符合时会通知您" in listing  # the flash
    assert "揭榜挂帅榜单</span>" in listing and "赛马" in listing
    # the /subscriptions form saves one too
    response = client.post("/subscriptions", data={"csrf_token": TOKEN.search(listing).group(1), "kind": "challenge",
                                                   "query_text": "氢能", "funding_mode": "award", "email": "1"})
    assert response.status_code == 302
    with app.app_context():
        kinds = db.session.execute(db.select(Subscription.search_kind, Subscription.filters)
                                   .order_by(Subscription.id)).all()
        assert [tuple(k) for k in kinds] == [("challenge", {"funding_mode": ["horse_race"]}),
                                             ("challenge", {"funding_mode": ["award"]})]

