"""Alerts: saved searches percolated on the embedded engine, followed demands, notifications, the indexer hook."""
from __future__ import annotations

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.alerts import services
from marketplace.alerts.models import Notification
from marketplace.demands.models import Demand
from marketplace.extensions import db
from marketplace.indexing.documents import to_document
from marketplace.indexing.records import load_public_in_order
from search.engine import SavedQuery
from tests import factories as f
from tests.alerts.smtp_server import SmtpServer
from tests.matching.conftest import index_all

PEROVSKITE = dict(title="钙钛矿太阳能电池界面钝化技术", summary="通过界面钝化层抑制钙钛矿薄膜缺陷，提升光电转换效率与稳定性。",
                  keywords=["钙钛矿电池", "界面钝化"], technical_field="new_energy", industries=["energy"], trl=4,
                  price_amount="60")
UNRELATED = dict(title="苹果采后保鲜涂膜技术", summary="壳聚糖复合涂膜延长苹果贮藏期，减少腐烂。", keywords=["保鲜"],
                 technical_field="food", industries=["food"], trl=7, price_amount="20")


def _users(world, *names):
    return [db.session.get(User, world.ids[n]) for n in names]


def _count_notifications() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Notification)).scalar_one()


def _publish_and_hook(app, world, **data):
    """Publish an achievement of organisation A and drain the outbox: the indexer's ``documents_indexed``
    signal runs the alerts hook. Returns the record id and how many notifications the drain created."""
    with app.test_request_context():
        owner, broker = _users(world, "owner", "broker")
        record = f.achievement(owner, publish_by=broker, **data)
        db.session.commit()
        record_id = record.id
        before = _count_notifications()
        index_all()
        created = _count_notifications() - before
    return record_id, created


def _notifications(app, user_id):
    """The user's alerts (publishing also tells the owners the review's outcome: category "review")."""
    with app.app_context():
        return db.session.execute(db.select(Notification).where(
            Notification.user_id == user_id, Notification.category == "alert")).scalars().all()


def test_percolation_on_the_embedded_engine(app, search_engine):
    search_engine.save_query(SavedQuery(id=7, kind="achievement", text="钙钛矿电池"))
    search_engine.save_query(SavedQuery(id=8, kind="achievement", text="钙钛矿", filters={"technical_field": ["food"]}))
    with app.test_request_context():
        from search.engine import Document

        doc = Document("achievement", 1, 1, {"title": PEROVSKITE["title"], "technical_field": "new_energy"})
        assert search_engine.percolate(doc) == [7]


def test_saved_search_alerts_on_a_matching_publication_only(app, market, world):
    with app.test_request_context():
        (other,) = _users(world, "other")
        subscription = services.save_search(other, "钙钛矿电池", {"technical_field": ["new_energy"]})
        db.session.commit()
        sub_id = subscription.id
    _, created = _publish_and_hook(app, world, **UNRELATED)
    assert created == 0 and _notifications(app, world.ids["other"]) == []
    record_id, created = _publish_and_hook(app, world, **PEROVSKITE)
    assert created == 1
    (note,) = _notifications(app, world.ids["other"])
    assert note.subject_id == record_id and note.subscription_id == sub_id and note.category == "alert"
    assert note.link == f"/achievements/{record_id}" and "钙钛矿" in note.body
    with app.test_request_context():
        documents = [to_document(r) for r in load_public_in_order("achievement", [record_id])]
        assert services.on_documents_indexed(documents) == 0  # re-indexing never notifies twice


def test_own_organisation_and_older_records_do_not_alert(app, market, world):
    with app.test_request_context():
        (owner,) = _users(world, "member")  # organisation A, which publishes below
        services.save_search(owner, "钙钛矿电池")
        (other,) = _users(world, "other")
        services.save_search(other, "硅碳负极")  # matches the anode published before the subscription
        db.session.commit()
        anode = load_public_in_order("achievement", [market.ids["anode"]])
        assert services.on_documents_indexed([to_document(r) for r in anode]) == 0
    _publish_and_hook(app, world, **PEROVSKITE)
    assert _notifications(app, world.ids["member"]) == []


