"""Saved searches and alerts over every listing kind: patents and demands as well as achievements and challenges;
an investor's search over achievements by TRL band, technical field and transfer mode (作价投资) is stored with all
three filters and matched when a new achievement is published; filter values are checked against the search
page's facets; /subscriptions and the API show the filters' labels, not their codes."""
from __future__ import annotations

import re

from marketplace.accounts.models import User
from marketplace.alerts.models import Notification, Subscription
from marketplace.extensions import db
from marketplace.review import services as review
from tests import factories as f
from tests.api.conftest import ApiClient, assert_problem, login_session, make_token
from tests.matching.conftest import index_all

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _users(world, *names):
    return [db.session.get(User, world.ids[n]) for n in names]


def _alerts(app, user_id) -> list[Notification]:
    with app.app_context():
        rows = db.session.execute(db.select(Notification).where(
            Notification.user_id == user_id, Notification.category == "alert").order_by(Notification.id)).scalars().all()
        db.session.expunge_all()
        return rows


def _publish_patent(app, world, **data) -> int:
    with app.test_request_context():
        owner, broker = _users(world, "owner", "broker")
        patent = f.patent(owner, **data)
        review.submit(owner, patent)
        review.publish(broker, patent)
        db.session.commit()
        index_all()
        return patent.id


def _published(app, world, make, author: str, **data) -> int:
    """A record made by ``make`` (a factory) for ``author``, published by the broker and indexed; its id."""
    with app.test_request_context():
        user, broker = _users(world, author, "broker")
        record = make(user, publish_by=broker, **data)
        db.session.commit()
        index_all()
        return record.id


def _publish_demand(app, world, **data) -> int:
    return _published(app, world, f.demand, "other", **data)


def _publish_achievement(app, world, **data) -> int:
    return _published(app, world, f.achievement, "owner", **data)


def test_a_saved_patent_search_alerts_on_a_matching_patent(app, world, search_engine):
    response = world.other.post("/subscriptions", json={"kind": "patent", "query_text": "混凝土防冻剂",
                                                        "filters": {"legal_status": "granted"}})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["search_kind"] == "patent"
    _publish_patent(app, world, title="一种苹果保鲜涂膜及其制备方法", abstract="壳聚糖复合涂膜延长苹果贮藏期。")
    assert _alerts(app, world.ids["other"]) == []
    patent_id = _publish_patent(app, world, title="一种寒区混凝土早强防冻剂",
                                abstract="复合防冻剂使混凝土在零下十五度施工时早期强度达标。")
    (note,) = _alerts(app, world.ids["other"])
    assert note.title == "新专利符合您的订阅「混凝土防冻剂」"
    assert (note.link, note.subject_type, note.subject_id) == (f"/patents/{patent_id}", "patent", patent_id)
    assert note.email_state == "queued"
    assert _alerts(app, world.ids["member"]) == []  # nobody else subscribed


def test_a_saved_demand_search_alerts_the_university(app, world, search_engine):
    response = world.owner.post("/subscriptions", json={"kind": "demand", "query_text": "负极",
                                                        "filters": {"technical_field": ["new_materials"]}})
    assert response.status_code == 201, response.get_json()
    _publish_demand(app, world, title="养殖池塘水质调控微生物制剂", problem="对虾养殖塘氨氮超标，需要有益菌调水技术。",
                    indicators="亚硝酸盐低于0.2mg/L", industry="agriculture", technical_field="agriculture")
    assert _alerts(app, world.ids["owner"]) == []
    demand_id = _publish_demand(app, world)  # the factory's 硅碳负极 demand, new materials
    (note,) = _alerts(app, world.ids["owner"])
    assert note.title == "新技术需求符合您的订阅「负极」" and note.link == f"/demands/{demand_id}"


