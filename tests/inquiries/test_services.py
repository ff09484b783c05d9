"""Inquiry services: sending (who may ask about what, the responsible broker, one open inquiry per listing),
messages both ways, answering, declining with a reason, closing, notifications and the audit trail."""
from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.accounts.models import User
from marketplace.alerts.models import Notification
from marketplace.audit.models import AuditEvent
from marketplace.errors import NotFound, PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from marketplace.inquiries import services
from marketplace.inquiries.models import Inquiry
from marketplace.workflow.deals import INQUIRY
from tests import factories as f

from .conftest import ask


@pytest.fixture
def people(world, ctx):
    return {name: db.session.get(User, world.ids[name]) for name in
            ("holder", "holder2", "asker", "third", "broker", "broker2", "admin")}


def notified(user_id: int) -> list[Notification]:
    return list(db.session.execute(db.select(Notification).where(
        Notification.user_id == user_id, Notification.category == "inquiry").order_by(Notification.id)).scalars())


def test_send_opens_a_thread_with_the_holder_and_the_least_busy_broker(world, people):
    inquiry = ask(people["asker"], subject_id=world.ids["achievement"])
    db.session.commit()
    assert inquiry.status == "open" and inquiry.holder_org_id == world.ids["university"]
    assert inquiry.asker_org_id == world.ids["enterprise"] and inquiry.asker_id == world.ids["asker"]
    assert inquiry.subject_title == "高镍三元正极材料表面包覆改性技术"
    assert inquiry.budget == Decimal("80") and inquiry.cooperation_mode == "licence"
    assert [m.body for m in inquiry.messages] == ["我公司希望了解该技术的许可条件和中试情况。"]
    assert inquiry.messages[0].author_org_id == world.ids["enterprise"]
    # the broker with the fewest open inquiries (ties: lowest id) is responsible
    assert inquiry.broker_id == world.ids["broker"]
    second = ask(people["asker"], "patent", world.ids["patent"])
    assert second.broker_id == world.ids["broker2"]
    third = ask(people["holder"], "demand", world.ids["demand"])
    assert third.broker_id == world.ids["broker"]
    # the holder's members and the broker hear of it (in-app and e-mail); the asker does not
    for name in ("holder", "holder2", "broker"):
        [note] = [n for n in notified(world.ids[name]) if n.subject_id == inquiry.id]
        assert "长春洽谈企业" in note.title and note.link == f"/inquiries/{inquiry.id}"
        assert note.email_state == "queued"
    assert not [n for n in notified(world.ids["asker"]) if n.subject_id == inquiry.id]
    event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "inquiry.send")
                               .order_by(AuditEvent.id)).scalars().first()
    assert event.target_id == inquiry.id and event.actor_id == world.ids["asker"]


def test_no_broker_means_none_and_inactive_brokers_are_skipped(world, people):
    people["broker"].active = False
    people["broker2"].platform_role = None
    db.session.flush()
    assert ask(people["asker"], subject_id=world.ids["achievement"]).broker_id is None


def test_every_subject_kind_and_only_published_listings_of_others(world, people):
    assert ask(people["holder"], "challenge", world.ids["challenge"]).holder_org_id == world.ids["enterprise"]
    with pytest.raises(NotFound):
        ask(people["asker"], subject_id=world.ids["draft"])  # unpublished: as if it did not exist
    with pytest.raises(NotFound):
        ask(people["asker"], subject_id=999_999)
    with pytest.raises(PermissionDenied, match="本机构"):
        ask(people["holder2"], subject_id=world.ids["achievement"])  # its own organisation's listing
    lonely = f.user(None)
    with pytest.raises(PermissionDenied, match="加入一个机构"):
        ask(lonely, subject_id=world.ids["achievement"])


def test_input_rules_name_the_field(world, people):
    with pytest.raises(ValidationFailed) as error:
        ask(people["asker"], subject_id=world.ids["achievement"], message="长" * 5001)
    assert "message" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        ask(people["asker"], subject_id=world.ids["achievement"], message="  ", cooperation_mode="gift",
            budget="-1")
    assert {"message", "cooperation_mode", "budget"} <= set(error.value.errors)
    assert ask(people["asker"], subject_id=world.ids["achievement"], message="长" * 5000, budget=None).budget is None


def test_one_open_inquiry_per_organisation_and_listing(world, people):
    first = ask(people["asker"], subject_id=world.ids["achievement"])
    db.session.flush()
    with pytest.raises(services.DuplicateInquiry) as error:
        ask(people["asker"], subject_id=world.ids["achievement"])
    assert error.value.status == 409 and error.value.existing_id == first.id
    assert f"/inquiries/{first.id}" in error.value.message
    # another organisation, or another listing, may ask; and once the thread is over a new one may start
    ask(people["third"], subject_id=world.ids["achievement"])
    ask(people["asker"], "patent", world.ids["patent"])
    services.close_inquiry(people["asker"], first)
    assert ask(people["asker"], subject_id=world.ids["achievement"]).id != first.id


