"""Fixtures of the accounts tests: people around one organisation, a search engine, the English catalogue."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from tests import factories as f
from tests.search_fixtures import search_engine  # noqa: F401
from tests.web.conftest import english_catalogue  # noqa: F401


@pytest.fixture
def people(app):
    """An organisation with its admin and a member, another organisation's admin, a platform admin (committed);
    e-mails of the people, the organisation's id, and a name another organisation already has."""
    with app.app_context():
        org = f.organization("university", "220000", name="松花江新材料研究院")
        people = SimpleNamespace(org_id=org.id, owner=f.user(org, role="org_admin"), member=f.user(org),
                                 stranger=f.user(f.organization("enterprise"), role="org_admin"),
                                 admin=f.admin(), taken=f.organization("institute", name="已被使用的名称").name)
        db.session.commit()
        for name in ("owner", "member", "stranger", "admin"):
            setattr(people, name, getattr(people, name).email)
        return people
