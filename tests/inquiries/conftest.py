"""A small world for inquiry tests: a university holding published listings, an enterprise that asks, a third
organisation, two brokers (the first gets new inquiries; the second is unrelated) and an admin; each user with an
e-mail (page tests log in through the real form) and a write token (API tests)."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.inquiries import services
from marketplace.inquiries.models import Inquiry
from marketplace.review import services as review
from tests import factories as f
from tests.api.conftest import UserWorld, _cheap_password_hashing, user_world  # noqa: F401
from tests.challenges.helpers import published_challenge


def build_world() -> UserWorld:
    university = f.organization("university", name="吉林洽谈大学")
    enterprise = f.organization("enterprise", name="长春洽谈企业")
    third = f.organization("enterprise", name="无关第三方企业")
    users = {
        "holder": f.user(university, email="holder@inquiry.test"),
        "holder2": f.user(university, email="holder2@inquiry.test"),
        "asker": f.user(enterprise, email="asker@inquiry.test"),
        "third": f.user(third, email="third@inquiry.test"),
    }
    users["broker"] = f.user(f.organization("broker_agency", name="技术转移中心"), platform_role="broker",
                             email="broker@inquiry.test")
    users["broker2"] = f.user(f.organization("broker_agency", name="另一家技术转移机构"), platform_role="broker",
                              email="broker2@inquiry.test")
    users["admin"] = f.user(f.organization("government", name="科技厅"), platform_role="admin",
                            email="admin@inquiry.test")
    broker = users["broker"]
    achievement = f.achievement(users["holder"], publish_by=broker)
    draft = f.achievement(users["holder"], title="尚未发布的成果草稿")
    patent = f.patent(users["holder"])
    review.submit(users["holder"], patent)
    review.publish(broker, patent)
    demand = f.demand(users["asker"], publish_by=broker)
    challenge = published_challenge(users["asker"], broker)
    db.session.flush()
    return user_world(users, university=university.id, enterprise=enterprise.id, third_org=third.id,
                      achievement=achievement.id, draft=draft.id, patent=patent.id, demand=demand.id,
                      challenge=challenge.id)


@pytest.fixture
def world(app):
    with app.test_request_context():
        return build_world()


def ask(user, kind: str = "achievement", subject_id: int | None = None, **overrides) -> Inquiry:
    """An inquiry sent through the service (the caller commits)."""
    data = {"subject_kind": kind, "subject_id": subject_id, "message": "我公司希望了解该技术的许可条件和中试情况。",
            "cooperation_mode": "licence", "budget": "80"}
    data.update(overrides)
    return services.send_inquiry(user, data)
