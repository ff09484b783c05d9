"""Organisation verification: a newly registered organisation is pending — not in the public directory (page and
API) and its listings cannot be published — until a platform admin verifies it with a valid credit code."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import Organization, User
from marketplace.achievements.models import Achievement
from marketplace.alerts.models import Notification
from marketplace.audit.models import AuditEvent
from marketplace.errors import NotFound, StateConflict, ValidationFailed
from marketplace.extensions import db
from marketplace.admin import services
from marketplace.review import services as review
from tests.admin.conftest import BODY, credit_code
from tests.web.helpers import csrf_from, login, post, text


def _user(email: str) -> User:
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def test_the_register_form_leaves_the_organisation_pending_and_out_of_the_directory(app, client):
    form = {"org_name": "松原新注册科技有限公司", "org_type": "enterprise", "region": "220000", "email": "new@reg.example.cn",
            "name": "新用户", "password": "long-enough-1", "password2": "long-enough-1",
            "csrf_token": csrf_from(client, "/register")}
    assert client.post("/register", data=form).status_code == 302
    with app.app_context():
        org = db.session.execute(db.select(Organization).where(Organization.name == form["org_name"])).scalar_one()
        assert org.status == "pending"
    assert "等待平台认证" in text(client.get(f"/orgs/{org.id}"))  # its own members see it, with the notice
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    assert form["org_name"] not in text(client.get("/orgs"))
    assert client.get(f"/orgs/{org.id}").status_code == 404
    listed = client.get("/api/v1/organizations?per_page=100").get_json()
    assert org.id not in [item["id"] for item in listed["items"]]
    assert client.get(f"/api/v1/organizations/{org.id}").status_code == 404


def test_a_pending_organisations_listing_cannot_be_published(app, client, admin_world):
    login(client, admin_world.broker)
    page = text(client.get(f"/achievements/{admin_world.listing_id}"))
    assert "尚未通过平台认证" in page and "退回修改" in page  # the review box says why and can still send it back
    assert "机构待认证" in text(client.get("/review"))
    response = post(client, f"/review/achievement/{admin_world.listing_id}/publish", token_page="/review")
    assert response.status_code == 302
    assert "尚未通过平台认证" in text(client.get(response.headers["Location"]))
    with app.test_request_context():
        assert db.session.get(Achievement, admin_world.listing_id).status == "submitted"
        broker, listing = _user(admin_world.broker), db.session.get(Achievement, admin_world.listing_id)
        with pytest.raises(StateConflict, match="尚未通过平台认证"):
            review.publish(broker, listing)


def test_verifying_checks_the_credit_code_next_to_the_field(app, client, admin_world):
    login(client, admin_world.admin)
    url = f"/admin/orgs/{admin_world.newcomer_id}"
    wrong = BODY + ("0" if credit_code()[-1] != "0" else "1")
    response = post(client, url + "/verify", {"credit_code": wrong, "org_type": "enterprise", "region": "220000"},
                    token_page=url)
    assert response.status_code == 422
    page = text(response)
    assert 'id="credit_code-error"' in page and "校验码" in page
    assert f'value="{wrong}"' in page  # what the admin typed is kept
    missing = post(client, url + "/verify", {"credit_code": "", "org_type": "nonsense", "region": "999999"},
                   token_page=url)
    assert missing.status_code == 422
    page = text(missing)
    assert 'id="credit_code-error"' in page and 'id="org_type-error"' in page and 'id="region-error"' in page
    with app.app_context():
        assert db.session.get(Organization, admin_world.newcomer_id).status == "pending"


def test_verifying_publishes_the_way_into_the_directory_notifies_and_audits(app, client, admin_world):
    login(client, admin_world.admin)
    url = f"/admin/orgs/{admin_world.newcomer_id}"
    assert "长春新创科技有限公司" in text(client.get("/admin/orgs?status=pending"))
    response = post(client, url + "/verify", {"credit_code": credit_code().lower(), "org_type": "enterprise",
                                              "region": "220000"}, token_page=url)
    assert response.status_code == 302
    with app.app_context():
        org = db.session.get(Organization, admin_world.newcomer_id)
        assert (org.status, org.credit_code) == ("verified", credit_code()) and org.verified_at is not None
        event = db.session.execute(db.select(AuditEvent).where(
            AuditEvent.action == "organization.verify")).scalar_one()
        assert (event.actor_id, event.target_id, event.details["to"]) == (admin_world.admin_id, org.id, "verified")
        note = db.session.execute(db.select(Notification).where(
            Notification.user_id == admin_world.newcomer_admin_id)).scalar_one()
        assert "已通过平台认证" in note.title and note.email_state is not None
    assert "长春新创科技有限公司" in text(client.get("/orgs"))
    with app.test_request_context():
        broker, listing = _user(admin_world.broker), db.session.get(Achievement, admin_world.listing_id)
        review.publish(broker, listing)
        assert listing.status == "published"


def test_rejecting_needs_a_reason_and_tells_the_organisation(app, admin_world):
    with app.test_request_context():
        admin, org = _user(admin_world.admin), db.session.get(Organization, admin_world.newcomer_id)
        with pytest.raises(ValidationFailed) as refused:
            services.decide_organization(admin, org, "reject", "  ")
        assert "reason" in refused.value.errors
        services.decide_organization(admin, org, "reject", "营业执照与名称不符")
        assert (org.status, org.status_reason) == ("rejected", "营业执照与名称不符")
        note = db.session.execute(db.select(Notification).where(
            Notification.user_id == admin_world.newcomer_admin_id)).scalar_one()
        assert "未通过平台认证" in note.title and note.body == "营业执照与名称不符"
        with pytest.raises(StateConflict):
            services.decide_organization(admin, org, "suspend", "x")  # only a verified one is suspended


def test_suspending_an_organisation_takes_it_out_of_the_directory_until_restored(app, client, admin_world):
    login(client, admin_world.admin)
    url = f"/admin/orgs/{admin_world.university_id}"
    assert post(client, url + "/suspend", {"reason": ""}, token_page=url).status_code == 422
    assert post(client, url + "/suspend", {"reason": "资料造假，调查中"}, token_page=url).status_code == 302
    assert "长白山大学" not in text(client.get("/orgs"))
    assert post(client, url + "/restore", {}, token_page=url).status_code == 302
    assert "长白山大学" in text(client.get("/orgs"))
    with app.app_context():
        actions = db.session.execute(db.select(AuditEvent.action).where(
            AuditEvent.target_type == "organizations", AuditEvent.target_id == admin_world.university_id)
            .order_by(AuditEvent.id)).scalars().all()
    assert actions[-2:] == ["organization.suspend", "organization.restore"]


def test_only_platform_admins_administer_organisations(app, admin_world):
    with app.test_request_context():
        org = db.session.get(Organization, admin_world.newcomer_id)
        for email in (admin_world.broker, admin_world.newcomer_admin):
            with pytest.raises(NotFound):  # the lifecycle: its administration does not exist for them
                services.verify_organization(_user(email), org, {"credit_code": credit_code()})
        assert org.status == "pending"