def test_an_investors_search_by_trl_field_and_equity_is_stored_and_matched(app, client, world, search_engine):
    with app.test_request_context():
        investor = f.user(f.organization("investor", name="长春科技创投（测试）"))
        db.session.commit()
        investor_id = investor.id
    login_session(app, client, investor_id)
    form = client.get("/subscriptions?kind=achievement").get_data(as_text=True)
    for field in ("trl_band", "technical_field", "transfer_modes"):
        assert f'name="{field}"' in form, field
    assert "作价投资" in form and "TRL 7–9" in form
    response = client.post("/subscriptions?kind=achievement", data={
        "csrf_token": TOKEN.search(form).group(1), "kind": "achievement", "query_text": "", "trl_band": "7-9",
        "technical_field": "new_energy", "transfer_modes": "equity", "name": "新能源作价投资", "email": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        saved = db.session.execute(db.select(Subscription)).scalar_one()
        assert (saved.search_kind, saved.name) == ("achievement", "新能源作价投资")
        assert saved.filters == {"technical_field": ["new_energy"], "trl_band": ["7-9"], "transfer_modes": ["equity"]}

    storage = dict(title="兆瓦级液流电池储能系统", summary="全钒液流电池电堆与系统集成，已在风电场示范运行。",
                   keywords=["液流电池", "储能"], technical_field="new_energy", industries=["energy"])
    _publish_achievement(app, world, **storage, trl=8, transfer_modes=["licence"])  # no 作价投资
    _publish_achievement(app, world, **{**storage, "title": "液流电池隔膜小试"}, trl=4, transfer_modes=["equity"])
    _publish_achievement(app, world, **{**storage, "title": "秸秆还田技术", "technical_field": "agriculture"},
                         trl=8, transfer_modes=["equity"])
    assert _alerts(app, investor_id) == []
    record_id = _publish_achievement(app, world, **{**storage, "title": "液流电池储能电站成套技术"}, trl=8,
                                     transfer_modes=["equity", "licence"])
    (note,) = _alerts(app, investor_id)
    assert note.subject_id == record_id and note.title == "新成果符合您的订阅「新能源作价投资」"


def test_filter_values_are_checked_and_nothing_is_saved(app, world):
    body = assert_problem(world.owner.post("/subscriptions", json={"filters": {"trl_band": "10-12"}}), 422, "filters")
    assert "技术成熟度" in body["errors"]["filters"][0] and "10-12" in body["errors"]["filters"][0]
    assert_problem(world.owner.post("/subscriptions", json={"filters": {"transfer_modes": ["gift"]}}), 422, "filters")
    assert_problem(world.owner.post("/subscriptions", json={"kind": "demand", "filters": {"trl_band": "7-9"}}),
                   422, "filters")
    body = assert_problem(world.owner.post("/subscriptions", json={"kind": "licence", "query_text": "电池"}),
                          422, "kind")
    assert "patent（专利）" in body["errors"]["kind"][0]
    with app.app_context():
        assert db.session.execute(db.select(Subscription)).first() is None


def test_subscriptions_show_filter_labels_not_codes(app, client, world, search_engine):
    response = world.owner.post("/subscriptions", json={
        "query_text": "锂电池", "filters": {"technical_field": "new_energy", "transfer_modes": ["equity", "licence"],
                                           "trl_band": "7-9"}})
    assert response.status_code == 201
    assert response.get_json()["filter_labels"] == [
        {"field": "技术领域", "values": ["新能源"]}, {"field": "技术成熟度", "values": ["TRL 7–9 产业化阶段"]},
        {"field": "转化方式", "values": ["作价投资", "许可"]}]
    assert world.owner.post("/subscriptions", json={"kind": "patent", "filters": {"legal_status": "granted"}}
                            ).status_code == 201
    login_session(app, client, world.ids["owner"])
    page = client.get("/subscriptions").get_data(as_text=True)
    listed = page[page.index("已有订阅"):]
    assert "技术领域：新能源" in listed and "转化方式：作价投资、许可" in listed
    assert "技术成熟度：TRL 7–9 产业化阶段" in listed and "法律状态：" in listed
    for code in ("new_energy", "equity", "7-9", "granted"):
        assert code not in re.sub(r"<[^>]+>", "", listed), code


def test_patent_and_demand_search_pages_offer_save_this_search(app, client, world, search_engine):
    login_session(app, client, world.ids["owner"])
    for slug, kind, facet, value in (("patents", "patent", "legal_status", "granted"),
                                     ("demands", "demand", "technical_field", "new_materials")):
        url = f"/search/{slug}?q=电池&{facet}={value}"
        page = client.get(url).get_data(as_text=True)
        assert 'action="/subscriptions/from-search"' in page and f'name="kind" value="{kind}"' in page, slug
        response = client.post("/subscriptions/from-search", data={
            "csrf_token": TOKEN.search(page).group(1), "kind": kind, "q": "电池", facet: value, "next": url,
            "email": "1"})
        assert response.status_code == 302 and response.headers["Location"].startswith(f"/search/{slug}?")
    with app.app_context():
        saved = db.session.execute(db.select(Subscription.search_kind, Subscription.filters)
                                   .order_by(Subscription.id)).all()
        assert [tuple(s) for s in saved] == [("patent", {"legal_status": ["granted"]}),
                                             ("demand", {"technical_field": ["new_materials"]})]
    assert "已保存订阅：有新发布的技术需求符合时会通知您" in client.get("/subscriptions").get_data(as_text=True)


def test_investor_api_client_saves_the_same_search(app, world, search_engine):
    """The same investor journey through the API with a personal access token."""
    with app.test_request_context():
        investor = f.user(f.organization("investor"))
        token = make_token(investor)
        db.session.commit()
    api = ApiClient(world.owner.client, token)
    response = api.post("/subscriptions", json={"filters": {"trl_band": ["7-9"], "technical_field": "new_energy",
                                                            "transfer_modes": "equity"}})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["filters"] == {"trl_band": ["7-9"], "technical_field": ["new_energy"],
                                              "transfer_modes": ["equity"]}
    assert api.get("/subscriptions").get_json()[0]["name"] == "筛选条件订阅"
