"""The owner hears the review's outcome and a broker's recommendation: after a broker publishes or rejects (with a
reason) a university's achievement, patent or demand, or recommends one of its achievements for a demand, every
member of the university finds it on /notifications and receives it by e-mail (the mail queue's sender, a real
SMTP server on a loopback port)."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from marketplace.alerts.models import Notification
from marketplace.extensions import db
from tests import factories as f
from tests.alerts.smtp_server import SmtpServer
from tests.api.conftest import create, login_session


@pytest.fixture
def smtp(app, monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        yield server


def _emails(app, *names_ids) -> list[str]:
    with app.app_context():
        return sorted(db.session.get(User, i).email for i in names_ids)


def _page(app, client, user_id) -> str:
    """/notifications as ``user_id`` sees it (in a browser of its own: the API clients share ``client``)."""
    browser = app.test_client()
    login_session(app, browser, user_id)
    response = browser.get("/notifications")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _deliver(runner, smtp, count: int):
    result = runner.invoke(args=["alerts", "deliver"])
    assert result.exit_code == 0, result.output
    return smtp.wait_for(count)


def _review_rows(app) -> list[Notification]:
    with app.app_context():
        rows = db.session.execute(db.select(Notification).where(Notification.category == "review")
                                  .order_by(Notification.id)).scalars().all()
        db.session.expunge_all()
        return rows


def test_publishing_an_achievement_tells_the_university_in_app_and_by_mail(app, client, world, runner, smtp):
    record = create(world.owner, "achievements", title="寒地玉米秸秆低温腐熟菌剂")
    assert world.owner.post(f"/achievements/{record['id']}/submit").status_code == 200
    assert _review_rows(app) == []  # submitting tells nobody
    assert world.broker.post(f"/review/achievement/{record['id']}/publish").status_code == 200

    for name in ("owner", "member"):
        page = _page(app, client, world.ids[name])
        assert "您的科技成果「寒地玉米秸秆低温腐熟菌剂」已审核通过并发布" in page, name
        assert '/notifications/' in page
    assert "寒地玉米秸秆" not in _page(app, client, world.ids["other"])  # another organisation hears nothing
    received = _deliver(runner, smtp, 2)
    assert sorted(r for m in received for r in m.recipients) == _emails(app, world.ids["owner"], world.ids["member"])
    assert all("已审核通过并发布" in m.subject and f"/achievements/{record['id']}" in m.body for m in received)


def test_rejecting_tells_the_owner_the_reviewers_reason(app, client, world, runner, smtp):
    with app.test_request_context():
        patent = f.patent(db.session.get(User, world.ids["owner"]), title="一种寒区混凝土早强防冻剂")
        db.session.commit()
        patent_id = patent.id
    assert world.owner.post(f"/patents/{patent_id}/submit").status_code == 200
    response = world.broker.post(f"/review/patent/{patent_id}/reject", json={"reason": "请补充专利授权公告文本"})
    assert response.status_code == 200, response.get_json()

    page = _page(app, client, world.ids["owner"])
    assert "您的专利「一种寒区混凝土早强防冻剂」被退回修改" in page and "请补充专利授权公告文本" in page
    received = _deliver(runner, smtp, 2)
    assert all("被退回修改" in m.subject and "退回原因：请补充专利授权公告文本" in m.body for m in received)
    (row, _member_row) = _review_rows(app)
    assert row.link == f"/patents/{patent_id}" and row.subject_type == "patent" and row.subject_id == patent_id


def test_demands_and_pending_changes_are_reported_too(app, client, world, runner, smtp):
    demand = create(world.other, "demands", title="汽车座椅骨架轻量化")
    assert world.other.post(f"/demands/{demand['id']}/submit").status_code == 200
    assert world.broker.post(f"/review/demand/{demand['id']}/publish").status_code == 200
    assert "您的技术需求「汽车座椅骨架轻量化」已审核通过并发布" in _page(app, client, world.ids["other"])
    # a change to the published demand waits for review; its rejection is reported with the reason
    current = world.other.get(f"/demands/{demand['id']}").get_json()
    response = world.other.patch(f"/demands/{demand['id']}", json={"indicators": "减重≥20%"},
                                 headers={"If-Match": str(current["version"])})
    assert response.status_code == 200, response.get_json()
    response = world.broker.post(f"/review/demand/{demand['id']}/reject-changes", json={"reason": "指标需量化到材料"})
    assert response.status_code == 200, response.get_json()
    page = _page(app, client, world.ids["other"])
    assert "的修改被退回" in page and "指标需量化到材料" in page
    assert len(_review_rows(app)) == 2


def test_a_broker_recommendation_reaches_the_university(app, client, market, world, runner, smtp):
    """A broker recommends the university's achievement for the enterprise's demand: both sides are told."""
    base = f"/demands/{market.ids['demand']}/matches/achievement/{market.ids['anode']}"
    assert world.broker.post(f"{base}/recommend", json={"note": "建议尽快对接"}).status_code == 200
    page = _page(app, client, world.ids["owner"])
    assert "技术经纪人把您的科技成果「硅碳负极材料的碳包覆改性与规模化制备技术」推荐给需求" in page
    assert "技术经纪人为您的需求" in _page(app, client, world.ids["other"])
    result = runner.invoke(args=["alerts", "deliver"])
    assert result.exit_code == 0
    received = [m for m in smtp.wait_for(3) if "技术经纪人" in m.subject]
    owner_side = [m for m in received if set(m.recipients) & set(_emails(app, world.ids["owner"], world.ids["member"]))]
    assert len(owner_side) == 2 and all("建议尽快对接" in m.body for m in owner_side)


def test_the_system_actor_bulk_publishing_tells_nobody(app, world):
    """The importer publishes as the platform itself: no flood of notifications for thousands of rows."""
    from marketplace.workflow import SYSTEM
    from marketplace.workflow.listings import ACHIEVEMENT

    with app.test_request_context():
        record = f.achievement(db.session.get(User, world.ids["owner"]))
        ACHIEVEMENT.apply(SYSTEM, record, "submit")
        ACHIEVEMENT.apply(SYSTEM, record, "publish")
        db.session.commit()
    assert _review_rows(app) == []
