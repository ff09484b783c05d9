"""A small committed world for the administration tests: a platform admin, a broker, a verified university with its
admin, and a newly registered (pending) enterprise with its admin and a submitted achievement."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from marketplace.accounts import services as accounts
from marketplace.deals.identifiers import credit_code_check_character
from marketplace.extensions import db
from marketplace.review import services as review
from marketplace.timeutil import utcnow
from tests import factories as f

BODY = "91220101MA00K3X7Q"  # 17 characters: 9 (enterprise), 1, region 220101, a registration number


def credit_code(body: str = BODY) -> str:
    return body + credit_code_check_character(body)


@pytest.fixture
def admin_world(app):
    with app.app_context():
        admin = f.admin()
        broker = f.broker()
        university = f.organization("university", name="长白山大学")
        university_admin = f.user(university, role="org_admin")
        newcomer_admin = accounts.register_with_new_organization(
            "founder@newco.example.cn", "创始人", f.PASSWORD, "长春新创科技有限公司", "enterprise", "220000")
        newcomer_admin.email_verified_at = utcnow()  # the sign-up link followed (marketplace.accounts)
        newcomer = newcomer_admin.organization
        listing = f.achievement(newcomer_admin, title="一种寒地光伏组件除雪涂层")
        review.submit(newcomer_admin, listing)
        db.session.commit()
        return SimpleNamespace(admin=admin.email, admin_id=admin.id, broker=broker.email,
                               university_id=university.id, university_admin=university_admin.email,
                               university_admin_id=university_admin.id,
                               newcomer_id=newcomer.id, newcomer_admin=newcomer_admin.email,
                               newcomer_admin_id=newcomer_admin.id, listing_id=listing.id)
