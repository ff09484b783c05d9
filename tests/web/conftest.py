"""Page-test fixtures: committed seed data and a compiled English catalogue."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from marketplace.extensions import db
from tests import factories as f

CATALOGUE = Path(__file__).resolve().parents[2] / "translations" / "en" / "LC_MESSAGES"


@pytest.fixture(scope="session", autouse=True)
def english_catalogue():
    """Compile messages.po when the .mo is missing or stale (``make`` does this with pybabel compile)."""
    po, mo = CATALOGUE / "messages.po", CATALOGUE / "messages.mo"
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        with po.open("rb") as source:
            catalogue = read_po(source, locale="en")
        with mo.open("wb") as target:
            write_mo(target, catalogue)


@pytest.fixture
def world(app):
    """Two organisations with a user each, a broker and an admin, committed so that the test client sees them."""
    with app.app_context():
        university = f.organization("university")
        owner = f.user(university, role="org_admin")
        colleague = f.user(university)
        enterprise = f.organization("enterprise")
        outsider = f.user(enterprise)
        broker = f.broker()
        admin = f.admin()
        db.session.commit()
        yield_value = SimpleNamespace(
            university_id=university.id, enterprise_id=enterprise.id,
            owner=owner.email, colleague=colleague.email, outsider=outsider.email,
            broker=broker.email, admin=admin.email)
    return yield_value


def seed(app, build):
    """Run ``build()`` (which uses the factories) in an app context, commit, and return its result's ids."""
    with app.app_context():
        result = build()
        db.session.commit()
        return result
