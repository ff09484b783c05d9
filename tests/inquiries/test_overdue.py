"""Unanswered inquiries: flagged once to the responsible broker after INQUIRY_OVERDUE_DAYS days (the CLI, the drain
tick), never when answered, declined or closed."""
from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.accounts.models import User
from marketplace.alerts.models import Notification
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from marketplace.inquiries import overdue, services
from marketplace.inquiries.models import Inquiry

from .conftest import ask


def _age(inquiry: Inquiry, days: float) -> None:
    inquiry.created_at = inquiry.created_at - timedelta(days=days)


def broker_alerts(user_id: int) -> list[Notification]:
    return list(db.session.execute(db.select(Notification).where(
        Notification.user_id == user_id, Notification.title.startswith("洽谈超时未回复"))).scalars())


@pytest.fixture
def people(world, ctx):
    return {name: db.session.get(User, world.ids[name]) for name in ("holder", "asker", "broker", "admin")}


def test_flags_each_unanswered_inquiry_once_to_its_broker(app, world, people):
    late = ask(people["asker"], subject_id=world.ids["achievement"])
    recent = ask(people["asker"], "patent", world.ids["patent"])
    answered = ask(people["holder"], "demand", world.ids["demand"])
    declined = ask(people["holder"], "challenge", world.ids["challenge"])
    for inquiry in (late, answered, declined):
        _age(inquiry, 6)
    _age(recent, 4)
    services.post_message(people["holder"], answered, "我方补充一点。")  # the asker writing is no answer...
    services.post_message(people["asker"], answered, "欢迎洽谈")  # ...the holder's (the enterprise's) is
    services.decline_inquiry(people["asker"], declined, "capacity")
    db.session.commit()
    assert overdue.flag_overdue() == 1
    db.session.commit()
    assert late.overdue_flagged_at is not None and recent.overdue_flagged_at is None
    [alert] = broker_alerts(late.broker_id)
    assert alert.link == f"/inquiries/{late.id}" and "已超过 5 天" in alert.body and alert.email_state == "queued"
    assert db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "inquiry.flag_overdue",
                                                          AuditEvent.target_id == late.id)).scalar_one()
    assert overdue.flag_overdue() == 0  # once
    assert len(broker_alerts(late.broker_id)) == 1
    assert overdue.is_overdue(late) and not overdue.is_overdue(recent) and not overdue.is_overdue(answered)
    app.config["INQUIRY_OVERDUE_DAYS"] = 3
    try:
        assert overdue.flag_overdue() == 1 and recent.overdue_flagged_at is not None  # the setting decides
    finally:
        app.config["INQUIRY_OVERDUE_DAYS"] = 5


def test_without_a_broker_the_admins_hear(world, people):
    db.session.execute(db.update(User).where(User.platform_role == "broker").values(platform_role=None))
    inquiry = ask(people["asker"], subject_id=world.ids["achievement"])
    assert inquiry.broker_id is None
    _age(inquiry, 10)
    assert overdue.flag_overdue() == 1
    assert len(broker_alerts(world.ids["admin"])) == 1


def test_cli_and_drain_tick(app, runner, world):
    with app.test_request_context():
        asker = db.session.get(User, world.ids["asker"])
        inquiry = ask(asker, subject_id=world.ids["achievement"])
        _age(inquiry, 7)
        db.session.commit()
        inquiry_id, broker_id = inquiry.id, inquiry.broker_id
    result = runner.invoke(args=["inquiries", "flag-overdue"])
    assert result.exit_code == 0 and "1 unanswered inquiries flagged" in result.output
    assert "0 unanswered" in runner.invoke(args=["inquiries", "flag-overdue"]).output
    with app.app_context():
        assert db.session.get(Inquiry, inquiry_id).overdue_flagged_at is not None
        assert len(broker_alerts(broker_id)) == 1
    from marketplace.indexing.worker import drain_tick

    app.config["INQUIRY_OVERDUE_INTERVAL"] = 3600
    with app.test_request_context():
        asker = db.session.get(User, world.ids["asker"])
        _age(ask(asker, "patent", world.ids["patent"]), 7)
        db.session.commit()
    with app.app_context():
        app.extensions.get("drain_tick_last_runs", {}).pop("INQUIRY_OVERDUE_INTERVAL", None)
        drain_tick.send(app)  # the drain loops' tick runs the pass (at most hourly)
        assert len(broker_alerts(broker_id)) == 1 and len(broker_alerts(world.ids["broker2"])) == 1
