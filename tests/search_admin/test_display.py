"""/admin/search reads like every other page: engine and kind labels instead of codes, times in the display zone."""
from __future__ import annotations

import re

import pytest

from marketplace.extensions import db
from marketplace.search_admin import dictionaries
from tests import factories as f
from tests.web.helpers import login, text


@pytest.fixture
def admin_client(app, client):
    with app.app_context():
        admin = f.admin()
        db.session.commit()
        email = admin.email
    login(client, email)
    return client


@pytest.fixture
def display_zone(app):
    before = app.config["DISPLAY_TIMEZONE"]
    yield app.config
    app.config["DISPLAY_TIMEZONE"] = before


def test_engine_and_kinds_are_labels_not_codes(app, admin_client, search_engine):
    page = text(admin_client.get("/admin/search"))
    assert "内置搜索引擎" in page
    status_line = re.search(r"正常</span>([^<]*)</p>", page).group(1)
    assert "embedded" not in status_line
    assert "科技成果" in page and ">achievement<" not in page


def test_rebuild_time_is_shown_in_the_display_time_zone(app, admin_client, search_engine, display_zone):
    with app.app_context():
        dictionaries.record_index_fingerprint(app, "achievement", when="2025-01-01T00:00:00Z")
    assert "重建于 2025-01-01 08:00" in text(admin_client.get("/admin/search"))  # Beijing time by default
    display_zone["DISPLAY_TIMEZONE"] = "Europe/London"
    assert "重建于 2025-01-01 00:00" in text(admin_client.get("/admin/search"))


def test_a_rebuild_records_its_time_in_utc(app, search_engine):
    with app.app_context():
        dictionaries.record_index_fingerprint(app, "patent")
        stamp = dictionaries.index_fingerprints(app)["patent"]["at"]
    assert stamp.endswith("Z")
