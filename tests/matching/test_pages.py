"""The matching and alert pages render for the right people (Chinese UI), with CSRF-protected actions."""
from __future__ import annotations

from tests.api.conftest import login_session


def test_demand_matches_page_for_broker_with_actions(app, client, market, world):
    token = login_session(app, client, world.ids["broker"])
    page = client.get(f"/demands/{market.ids['demand']}/matches")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "匹配结果" in html and "硅碳负极材料的碳包覆改性" in html
    assert "推荐给双方" in html and "满足需求要求的 TRL ≥ 5" in html
    assert client.post(f"/demands/{market.ids['demand']}/matches/achievement/{market.ids['anode']}/pin"
                       ).status_code == 400  # no CSRF token
    done = client.post(f"/demands/{market.ids['demand']}/matches/achievement/{market.ids['anode']}/pin",
                       headers={"X-CSRFToken": token})
    assert done.status_code == 302
    assert "置顶" in client.get(f"/demands/{market.ids['demand']}/matches").get_data(as_text=True)
    patents = client.get(f"/demands/{market.ids['demand']}/matches?kind=patent").get_data(as_text=True)
    assert "一种硅碳复合负极材料" in patents


def test_pages_respect_visibility(app, client, market, world):
    assert client.get(f"/demands/{market.ids['demand']}/matches").status_code == 302  # to login
    login_session(app, client, world.ids["owner"])
    assert client.get(f"/demands/{market.ids['demand']}/matches").status_code == 403
    assert client.get(f"/achievements/{market.ids['unpublished']}/matches").status_code == 404
    page = client.get(f"/achievements/{market.ids['anode']}/matches")
    assert page.status_code == 200 and "动力电池负极材料首效提升" in page.get_data(as_text=True)


def test_notifications_and_subscriptions_pages(app, client, market, world):
    token = login_session(app, client, world.ids["other"])
    # B heard that its two demands were published (the market's reviews), nothing else yet
    notices = client.get("/notifications").get_data(as_text=True)
    assert "您的技术需求「动力电池负极材料首效提升」已审核通过并发布" in notices and "推荐" not in notices
    saved = client.post("/subscriptions", data={"query_text": "钙钛矿电池", "technical_field": "new_energy"},
                        headers={"X-CSRFToken": token})
    assert saved.status_code == 302
    assert "钙钛矿电池" in client.get("/subscriptions").get_data(as_text=True)
    assert client.post("/subscriptions", data={}, headers={"X-CSRFToken": token}).status_code == 422
    follow = client.post(f"/demands/{market.ids['unrelated_demand']}/follow", headers={"X-CSRFToken": token})
    assert follow.status_code == 302
    assert "需求匹配：养殖池塘水质调控微生物制剂" in client.get("/subscriptions").get_data(as_text=True)
