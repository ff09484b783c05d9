"""Editing an organisation's profile: who may, what is checked, conflicts, the audit trail."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm.exc import StaleDataError

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Organization
from marketplace.audit.models import AuditEvent
from marketplace.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from tests.accounts.helpers import PROFILE, user


def test_admins_of_the_organisation_and_platform_admins_may_edit_it(ctx, people):
    org = db.session.get(Organization, people.org_id)
    for who in ("member", "stranger"):
        with pytest.raises(PermissionDenied):
            accounts.update_organization(user(getattr(people, who)), org, PROFILE)
    assert sorted(accounts.update_organization(user(people.owner), org, PROFILE)) == sorted(PROFILE)
    assert accounts.update_organization(user(people.admin), org, {"name": "吉林省天池实验室"}, partial=True) == ["name"]
    assert accounts.update_organization(user(people.admin), org, {"name": " 吉林省天池实验室 "}, partial=True) == []
    db.session.commit()
    events = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "organization.update")
                                .order_by(AuditEvent.id)).scalars().all()
    assert [sorted(e.details["fields"]) for e in events] == [sorted(PROFILE), ["name"]]


def test_profile_input_is_validated(ctx, people):
    org = db.session.get(Organization, people.org_id)
    owner = user(people.owner)
    cases = [({"name": "  "}, "name"), ({"name": people.taken}, "name"), ({"name": "名" * 201}, "name"),
             ({"org_type": "club"}, "org_type"), ({"region": "999999"}, "region"),
             ({"website": "javascript:alert(1)"}, "website"), ({"description": "长" * 2001}, "description")]
    for data, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            accounts.update_organization(owner, org, data, partial=True)
        assert field in caught.value.errors, data
    with pytest.raises(ValidationFailed) as caught:
        accounts.update_organization(owner, org, {"name": "只有名称"})  # a full edit needs type and region
    assert {"org_type", "region"} <= set(caught.value.errors)
    assert accounts.update_organization(owner, org, {"website": "", "description": None}, partial=True) == []


def test_an_edit_of_an_older_version_is_a_conflict(ctx, people):
    org = db.session.get(Organization, people.org_id)
    seen = org.version
    accounts.update_organization(user(people.owner), org, {"description": "第一次修改"}, expected_version=seen,
                                 partial=True)
    db.session.commit()
    with pytest.raises(Conflict):
        accounts.update_organization(user(people.admin), org, {"name": "后来者"}, expected_version=seen, partial=True)


def test_two_concurrent_edits_cannot_both_commit(app, people):
    """Two requests read the organisation, both change it: the second commit fails (the row's optimistic lock),
    so the change counters that version the listings' documents never lose a change."""
    loaded, renamed = threading.Event(), threading.Event()
    outcome = {}

    def other_request():
        with app.test_request_context():
            org = db.session.get(Organization, people.org_id)
            org.org_type  # noqa: B018 - loaded before the first request commits
            loaded.set()
            renamed.wait(10)
            try:
                accounts.update_organization(user(people.admin), org, {"org_type": "enterprise"}, partial=True)
                db.session.commit()
                outcome["result"] = "committed"
            except StaleDataError:
                db.session.rollback()
                outcome["result"] = "conflict"
            finally:
                db.session.remove()

    thread = threading.Thread(target=other_request)
    thread.start()
    loaded.wait(10)
    with app.test_request_context():
        org = db.session.get(Organization, people.org_id)
        accounts.update_organization(user(people.owner), org, {"name": "长白山天池实验室"}, partial=True)
        db.session.commit()
        renamed.set()
        thread.join(10)
        db.session.expire_all()
        assert outcome["result"] == "conflict"
        org = db.session.get(Organization, people.org_id)
        assert (org.name, org.org_type) == ("长白山天池实验室", "university")
        assert (org.name_version, org.org_type_version, org.region_version) == (1, 0, 0)