def test_retyping_an_organisation_alerts_only_about_achievements_newer_than_the_subscription(app, market, world):
    """A re-type re-sends every achievement of the organisation: the ones published before the saved search was
    made never alert it; one published after it alerts once the new type makes it match."""
    with app.test_request_context():
        (other,) = _users(world, "other")
        services.save_search(other, None, {"holder_type": ["institute"]})
        db.session.commit()
    record_id, created = _publish_and_hook(app, world, **PEROVSKITE)  # organisation A is a university
    assert created == 0
    with app.test_request_context():
        (owner,) = _users(world, "owner")
        accounts.update_organization(owner, owner.organization, {"org_type": "institute"}, partial=True)
        db.session.commit()
        report = index_all()
        assert report.queued == 6  # A's five published achievements (four older than the subscription), its patent
    assert [n.subject_id for n in _notifications(app, world.ids["other"])] == [record_id]


def test_follow_a_demand(app, market, world):
    with app.test_request_context():
        (broker,) = _users(world, "broker")
        demand = db.session.get(Demand, market.ids["demand"])
        first = services.follow_demand(broker, demand)
        assert services.follow_demand(broker, demand).id == first.id
        db.session.commit()
    _publish_and_hook(app, world, **UNRELATED)
    assert _notifications(app, world.ids["broker"]) == []
    record_id, created = _publish_and_hook(app, world, **{
        "title": "高首效硅碳负极材料预锂化技术", "summary": "对硅碳负极进行预锂化与碳包覆，首次效率提升到90%，抑制体积膨胀。",
        "keywords": ["硅碳负极"], "technical_field": "new_materials", "industries": ["energy"], "trl": 6,
        "price_amount": "100"})
    (note,) = _notifications(app, world.ids["broker"])
    assert note.subject_id == record_id and "您关注的需求" in note.title and "TRL 6" in note.body


def test_notification_api_and_unread_count(app, market, world):
    response = world.other.post("/subscriptions", json={"query_text": "钙钛矿电池", "filters": {"region": "220000"}})
    assert response.status_code == 201 and response.get_json()["filters"] == {"region": ["220000"]}
    assert world.other.post("/subscriptions", json={"filters": {"status": ["draft"]}}).status_code == 422
    assert world.other.post("/subscriptions", json={}).status_code == 422
    # the market's own publications told A and B the review's outcome: read them first
    assert world.other.post("/notifications/read", json={}).get_json() == {"updated": 2}  # B's two demands
    owner_before = world.owner.get("/notifications").get_json()["total"]
    _publish_and_hook(app, world, **PEROVSKITE)
    assert world.other.get("/notifications/unread-count").get_json() == {"unread": 1}
    with app.test_request_context():
        assert services.unread_count(db.session.get(User, world.ids["other"])) == 1
    page = world.other.get("/notifications").get_json()
    assert page["total"] == 3 and page["items"][0]["read_at"] is None and page["items"][0]["category"] == "alert"
    owner_page = world.owner.get("/notifications").get_json()  # only one's own: A's publication, no alert
    assert owner_page["total"] == owner_before + 1 and owner_page["items"][0]["category"] == "review"
    assert world.other.get("/notifications?unread=true").get_json()["total"] == 1
    assert world.other.post("/notifications/read", json={}).get_json() == {"updated": 1}
    assert world.other.get("/notifications/unread-count").get_json() == {"unread": 0}
    subscription_id = response.get_json()["id"]
    assert world.owner.delete(f"/subscriptions/{subscription_id}").status_code == 404
    assert world.other.delete(f"/subscriptions/{subscription_id}").status_code == 204


def test_alerts_are_queued_for_mail_as_each_subscription_wants(app, market, world, runner, monkeypatch):
    """An alert is mailed (by the mail queue's sender, not the indexer) when its subscription asks for e-mail."""
    with app.test_request_context():
        other, broker = _users(world, "other", "broker")
        services.save_search(other, "钙钛矿电池")
        services.save_search(broker, "钙钛矿", email=False)
        db.session.commit()
        email = other.email
    with SmtpServer() as smtp:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
        _publish_and_hook(app, world, **PEROVSKITE)
        assert smtp.messages() == []  # the indexer's hook only queues
        (note,) = _notifications(app, world.ids["other"])
        assert note.email_state == "queued" and note.emailed_at is None
        (quiet,) = _notifications(app, world.ids["broker"])
        assert quiet.email_state is None  # in-app only
        result = runner.invoke(args=["alerts", "deliver"])
        # the alert, and the publication's review outcome for A's two members
        assert result.exit_code == 0 and "claimed 3: 3 sent" in result.output
        (message,) = [m for m in smtp.wait_for(3) if "新成果符合您的订阅" in m.subject]
    assert message.recipients == [email]
    assert "/achievements/" in message.body
    (note,) = _notifications(app, world.ids["other"])
    assert note.email_state == "sent" and note.emailed_at is not None
