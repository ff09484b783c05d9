"""The broker pipeline over HTTP: the board, an opportunity's page and its buttons, the hand-entry form, the inquiry
panel, and the JSON API (/api/v1/opportunities)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import render_template

from marketplace.deals.models import Opportunity
from marketplace.deals.opportunities import open_opportunity
from marketplace.extensions import db
from marketplace.inquiries.models import Inquiry
from marketplace.workflow import SYSTEM
from tests import factories as f
from tests.api.conftest import ApiClient, assert_problem, make_token
from tests.web.helpers import login, post, text


@pytest.fixture
def people(app):
    with app.test_request_context():
        broker, other_broker, admin = f.broker(), f.broker(), f.admin()
        member = f.user(f.organization("enterprise"))
        seller = f.organization("university", name="吉林大学（商机测试）")
        mine = open_opportunity(broker, source="manual", title="正极包覆技术许可", expected_amount="120",
                                seller_org=seller)
        theirs = open_opportunity(other_broker, source="manual", title="别人的商机", expected_amount="7")
        loose = open_opportunity(SYSTEM, source="challenge", title="揭榜成功待认领")
        db.session.commit()
        return {"broker": (broker.email, broker.id), "other_broker": (other_broker.email, other_broker.id),
                "admin": (admin.email, admin.id), "member": (member.email, member.id),
                "mine": mine.id, "theirs": theirs.id, "loose": loose.id}


def column(html: str, stage: str) -> str:
    match = re.search(rf'<section class="board-column stage-{stage}".*?</section>', html, re.S)
    assert match, stage
    return match.group(0)


def count_of(html: str, stage: str) -> int:
    return int(re.search(r'data-count="(\d+)"', column(html, stage)).group(1))


def test_board_shows_my_opportunities_by_stage_with_counts_and_amounts(client, people):
    login(client, people["broker"][0])
    html = text(client.get("/opportunities"))
    for name in ("线索", "洽谈", "签约", "登记", "履约", "成交", "未成交"):
        assert name in html
    lead = column(html, "lead")
    assert "正极包覆技术许可" in lead and "别人的商机" not in lead and count_of(html, "lead") == 1
    assert 'data-amount="120.0000"' in lead
    html = text(client.get("/opportunities?scope=all"))
    assert count_of(html, "lead") == 3 and "别人的商机" in html and "待认领" in html
    html = text(client.get(f"/opportunities?broker_id={people['other_broker'][1]}"))
    assert count_of(html, "lead") == 1 and "别人的商机" in html
    html = text(client.get("/opportunities?scope=all&source=challenge"))
    assert count_of(html, "lead") == 1 and "揭榜成功待认领" in html


@pytest.mark.parametrize("url", ["/opportunities", "/opportunities/new", "/opportunities/{mine}"])
def test_non_staff_get_404(client, people, url):
    login(client, people["member"][0])
    assert client.get(url.format(mine=people["mine"])).status_code == 404


def test_stage_buttons_and_refusals_on_the_page(client, people):
    login(client, people["broker"][0])
    url = f"/opportunities/{people['mine']}"
    html = text(client.get(url))
    assert "进入洽谈" in html and "未成交结案" in html and "已签约" not in html  # no contract yet: no sign button
    response = post(client, f"{url}/sign", {"version": "1"}, token_page=url, follow_redirects=True)
    assert "签约前须先登记合同" in text(response)
    response = post(client, f"{url}/lose", {"version": "1", "reason": ""}, token_page=url, follow_redirects=True)
    assert "请填写原因" in text(response)
    response = post(client, f"{url}/negotiate", {"version": "1"}, token_page=url, follow_redirects=True)
    assert "已进入洽谈" in text(response)
    with client.application.app_context():
        assert db.session.get(Opportunity, people["mine"]).stage == "negotiation"


def test_another_broker_gets_403_and_can_take_an_unattributed_lead(client, people):
    login(client, people["other_broker"][0])
    url = f"/opportunities/{people['mine']}"
    assert post(client, f"{url}/negotiate", token_page=url).status_code == 403
    loose = f"/opportunities/{people['loose']}"
    assert "认领" in text(client.get(loose))
    response = post(client, f"{loose}/take", token_page=loose, follow_redirects=True)
    assert "已认领" in text(response)
    with client.application.app_context():
        assert db.session.get(Opportunity, people["loose"]).broker_id == people["other_broker"][1]


def test_edit_form_and_stale_version(client, people):
    login(client, people["broker"][0])
    url = f"/opportunities/{people['mine']}"
    data = {"title": "改名后的商机", "expected_amount": "150.25", "notes": "约下周面谈", "version": "1"}
    response = post(client, f"{url}/edit", data, token_page=url)
    assert response.status_code == 302
    with client.application.app_context():
        record = db.session.get(Opportunity, people["mine"])
        assert (record.title, record.expected_amount) == ("改名后的商机", Decimal("150.25"))
    response = post(client, f"{url}/edit", {**data, "title": "旧版本"}, token_page=url)
    assert response.status_code == 409 and "已被他人修改" in text(response)
    response = post(client, f"{url}/edit", {**data, "version": "2", "expected_amount": "abc"}, token_page=url)
    assert response.status_code == 422 and "请输入有效的金额" in text(response)


def test_new_opportunity_form(client, people):
    login(client, people["broker"][0])
    assert "新建商机" in text(client.get("/opportunities/new"))
    response = post(client, "/opportunities/new", {"title": ""}, token_page="/opportunities/new")
    assert response.status_code == 422 and "此项为必填项" in text(response)
    response = post(client, "/opportunities/new", {"title": "展会上认识的企业", "expected_amount": "30"},
                    token_page="/opportunities/new")
    assert response.status_code == 302
    with client.application.app_context():
        record = db.session.execute(db.select(Opportunity).filter_by(title="展会上认识的企业")).scalar_one()
        assert (record.source, record.broker_id) == ("manual", people["broker"][1])


def _inquiry(app, broker_id: int | None = None) -> int:
    with app.test_request_context():
        holder, asker = f.organization("university"), f.organization("enterprise")
        inquiry = Inquiry(subject_kind="patent", subject_id=1, subject_title="一种高镍正极材料的包覆方法",
                          asker_org_id=asker.id, holder_org_id=holder.id, cooperation_mode="licence",
                          broker_id=broker_id)
        db.session.add(inquiry)
        db.session.commit()
        return inquiry.id


def test_turning_an_inquiry_into_an_opportunity(app, client, people):
    inquiry_id = _inquiry(app, people["broker"][1])
    outsider = app.test_client()  # a broker not responsible for the thread
    login(outsider, people["other_broker"][0])
    assert post(outsider, f"/opportunities/from-inquiry/{inquiry_id}", token_page="/opportunities").status_code == 404
    login(client, people["broker"][0])
    response = post(client, f"/opportunities/from-inquiry/{inquiry_id}", token_page="/opportunities")
    assert response.status_code == 302
    again = post(client, f"/opportunities/from-inquiry/{inquiry_id}", token_page="/opportunities")
    assert again.headers["Location"] == response.headers["Location"]
    with app.test_request_context():
        record = db.session.execute(db.select(Opportunity).filter_by(inquiry_id=inquiry_id)).scalar_one()
        assert record.source == "inquiry" and record.title == "一种高镍正极材料的包覆方法"


def test_inquiry_panel_for_brokers_only(app, people):
    inquiry_id = _inquiry(app)
    from flask_login import login_user

    from marketplace.accounts.models import User

    with app.test_request_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        login_user(db.session.get(User, people["broker"][1]))
        html = render_template("opportunities/_inquiry_panel.html", inquiry=inquiry)
        assert "转为商机" in html and f"/opportunities/from-inquiry/{inquiry_id}" in html
        assert f"inquiry_id={inquiry_id}" in html
        open_opportunity(db.session.get(User, people["broker"][1]), source="inquiry", title="已转",
                         inquiry=inquiry)
        html = render_template("opportunities/_inquiry_panel.html", inquiry=inquiry)
        assert "from-inquiry" not in html and ">已转</a>" in html
        login_user(db.session.get(User, people["member"][1]))
        assert "经纪业务" not in render_template("opportunities/_inquiry_panel.html", inquiry=inquiry)
        db.session.rollback()


# -- the API ----------------------------------------------------------------------------------------------------------

@pytest.fixture
def api(app, client, people):
    from marketplace.accounts.models import User

    with app.test_request_context():
        clients = {name: ApiClient(client, make_token(db.session.get(User, people[name][1])))
                   for name in ("broker", "other_broker", "admin", "member")}
        db.session.commit()
    return clients


def test_api_list_get_create_patch_and_actions(api, people):
    listed = api["broker"].get("/opportunities").get_json()
    assert [item["id"] for item in listed["items"]] == [people["mine"]] and listed["total"] == 1
    assert api["broker"].get("/opportunities?scope=all").get_json()["total"] == 3
    assert api["broker"].get("/opportunities?scope=all&stage=lead&source=challenge").get_json()["total"] == 1
    assert_problem(api["broker"].get("/opportunities?scope=everyone"), 422, "scope")
    item = api["broker"].get(f"/opportunities/{people['mine']}")
    body = item.get_json()
    assert item.headers["ETag"] == '"1"' and body["expected_amount"] == "120.0000"
    assert body["stage"] == "lead" and "negotiate" in body["actions"] and "sign" not in body["actions"]
    created = api["broker"].post("/opportunities", json={"title": "API 建立", "expected_amount": "12.34"})
    assert created.status_code == 201 and created.get_json()["source"] == "manual"
    assert_problem(api["broker"].post("/opportunities", json={"expected_amount": "1"}), 422, "title")
    new_id = created.get_json()["id"]
    patched = api["broker"].patch(f"/opportunities/{new_id}", json={"notes": "已电话沟通"}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.get_json()["version"] == 2
    assert_problem(api["broker"].patch(f"/opportunities/{new_id}", json={"notes": "旧"}, headers={"If-Match": '"1"'}),
                   409)
    moved = api["broker"].post(f"/opportunities/{new_id}/negotiate", json={"version": 2})
    assert moved.status_code == 200 and moved.get_json()["stage"] == "negotiation"
    body = assert_problem(api["broker"].post(f"/opportunities/{new_id}/sign"), 409)
    assert "签约前须先登记合同" in body["detail"]
    assert_problem(api["broker"].post(f"/opportunities/{new_id}/lose", json={}), 422, "reason")
    lost = api["broker"].post(f"/opportunities/{new_id}/lose", json={"reason": "价格谈不拢"})
    assert lost.get_json()["stage"] == "lost" and lost.get_json()["lost_reason"] == "价格谈不拢"


def test_api_permissions(api, people):
    assert_problem(api["member"].get("/opportunities"), 404)
    assert_problem(api["member"].get(f"/opportunities/{people['mine']}"), 404)
    assert_problem(api["member"].post("/opportunities", json={"title": "x"}), 404)
    assert_problem(api["other_broker"].post(f"/opportunities/{people['mine']}/negotiate"), 403)
    assert_problem(api["broker"].patch(f"/opportunities/{people['mine']}", json={"broker_id": people["other_broker"][1]}),
                   403)
    moved = api["admin"].patch(f"/opportunities/{people['mine']}", json={"broker_id": people["other_broker"][1]})
    assert moved.status_code == 200 and moved.get_json()["broker_id"] == people["other_broker"][1]
    taken = api["broker"].post(f"/opportunities/{people['loose']}/take")
    assert taken.status_code == 200 and taken.get_json()["broker_id"] == people["broker"][1]


def test_a_signed_opportunity_shows_its_contract_and_the_intermediary_link(app, client, people):
    from marketplace.accounts.models import User
    from marketplace.deals.services import record_deal
    from tests.deals.test_contract_input import contract

    with app.test_request_context():
        broker = db.session.get(User, people["broker"][1])
        deal = record_deal(broker, contract())
        record = open_opportunity(broker, source="manual", title="已签约的商机", deal=deal)
        db.session.commit()
        record_id, deal_id = record.id, deal.id
    login(client, people["broker"][0])
    html = text(client.get(f"/opportunities/{record_id}"))
    assert "一种锂电池正极材料专利实施许可合同" in html and "待登记" in html
    assert "进入履约" in html and "已登记" not in html.split('id="stage-head"')[1]  # 登记 waits for registration
    assert f"underlying_id={deal_id}" in html and "登记技术中介合同" in html
