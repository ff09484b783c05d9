"""Suspending an organisation withholds its published listings from the public — pages, the JSON API, search,
matching, the home page — without changing them: its own members and the platform's staff still see them, and
restoring the organisation shows them again. The index follows through the outbox, and stays in step with the
database (verify finds nothing to mend)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from werkzeug.datastructures import MultiDict

from marketplace.accounts.models import Organization, User
from marketplace.achievements.models import Achievement
from marketplace.achievements.reading import ACHIEVEMENTS
from marketplace.admin import services as admin_services
from marketplace.demands.models import Demand
from marketplace.extensions import db
from marketplace.indexing import reconcile
from marketplace.indexing.runtime import get_engine
from marketplace.matching import services as matching
from marketplace.reading import published_count
from tests import factories as f
from tests.api.conftest import _cheap_password_hashing, world  # noqa: F401
from tests.conftest import REPO
from tests.matching.conftest import index_all, market  # noqa: F401
from tests.migrations import app_on_an_empty_database
from tests.search_fixtures import search_engine  # noqa: F401
from tests.web.helpers import login


def _decide(app, world, action: str, *, drain: bool = True) -> None:  # noqa: F811
    with app.test_request_context():
        admin = db.session.get(User, world.ids["admin"])
        org = db.session.get(Organization, world.ids["org_a"])
        admin_services.decide_organization(admin, org, action, "资质存疑，暂停核查" if action == "suspend" else None)
        db.session.commit()
        if drain:
            index_all()


def _public_view(app, client, world, market) -> dict:  # noqa: F811
    """What an anonymous visitor and another organisation find of organisation A's anode achievement."""
    anode = market.ids["anode"]
    anon, other = world.clients["anon"], world.clients["other"]
    with app.test_request_context():
        demand = db.session.get(Demand, market.ids["demand"])
        matched = [c.record.id for c in matching.matches_for_demand(demand, size=20)]
        count = published_count(Achievement)
        totals = [ACHIEVEMENTS.public_page(ACHIEVEMENTS.parse_page(MultiDict(query))).total
                  for query in ({}, {"transfer_mode": "licence"})]  # the plain count, and the capped one
        indexed = anode in get_engine().versions("achievement")
    return {
        "page": client.get(f"/achievements/{anode}").status_code,
        "list": f'href="/achievements/{anode}"' in client.get("/achievements").get_data(as_text=True),
        "search page": f'href="/achievements/{anode}"' in client.get("/search?q=硅碳负极").get_data(as_text=True),
        "api": anon.get(f"/achievements/{anode}").status_code,
        "api of another organisation": other.get(f"/achievements/{anode}").status_code,
        "api list": anode in [item["id"] for item in anon.get("/achievements?page_size=100").get_json()["items"]],
        "api total": anon.get("/achievements").get_json()["total"],
        "search api": anode in [item["id"] for item in
                                anon.get("/search/achievements?q=硅碳负极").get_json()["items"]],
        "indexed": indexed,
        "matched": anode in matched,
        "home count": count,
        "list totals": totals,
    }


def test_a_suspension_withholds_the_listings_and_a_restore_shows_them_again(app, client, world, market):  # noqa: F811
    with app.test_request_context():  # B publishes an achievement too: A's four are withheld, B's stays
        f.achievement(db.session.get(User, world.ids["other"]), publish_by=db.session.get(User, world.ids["broker"]),
                      title="盐碱地水稻种植技术", transfer_modes=["licence"])
        db.session.commit()
        index_all()
    before = _public_view(app, client, world, market)
    assert before == {"page": 200, "list": True, "search page": True, "api": 200, "api of another organisation": 200,
                      "api list": True, "api total": 5, "search api": True, "indexed": True, "matched": True,
                      "home count": 5, "list totals": [5, 5]}

    _decide(app, world, "suspend")
    withheld = _public_view(app, client, world, market)
    assert withheld == {"page": 404, "list": False, "search page": False, "api": 404,
                        "api of another organisation": 404, "api list": False, "api total": 1, "search api": False,
                        "indexed": False, "matched": False, "home count": 1,
                        "list totals": [1, 1]}
    with app.app_context():
        assert db.session.get(Achievement, market.ids["anode"]).status == "published"  # unchanged, only withheld
        assert reconcile.compare(get_engine(), "achievement").problems == 0

    _decide(app, world, "restore")
    assert _public_view(app, client, world, market) == before
    with app.app_context():
        assert reconcile.compare(get_engine(), "achievement").problems == 0


def test_the_listings_are_withheld_before_the_index_catches_up(app, client, world, market):  # noqa: F811
    _decide(app, world, "suspend", drain=False)
    view = _public_view(app, client, world, market)
    assert view["indexed"] is True
    assert not (view["search page"] or view["search api"] or view["matched"] or view["list"])


@pytest.mark.parametrize("who", ["owner", "broker"])
def test_its_members_and_the_staff_still_see_a_withheld_listing(app, client, world, market, who):  # noqa: F811
    _decide(app, world, "suspend")
    anode = market.ids["anode"]
    assert world.clients[who].get(f"/achievements/{anode}").status_code == 200
    with app.app_context():
        email = db.session.get(User, world.ids[who]).email
    login(client, email)
    assert client.get(f"/achievements/{anode}").status_code == 200


def test_the_migration_takes_the_listings_of_organisations_suspended_before_it_out_of_the_index(tmp_path):
    with app_on_an_empty_database(tmp_path) as app, app.app_context():
        upgrade(directory=str(REPO / "migrations"), revision="7b2d4f6a9c13")
        with db.engine.begin() as conn:
            for name, status in (("暂停的大学", "suspended"), ("正常的大学", "verified")):
                conn.execute(sa.text(
                    "INSERT INTO organizations (name, org_type, region, status, version, name_version, "
                    "org_type_version, region_version, created_at) "
                    "VALUES (:name, 'university', '220000', :status, 1, 0, 0, 0, '2025-01-01 08:00:00')"),
                    {"name": name, "status": status})
        upgrade(directory=str(REPO / "migrations"), revision="a4c6e8f0b2d5")
        with db.engine.connect() as conn:
            counters = dict(conn.execute(sa.text("SELECT name, status_version FROM organizations")).all())
            queued = conn.execute(sa.text("SELECT kind, record_id FROM search_outbox ORDER BY kind")).all()
            suspended_id = conn.execute(sa.text("SELECT id FROM organizations WHERE status = 'suspended'")).scalar_one()
        assert counters == {"暂停的大学": 1, "正常的大学": 0}
        assert queued == [(f"holder:{kind}", suspended_id) for kind in ("achievement", "challenge", "demand", "patent")]
        downgrade(directory=str(REPO / "migrations"), revision="7b2d4f6a9c13")
        db.session.remove()
        db.engine.dispose()
