"""Matching and alerts wired into the pages: detail-page links and similar achievements, the follow button, the
header's notifications badge and subscriptions link, and "save this search" on the search page."""
from __future__ import annotations

import re

from marketplace.alerts import services
from marketplace.alerts.models import SEARCH, Subscription
from marketplace.extensions import db
from tests.api.conftest import login_session

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _token(page: str) -> str:
    return TOKEN.search(page).group(1)


def test_achievement_page_links_matches_for_owner_and_broker_only(app, client, market, world):
    url = f"/achievements/{market.ids['anode']}"
    matches = f"/achievements/{market.ids['anode']}/matches"
    page = _page(client, url)
    assert matches not in page  # anonymous
    assert "相似成果" not in page  # the market's other achievements are unrelated: no section of weak likenesses
    for name, sees in (("other", False), ("owner", True), ("broker", True)):
        login_session(app, client, world.ids[name])
        assert (matches in _page(client, url)) is sees, name


def test_demand_page_links_matches_and_follows(app, client, market, world):
    url = f"/demands/{market.ids['demand']}"
    page = _page(client, url)
    assert "/matches" not in page and "/follow" not in page  # anonymous: neither
    login_session(app, client, world.ids["owner"])  # another organisation: follow, no matches link
    page = _page(client, url)
    assert f"{url}/matches" not in page
    assert f'action="{url}/follow"' in page
    response = client.post(f"{url}/follow", data={"csrf_token": _token(page)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f'action="{url}/unfollow"' in page and "已关注" in page
    response = client.post(f"{url}/unfollow", data={"csrf_token": _token(page)}, follow_redirects=True)
    assert f'action="{url}/follow"' in response.get_data(as_text=True)
    login_session(app, client, world.ids["other"])  # the demand's own organisation
    assert f"{url}/matches" in _page(client, url)


def test_follow_needs_csrf(app, client, market, world):
    login_session(app, client, world.ids["owner"])
    assert client.post(f"/demands/{market.ids['demand']}/follow").status_code == 400


def test_header_shows_unread_badge_and_subscriptions_are_a_click_away(app, client, market, world):
    assert "/notifications" not in _page(client, "/")
    login_session(app, client, world.ids["owner"])
    page = _page(client, "/")
    assert 'href="/notifications"' in page
    assert 'href="/subscriptions"' in _page(client, "/notifications")  # and on the workspace
    assert 'href="/subscriptions"' in _page(client, "/workspace")
    assert re.search(r'class="count-badge"', page)  # the market's publications (review outcomes): mark them read
    assert client.post("/notifications/read", data={"csrf_token": _token(page)}).status_code == 302
    page = _page(client, "/")
    assert "count-badge" not in page
    with app.test_request_context():
        services.notify(world.ids["owner"], "recommendation", "测试通知一")
        services.notify(world.ids["owner"], "recommendation", "测试通知二")
        db.session.commit()
    page = _page(client, "/")
    assert re.search(r'class="count-badge".*?aria-hidden="true">2<', page)


def test_header_navigation_by_role(app, client, world):
    page = _page(client, "/")
    for href in ('href="/search"', 'href="/achievements"', 'href="/patents"', 'href="/demands"', 'href="/orgs"'):
        assert href in page
    assert 'href="/review' not in page and 'href="/quality' not in page
    login_session(app, client, world.ids["broker"])
    page = _page(client, "/")
    assert 'href="/review' in page and 'href="/quality' not in page
    login_session(app, client, world.ids["admin"])
    assert 'href="/quality' in _page(client, "/")


def test_save_this_search(app, client, market, world):
    url = "/search?q=硅碳负极&technical_field=new_materials"
    page = _page(client, url)
    assert "登录后可订阅此搜索" in page and 'action="/subscriptions/from-search"' not in page
    login_session(app, client, world.ids["other"])
    page = _page(client, url)
    assert 'action="/subscriptions/from-search"' in page
    assert 'name="kind" value="demand"' in _page(client, "/search/demands?q=硅碳负极")  # every listing kind
    data = {"csrf_token": _token(page), "q": "硅碳负极", "technical_field": "new_materials",
            "next": "/search?q=硅碳负极&technical_field=new_materials", "email": "1"}
    assert client.post("/subscriptions/from-search", data={k: v for k, v in data.items() if k != "csrf_token"}
                       ).status_code == 400
    response = client.post("/subscriptions/from-search", data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/search?q=")
    with app.app_context():
        saved = db.session.execute(db.select(Subscription).where(Subscription.user_id == world.ids["other"],
                                                                 Subscription.kind == SEARCH)).scalar_one()
        assert saved.query_text == "硅碳负极" and saved.filters == {"technical_field": ["new_materials"]}
    # an empty search is refused with a message; an off-site "next" is ignored
    response = client.post("/subscriptions/from-search", data={"csrf_token": data["csrf_token"], "q": "",
                                                               "next": "//evil.example/"}, follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"] == "/search"
    assert "请填写检索词" in _page(client, "/search")
