"""Favourites (收藏): every user can keep a watch-list of published achievements, patents, demands and 揭榜挂帅
challenges — through the ☆ 收藏 button of each detail page (a plain form with the CSRF token) and /favourites, or
the API (/api/v1/favourites). Only published listings can be added (404 otherwise, like a missing id); a listing
that stops being public stays in the list as 已下架 without its title or content."""
from __future__ import annotations

import re

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.favourites.models import Favourite
from marketplace.review import services as review
from tests.api.conftest import assert_problem, login_session
from tests.challenges.helpers import published_challenge

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _challenge(app, world) -> int:
    with app.test_request_context():
        issuer, broker = (db.session.get(User, world.ids[n]) for n in ("other", "broker"))
        challenge = published_challenge(issuer, broker, title="高寒地区风电叶片除冰揭榜攻关")
        db.session.commit()
        return challenge.id


def _withdraw(app, world, kind_model, record_id, by="owner"):
    with app.test_request_context():
        record = db.session.get(kind_model, record_id)
        review.withdraw(db.session.get(User, world.ids[by]), record)
        db.session.commit()


def _rows(app, user_id) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(Favourite).where(
            Favourite.user_id == user_id)).scalar_one()


def test_api_adds_lists_and_removes_every_kind(app, market, world):
    challenge_id = _challenge(app, world)
    investor = world.member  # any signed-in user
    for path in (f"/favourites/achievements/{market.ids['anode']}", f"/favourites/patents/{market.ids['patent']}",
                 f"/favourites/demands/{market.ids['demand']}", f"/favourites/challenges/{challenge_id}"):
        response = investor.put(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        assert response.get_json()["available"] is True and response.get_json()["title"]
    assert investor.put(f"/favourites/achievements/{market.ids['anode']}").status_code == 200  # idempotent
    assert _rows(app, world.ids["member"]) == 4

    page = investor.get("/favourites").get_json()
    assert page["total"] == 4
    assert [item["kind"] for item in page["items"]] == ["challenge", "demand", "patent", "achievement"]  # newest first
    anode = page["items"][3]
    assert anode["record_id"] == market.ids["anode"] and anode["title"].startswith("硅碳负极")
    assert anode["path"] == f"/achievements/{market.ids['anode']}"
    only = investor.get("/favourites?kind=patent").get_json()
    assert only["total"] == 1 and only["items"][0]["record_id"] == market.ids["patent"]
    assert_problem(investor.get("/favourites?kind=licence"), 422, "kind")

    item = f"/favourites/demands/{market.ids['demand']}"
    assert investor.get(item).get_json()["kind"] == "demand"
    assert investor.delete(item).status_code == 204
    assert_problem(investor.get(item), 404)
    assert_problem(investor.delete(item), 404)
    assert investor.get("/favourites").get_json()["total"] == 3
    # one's favourites are one's own
    assert world.other.get("/favourites").get_json()["total"] == 0
    assert world.anon.get("/favourites").status_code == 401
    assert world.anon.put(f"/favourites/achievements/{market.ids['anode']}").status_code == 401


def test_only_published_listings_can_be_added(app, market, world):
    assert_problem(world.other.put(f"/favourites/achievements/{market.ids['draft']}"), 404)  # A's draft
    assert_problem(world.owner.put(f"/favourites/achievements/{market.ids['draft']}"), 404)  # even for its owner
    assert_problem(world.broker.put(f"/favourites/achievements/{market.ids['unpublished']}"), 404)  # submitted
    assert_problem(world.other.put("/favourites/achievements/999999"), 404)
    assert_problem(world.other.put(f"/favourites/licences/{market.ids['anode']}"), 404)  # not a listing kind
    assert_problem(world.other.put(f"/favourites/orgs/{world.ids['org_a']}"), 404)
    assert _rows(app, world.ids["other"]) == 0


def test_a_listing_unpublished_later_shows_as_unavailable_without_its_content(app, client, market, world):
    from marketplace.achievements.models import Achievement

    assert world.other.put(f"/favourites/achievements/{market.ids['anode']}").status_code == 200
    _withdraw(app, world, Achievement, market.ids["anode"])
    (item,) = world.other.get("/favourites").get_json()["items"]
    assert item == {**item, "available": False, "title": None, "path": None, "record_id": market.ids["anode"]}

    login_session(app, client, world.ids["other"])
    page = client.get("/favourites").get_data(as_text=True)
    assert "已下架" in page and "硅碳负极" not in page
    assert f'href="/achievements/{market.ids["anode"]}"' not in page
    # it can still be removed from the list
    response = client.post(f"/favourites/achievements/{market.ids['anode']}/remove",
                           data={"csrf_token": TOKEN.search(page).group(1)}, follow_redirects=True)
    assert response.status_code == 200 and "还没有收藏" in response.get_data(as_text=True)
    assert _rows(app, world.ids["other"]) == 0


def test_detail_page_toggle_works_without_script_and_needs_csrf(app, client, market, world):
    url = f"/patents/{market.ids['patent']}"
    anonymous = client.get(url).get_data(as_text=True)
    assert "☆ 收藏" in anonymous and "/login?next=" in anonymous  # a link to log in first

    login_session(app, client, world.ids["other"])
    page = client.get(url).get_data(as_text=True)
    add = f'action="/favourites/patents/{market.ids["patent"]}"'
    assert add in page and "☆ 收藏" in page and 'aria-pressed="false"' in page
    assert client.post(f"/favourites/patents/{market.ids['patent']}").status_code == 400  # no CSRF token
    assert _rows(app, world.ids["other"]) == 0

    response = client.post(f"/favourites/patents/{market.ids['patent']}",
                           data={"csrf_token": TOKEN.search(page).group(1), "next": url}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == url
    assert "★ 已收藏" in page and f'action="/favourites/patents/{market.ids["patent"]}/remove"' in page
    assert _rows(app, world.ids["other"]) == 1

    response = client.post(f"/favourites/patents/{market.ids['patent']}/remove",
                           data={"csrf_token": TOKEN.search(page).group(1), "next": url}, follow_redirects=True)
    assert "☆ 收藏" in response.get_data(as_text=True) and _rows(app, world.ids["other"]) == 0

    # no button on a page that is not public (the owner looking at its draft)
    login_session(app, client, world.ids["owner"])
    draft = client.get(f"/achievements/{market.ids['draft']}").get_data(as_text=True)
    assert "☆ 收藏" not in draft and "/favourites/" not in draft
    # a draft cannot be added through the form either
    assert client.post(f"/favourites/achievements/{market.ids['draft']}",
                       data={"csrf_token": TOKEN.search(draft).group(1)}).status_code == 404


def test_favourites_page_groups_by_kind(app, client, market, world):
    challenge_id = _challenge(app, world)
    login_session(app, client, world.ids["member"])
    for url, action in ((f"/achievements/{market.ids['anode']}", f"/favourites/achievements/{market.ids['anode']}"),
                        (f"/demands/{market.ids['demand']}", f"/favourites/demands/{market.ids['demand']}"),
                        (f"/challenges/{challenge_id}", f"/favourites/challenges/{challenge_id}")):
        page = client.get(url).get_data(as_text=True)
        assert f'action="{action}"' in page, url
        assert client.post(action, data={"csrf_token": TOKEN.search(page).group(1)}).status_code == 302
    page = client.get("/favourites").get_data(as_text=True)
    sections = re.findall(r'id="favourites-(\w+)"', page)
    assert sections == ["achievements", "demands", "challenges"]  # the kinds' order, empty kinds left out
    assert f'href="/achievements/{market.ids["anode"]}"' in page and "高寒地区风电叶片除冰揭榜攻关" in page
    assert page.count("已发布") >= 3 and "已下架" not in page
    assert app.test_client().get("/favourites").status_code == 302  # anonymous: to the login page
