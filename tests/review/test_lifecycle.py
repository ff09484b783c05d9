"""The listing lifecycle through the services: draft → submitted → published / rejected → archived."""
import pytest

from marketplace.records import get_visible
from marketplace.audit.models import AuditEvent
from marketplace.errors import NotFound, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from marketplace.indexing.models import OutboxEntry
from marketplace.review import services as review
from tests import factories as f


def test_submit_publish_makes_achievement_public(ctx):
    owner = f.user(f.organization())
    reviewer = f.broker()
    record = f.achievement(owner)
    visitor = f.user(f.organization("enterprise"))
    with pytest.raises(NotFound):
        get_visible(type(record), record.id, visitor)
    review.submit(owner, record)
    review.publish(reviewer, record)
    db.session.flush()
    assert get_visible(type(record), record.id, visitor) is record
    assert record.published_at is not None
    actions = [e.action for e in db.session.execute(db.select(AuditEvent)).scalars()]
    assert {"achievement.create", "achievement.submit", "achievement.publish"} <= set(actions)


def test_member_cannot_publish_and_reject_needs_reason(ctx):
    owner = f.user(f.organization())
    record = f.achievement(owner)
    review.submit(owner, record)
    with pytest.raises(PermissionDenied):
        review.publish(owner, record)
    with pytest.raises(ValidationFailed) as error:
        review.reject(f.broker(), record, "  ")
    assert "reason" in error.value.errors


def test_rejected_record_returns_with_reason_and_can_be_resubmitted(ctx):
    owner = f.user(f.organization())
    record = f.achievement(owner)
    review.submit(owner, record)
    review.reject(f.broker(), record, "请补充技术指标")
    assert record.status == "rejected" and record.reject_reason == "请补充技术指标"
    review.submit(owner, record)
    assert record.status == "submitted"


def test_every_change_writes_an_outbox_row_in_the_same_transaction(ctx):
    owner = f.user(f.organization())
    record = f.achievement(owner, publish_by=f.broker())
    db.session.flush()
    rows = db.session.execute(db.select(OutboxEntry).where(
        OutboxEntry.kind == "achievement", OutboxEntry.record_id == record.id)).scalars().all()
    assert rows and max(r.version for r in rows) == record.version
    db.session.rollback()
    assert db.session.execute(db.select(OutboxEntry).where(OutboxEntry.kind == "achievement")).first() is None