def test_holder_reply_answers_then_messages_go_both_ways(world, people):
    inquiry = ask(people["asker"], subject_id=world.ids["achievement"])
    db.session.commit()
    services.post_message(people["holder"], inquiry, "可以提供样品，欢迎来校交流。")
    db.session.commit()
    assert inquiry.status == "answered" and inquiry.answered_at is not None
    answered = [n for n in notified(world.ids["asker"]) if "回复了" in n.title]
    assert len(answered) == 1 and "可以提供样品" in answered[0].body
    services.post_message(people["asker"], inquiry, "下周二上午方便吗？")
    services.post_message(people["broker"], inquiry, "我来协调会议室。")
    services.post_message(people["holder2"], inquiry, "可以。")
    db.session.commit()
    assert inquiry.status == "answered"
    assert [m.author_org_id for m in inquiry.messages] == [
        world.ids["enterprise"], world.ids["university"], world.ids["enterprise"], None, world.ids["university"]]
    # the other side hears of each message, the author does not
    assert any("下周二" in (n.body or "") for n in notified(world.ids["holder"]))
    assert not any("下周二" in (n.body or "") for n in notified(world.ids["asker"]))
    assert any("会议室" in (n.body or "") for n in notified(world.ids["asker"]))
    assert any("会议室" in (n.body or "") for n in notified(world.ids["holder"]))
    actions = [e.action for e in db.session.execute(db.select(AuditEvent).where(
        AuditEvent.target_type == "inquiries")).scalars()]
    assert actions.count("inquiry.answer") == 1


def test_the_asker_writing_first_does_not_answer(world, people):
    inquiry = ask(people["asker"], subject_id=world.ids["achievement"])
    services.post_message(people["asker"], inquiry, "补充一下：我们还关心专利有效期。")
    assert inquiry.status == "open"
    services.post_message(people["broker"], inquiry, "已提醒持有方。")
    assert inquiry.status == "open"  # a broker's note is not the holder's answer...
    services.post_message(people["broker"], inquiry, "代持有方回复：可以。", answer=True)
    assert inquiry.status == "answered"  # ...unless the broker answers on the holder's behalf


def test_outsiders_do_not_exist_for_the_thread(world, people):
    inquiry = ask(people["asker"], subject_id=world.ids["achievement"])
    for name in ("third", "broker2", "admin"):
        with pytest.raises(NotFound):
            services.get_inquiry(people[name], inquiry.id)
        with pytest.raises(NotFound):
            services.post_message(people[name], inquiry, "路过")
        assert INQUIRY.available(people[name], inquiry) == []
    from flask_login import AnonymousUserMixin

    with pytest.raises(NotFound):
        services.get_inquiry(AnonymousUserMixin(), inquiry.id)
    assert services.get_inquiry(people["broker"], inquiry.id) is inquiry


def test_decline_with_a_reason_the_asker_reads(world, people):
    inquiry = ask(people["asker"], subject_id=world.ids["achievement"])
    with pytest.raises(PermissionDenied):
        services.decline_inquiry(people["asker"], inquiry, "terms")
    with pytest.raises(ValidationFailed) as error:
        services.decline_inquiry(people["holder"], inquiry, "other", "  ")
    assert "note" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        services.decline_inquiry(people["holder"], inquiry, "whatever")
    assert "reason_code" in error.value.errors
    assert inquiry.status == "open"
    services.decline_inquiry(people["holder"], inquiry, "budget", "我们的预期在 200 万元以上")
    db.session.commit()
    assert inquiry.status == "declined" and inquiry.decline_reason == "budget"
    assert inquiry.decline_note == "我们的预期在 200 万元以上" and inquiry.declined_at is not None
    [note] = [n for n in notified(world.ids["asker"]) if "婉拒" in n.title]
    assert "预算与预期差距较大" in note.body and "200 万元以上" in note.body
    with pytest.raises(StateConflict):
        services.post_message(people["asker"], inquiry, "能再谈谈吗？")
    assert INQUIRY.available(people["asker"], inquiry) == []


def test_close_by_either_side_not_the_broker(world, people):
    inquiry = ask(people["asker"], subject_id=world.ids["achievement"])
    with pytest.raises(PermissionDenied):
        services.close_inquiry(people["broker"], inquiry)
    services.close_inquiry(people["holder"], inquiry)
    assert inquiry.status == "closed" and inquiry.closed_at is not None
    assert any("已结束" in n.title for n in notified(world.ids["asker"]))
    with pytest.raises(StateConflict):
        services.close_inquiry(people["asker"], inquiry)


def test_listing_boxes(world, people):
    from marketplace.inquiries.reading import INQUIRIES, read_inquiries

    sent = ask(people["asker"], subject_id=world.ids["achievement"])
    received = ask(people["holder"], "demand", world.ids["demand"])
    db.session.flush()
    args = INQUIRIES.parse_page({})
    ids = lambda user, box="all": [i.id for i in read_inquiries(user, args, box).items]  # noqa: E731
    assert sorted(ids(people["asker"])) == sorted([sent.id, received.id])
    assert ids(people["asker"], "sent") == [sent.id] and ids(people["asker"], "received") == [received.id]
    assert ids(people["third"]) == [] and ids(people["admin"]) == []
    assert ids(people["broker"], "brokered") == [i.id for i in (received, sent) if i.broker_id == world.ids["broker"]]
    assert db.session.get(Inquiry, sent.id).broker_id == world.ids["broker"]
