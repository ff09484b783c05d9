"""Taking an open licence (专利开放许可) in one step: the licence, its 技术许可 contract, the pipeline opportunity,
the patentee's notification and the audit trail; each refusal with its message; who sees a licence; ending one.
Through the services, the pages (signed in through the real login form) and the JSON API."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace.accounts.models import Organization
from marketplace.alerts.models import Notification
from marketplace.audit.models import AuditEvent
from marketplace.deals import licensing
from marketplace.deals.models import Deal, Opportunity, PatentLicence
from marketplace.errors import Conflict, NotFound, PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from marketplace.patents import services as patents
from marketplace.patents.models import Patent
from tests import factories as f
from tests.api.conftest import ApiClient, _cheap_password_hashing, assert_problem, make_token  # noqa: F401
from tests.deals.licence_helpers import credit_code, licence_world
from tests.web.helpers import login, post, text

CONFIRM = {"confirm": True}


def events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars())


def refusal(error_type, call, *args) -> str:
    with pytest.raises(error_type) as caught:
        call(*args)
    db.session.rollback()
    return caught.value.message if not caught.value.errors else str(caught.value.errors)


# -- the one step ---------------------------------------------------------------------------------------------------

def test_take_creates_licence_contract_opportunity_notification_and_audit(ctx):
    w = licence_world()
    licence = licensing.take_licence(w.licensee, w.patent, CONFIRM)
    db.session.commit()
    today = date.today()
    assert (licence.scope, licence.via_open_licence, licence.status) == ("ordinary", True, "active")
    assert licence.licensee_org_id == w.licensee.org_id and licence.licensee_id == w.licensee.id
    assert licence.fee_terms == w.patent.open_licence.fee_terms and licence.annual_fee == Decimal("5")
    assert (licence.starts_on, licence.term_years) == (today, 3)
    assert licence.ends_on == licensing.add_years(today, 3) - timedelta(days=1)
    assert licence.terms_confirmed_at is not None

    deal = db.session.get(Deal, licence.deal_id)
    assert (deal.contract_type, deal.contract_subtype, deal.ip_type) == ("licence", "patent_ordinary", "patent")
    assert deal.technical_field == "new_energy"  # IPC H01M (batteries)
    assert deal.total_amount == deal.technical_amount == Decimal("15")  # 5 万元/年 × 3 年
    assert deal.payment_method == "instalments" and deal.signed_on == today
    assert (deal.valid_from, deal.valid_to) == (licence.starts_on, licence.ends_on)
    assert deal.seller.org_id == w.patentee.org_id and deal.buyer.org_id == w.licensee.org_id
    assert deal.seller.nature == "022" and deal.buyer.nature == "150"  # 高等院校, 有限责任公司
    assert deal.seller.credit_code == w.patentee.organization.credit_code
    assert [p.id for p in deal.patents] == [w.patent.id] and deal.registration_status == "pending"

    opportunity = db.session.execute(db.select(Opportunity).where(Opportunity.deal_id == deal.id)).scalar_one()
    assert (opportunity.source, opportunity.stage) == ("licence", "signed")
    assert (opportunity.seller_org_id, opportunity.buyer_org_id) == (w.patentee.org_id, w.licensee.org_id)

    notes = list(db.session.execute(db.select(Notification).where(  # not the patent's publication (review outcome)
        Notification.user_id == w.patentee.id, Notification.category != "review")).scalars())
    assert len(notes) == 1 and "已依开放许可取得" in notes[0].title and notes[0].link == f"/licences/{licence.id}"
    assert notes[0].email_state is not None  # queued for e-mail too
    taken = events("patent_licence.take")
    assert len(taken) == 1 and taken[0].actor_id == w.licensee.id and taken[0].target_id == licence.id
    assert len(events("deal.create")) == 1 and len(events("opportunity.create")) == 1


def test_a_linked_achievements_field_wins_and_the_achievement_is_linked(ctx):
    w = licence_world()
    achievement = f.achievement(w.patentee, publish_by=w.broker, technical_field="medical_devices",
                                patent_ids=[w.patent.id])
    draft = f.achievement(w.patentee, title="尚未发布的成果", patent_ids=[w.patent.id])
    db.session.commit()
    deal = licensing.take_licence(w.licensee, w.patent, CONFIRM).deal
    assert deal.technical_field == "biomedicine"
    assert [a.id for a in deal.achievements] == [achievement.id] and draft.id not in [a.id for a in deal.achievements]


@pytest.mark.parametrize("code, field", [
    ("A61K 31/00", "biomedicine"), ("A01B 1/00", "agriculture"), ("A23L 2/00", "agriculture"),
    ("B23K 26/00", "manufacturing"), ("B64C 1/00", "aerospace"), ("B60L 58/00", "transport"),
    ("C08L 1/00", "new_materials"), ("C12N 15/00", "biomedicine"), ("C02F 1/00", "environment"),
    ("D01F 9/12", "new_materials"), ("E04B 1/00", "urban"), ("F03D 1/00", "new_energy"),
    ("F16H 1/00", "manufacturing"), ("G06F 16/00", "electronics"), ("G21C 3/00", "nuclear"),
    ("H04L 9/00", "electronics"), ("h01m4/36", "new_energy"), ("", None), ("Z99", None)])
def test_ipc_codes_map_to_the_national_fields(code, field):
    assert licensing.ipc_contract_field(code) == field


def test_without_an_annual_fee_the_contract_is_a_royalty_of_zero(ctx):
    w = licence_world()
    patents.declare_open_licence(w.patentee, w.patent, {"fee_terms": "销售额 3% 提成", "annual_fee": None,
                                                        "term_years": 2, "scope": "全国"})
    db.session.commit()
    licence = licensing.take_licence(w.licensee, w.patent, {"confirm": "yes", "term_years": "1"})
    assert licence.annual_fee is None and licence.term_years == 1
    assert (licence.deal.total_amount, licence.deal.payment_method) == (Decimal("0"), "royalty")


def test_a_one_year_licence_with_an_annual_fee_is_a_lump_sum(ctx):
    w = licence_world()
    deal = licensing.take_licence(w.licensee, w.patent, {"confirm": True, "term_years": 1}).deal
    assert (deal.total_amount, deal.payment_method) == (Decimal("5"), "lump_sum")


def test_the_licensee_gives_its_missing_credit_code_once(ctx):
    w = licence_world(licensee_code=False)
    assert licensing.take_offer(w.licensee, w.patent)["needs_credit_code"] is True
    errors = refusal(ValidationFailed, licensing.take_licence, w.licensee, w.patent, CONFIRM)
    assert "credit_code" in errors and "统一社会信用代码" in errors
    bad = refusal(ValidationFailed, licensing.take_licence, w.licensee, w.patent,
                  {**CONFIRM, "credit_code": "91220100MA00000019"})
    assert "校验码" in bad
    taken = refusal(ValidationFailed, licensing.take_licence, w.licensee, w.patent,
                    {**CONFIRM, "credit_code": w.patentee.organization.credit_code})
    assert "已被其他机构使用" in taken
    code = credit_code("220100")
    licence = licensing.take_licence(w.licensee, w.patent, {**CONFIRM, "credit_code": code.lower()})
    db.session.commit()
    assert db.session.get(Organization, w.licensee.org_id).credit_code == code
    assert licence.deal.buyer.credit_code == code and len(events("organization.credit_code")) == 1


def test_a_patentee_without_a_credit_code_must_complete_its_profile(ctx):
    w = licence_world(patentee_code=False)
    message = refusal(StateConflict, licensing.take_licence, w.licensee, w.patent, CONFIRM)
    assert "专利权人" in message and "统一社会信用代码" in message and "完善机构资料" in message
    licensing.complete_credit_code(w.patentee, w.patent.organization, credit_code("220000"))
    db.session.commit()
    assert licensing.take_licence(w.licensee, w.patent, CONFIRM).deal.seller.credit_code


# -- refusals ---------------------------------------------------------------------------------------------------------

def test_no_open_licence_own_patent_and_no_organisation_are_refused(ctx):
    w = licence_world()
    assert "本机构专利" in refusal(PermissionDenied, licensing.take_licence, w.patentee, w.patent, CONFIRM)
    loner = f.user(None)
    db.session.commit()
    assert "加入一个机构" in refusal(PermissionDenied, licensing.take_licence, loner, w.patent, CONFIRM)
    patents.withdraw_open_licence(w.patentee, w.patent)
    db.session.commit()
    assert "没有生效中的开放许可" in refusal(StateConflict, licensing.take_licence, w.licensee, w.patent, CONFIRM)
    undeclared = licence_world(declare=False)
    assert "没有生效中的开放许可" in refusal(StateConflict, licensing.take_licence, undeclared.licensee,
                                            undeclared.patent, CONFIRM)


def test_an_unpublished_patent_is_not_found(ctx):
    w = licence_world()
    draft = f.patent(w.patentee)
    db.session.commit()
    with pytest.raises(NotFound):
        licensing.take_licence(w.licensee, draft, CONFIRM)


def test_term_rules(ctx):
    w = licence_world()
    assert "3 年" in refusal(ValidationFailed, licensing.take_licence, w.licensee, w.patent,
                            {**CONFIRM, "term_years": 4})
    assert "早于今天" in refusal(ValidationFailed, licensing.take_licence, w.licensee, w.patent,
                             {**CONFIRM, "starts_on": (date.today() - timedelta(days=1)).isoformat()})
    assert "term_years" in refusal(ValidationFailed, licensing.take_licence, w.licensee, w.patent,
                                   {**CONFIRM, "term_years": 0})
    short = licence_world(expiry_date=(date.today() + timedelta(days=800)).isoformat())  # about 2.2 years left
    assert licensing.take_offer(short.licensee, short.patent)["term_years"] == 2
    message = refusal(ValidationFailed, licensing.take_licence, short.licensee, short.patent,
                      {**CONFIRM, "term_years": 3})
    assert "专利到期日" in message and "最多 2 年" in message
    licence = licensing.take_licence(short.licensee, short.patent, CONFIRM)
    assert licence.term_years == 2 and licence.ends_on <= short.patent.expiry_date


def test_less_than_a_year_of_protection_left_is_refused(ctx):
    w = licence_world(expiry_date=(date.today() + timedelta(days=200)).isoformat())
    assert "不足 1 年" in refusal(ValidationFailed, licensing.take_licence, w.licensee, w.patent, CONFIRM)


def test_unconfirmed_is_refused_and_nothing_is_created(ctx):
    w = licence_world()
    for data in ({}, {"confirm": False}, {"confirm": "no"}):
        assert "第五十一条" in refusal(ValidationFailed, licensing.take_licence, w.licensee, w.patent, data)
    assert db.session.execute(db.select(PatentLicence)).first() is None
    assert db.session.execute(db.select(Deal)).first() is None


def test_changed_terms_must_be_confirmed_again(ctx):
    w = licence_world()
    seen = licensing.take_offer(w.licensee, w.patent)["terms"]
    patents.declare_open_licence(w.patentee, w.patent, {"fee_terms": "入门费 8 万元", "annual_fee": "8",
                                                        "term_years": 3, "scope": "全国"})
    db.session.commit()
    assert "重新阅读" in refusal(Conflict, licensing.take_licence, w.licensee, w.patent, {**CONFIRM, "terms": seen})


def test_a_second_take_while_the_licence_is_in_force_points_to_it(ctx):
    w = licence_world()
    first = licensing.take_licence(w.licensee, w.patent, CONFIRM)
    db.session.commit()
    message = refusal(Conflict, licensing.take_licence, w.licensee, w.patent, CONFIRM)
    assert f"/licences/{first.id}" in message and "无需重复办理" in message
    colleague = f.user(w.licensee.organization)
    db.session.commit()
    assert f"许可编号 {first.id}" in refusal(Conflict, licensing.take_licence, colleague, w.patent, CONFIRM)
    licensing.end_licence(w.patentee, first)
    db.session.commit()
    assert licensing.take_licence(w.licensee, w.patent, CONFIRM).id != first.id  # ended: may take again


def test_an_obstacle_arising_after_the_declaration_suspends_taking(ctx):
    w = licence_world()
    patents.set_licence_obstacles(w.patentee, w.patent, {"annual_fees_overdue": True})
    db.session.commit()
    message = refusal(StateConflict, licensing.take_licence, w.licensee, w.patent, CONFIRM)
    assert "年费欠缴" in message


# -- seeing and ending ------------------------------------------------------------------------------------------------

def test_licensee_patentee_and_staff_see_a_licence_others_get_404(ctx):
    w = licence_world()
    licence = licensing.take_licence(w.licensee, w.patent, CONFIRM)
    db.session.commit()
    for user in (w.licensee, w.patentee, w.broker):
        assert licensing.get_licence(user, licence.id) is licence
    with pytest.raises(NotFound):
        licensing.get_licence(w.stranger, licence.id)
    visible = lambda user: list(db.session.execute(licensing.visible_licences(user)).scalars())  # noqa: E731
    assert visible(w.licensee) == visible(w.patentee) == visible(w.broker) == [licence]
    assert visible(w.stranger) == []


def test_the_patentee_ends_a_licence_and_the_licensee_is_told(ctx):
    w = licence_world()
    licence = licensing.take_licence(w.licensee, w.patent, CONFIRM)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        licensing.end_licence(w.licensee, licence)
    db.session.rollback()
    licensing.end_licence(w.patentee, licence)
    db.session.commit()
    assert licence.status == "ended" and licence.ended_at is not None
    titles = [n.title for n in db.session.execute(db.select(Notification).where(
        Notification.user_id == w.licensee.id)).scalars()]
    assert any("已终止" in title for title in titles)
    assert len(events("patent_licence.end")) == 1
    with pytest.raises(StateConflict):
        licensing.end_licence(w.patentee, licence)


# -- pages ------------------------------------------------------------------------------------------------------------

@pytest.fixture
def page_world(app):
    with app.app_context():
        w = licence_world()
        return {"patent": w.patent.id, "patentee": w.patentee.email, "licensee": w.licensee.email,
                "stranger": w.stranger.email, "licensee_id": w.licensee.id}


def test_anonymous_visitors_are_sent_to_the_login(client, page_world):
    page = client.get(f"/patents/{page_world['patent']}")
    assert "取得许可" in text(page)
    response = client.get(f"/patents/{page_world['patent']}/take-licence")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/licences").status_code == 302


def test_take_through_the_confirmation_page(app, client, page_world):
    patent_id = page_world["patent"]
    login(client, page_world["licensee"])
    page = client.get(f"/patents/{patent_id}/take-licence")
    html = text(page)
    assert page.status_code == 200 and "入门费 5 万元" in html and "第五十一条" in html
    assert date.today().isoformat() in html and "最长 3 年" in html
    url = f"/patents/{patent_id}/take-licence"
    refused = post(client, url, {"starts_on": date.today().isoformat(), "term_years": "3"}, token_page=url)
    assert refused.status_code == 422 and "书面通知" in text(refused)
    too_long = post(client, url, {"starts_on": date.today().isoformat(), "term_years": "5", "confirm": "yes"},
                    token_page=url)
    assert too_long.status_code == 422 and "不能超过开放许可声明的 3 年" in text(too_long)
    taken = post(client, url, {"starts_on": date.today().isoformat(), "term_years": "2", "confirm": "yes"},
                 token_page=url)
    assert taken.status_code == 302 and "/licences/" in taken.headers["Location"]
    licence_url = taken.headers["Location"]
    shown = text(client.get(licence_url))
    assert "一种高镍正极材料的包覆方法" in shown and "依开放许可取得" in shown and "终止许可" not in shown
    assert "一种高镍正极材料的包覆方法" in text(client.get("/licences"))
    assert "本机构已取得许可" in text(client.get(f"/patents/{patent_id}"))
    again = client.get(url)
    assert again.status_code == 302  # already licensed: back to the patent with the message
    assert "无需重复办理" in text(client.get(again.headers["Location"]))
    stranger = app.test_client()
    login(stranger, page_world["stranger"])
    assert stranger.get(licence_url).status_code == 404
    patentee = app.test_client()
    login(patentee, page_world["patentee"])
    assert "终止许可" in text(patentee.get(licence_url))
    ended = post(patentee, licence_url + "/end", token_page=licence_url)
    assert ended.status_code == 302 and "已终止" in text(patentee.get(licence_url))


def test_the_patentee_sees_no_take_button_on_its_own_patent(client, page_world):
    login(client, page_world["patentee"])
    html = text(client.get(f"/patents/{page_world['patent']}"))
    assert "take-licence" not in html and "修改开放许可条件" in html


# -- API --------------------------------------------------------------------------------------------------------------

@pytest.fixture
def api_world(app, client):
    with app.test_request_context():
        w = licence_world()
        clients = {name: ApiClient(client, make_token(user)) for name, user in
                   (("patentee", w.patentee), ("licensee", w.licensee), ("stranger", w.stranger),
                    ("broker", w.broker))}
        db.session.commit()
        return {"patent": w.patent.id, **clients, "anon": ApiClient(client)}


def test_api_take_list_read_and_refusals(app, api_world):
    path = f"/patents/{api_world['patent']}/licences"
    assert_problem(api_world["anon"].post(path, json=CONFIRM), 401)
    assert_problem(api_world["licensee"].post(path, json={}), 422, "confirm")
    assert_problem(api_world["licensee"].post(path, json={**CONFIRM, "term_years": 9}), 422, "term_years")
    assert_problem(api_world["licensee"].post(path, json={**CONFIRM, "starts_on": "2001-01-01"}), 422, "starts_on")
    assert_problem(api_world["patentee"].post(path, json=CONFIRM), 403)
    assert_problem(api_world["licensee"].post("/patents/999999/licences", json=CONFIRM), 404)
    created = api_world["licensee"].post(path, json={**CONFIRM, "term_years": 2})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["scope"] == "ordinary" and body["via_open_licence"] is True and body["term_years"] == 2
    assert body["annual_fee"] == "5.0000" and body["deal_id"] and body["status"] == "active"
    assert created.headers["Location"].endswith(f"/api/v1/licences/{body['id']}")
    duplicate = assert_problem(api_world["licensee"].post(path, json=CONFIRM), 409)
    assert f"/licences/{body['id']}" in duplicate["detail"]
    listed = api_world["licensee"].get("/licences").get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["total"] == 1
    assert api_world["stranger"].get("/licences").get_json()["total"] == 0
    assert api_world["broker"].get("/licences").get_json()["total"] == 1
    assert_problem(api_world["stranger"].get(f"/licences/{body['id']}"), 404)
    assert_problem(api_world["anon"].get(f"/licences/{body['id']}"), 404)
    assert api_world["patentee"].get(f"/licences/{body['id']}").get_json()["actions"] == ["end"]
    assert api_world["licensee"].get(f"/licences/{body['id']}").get_json()["actions"] == []
    assert_problem(api_world["licensee"].post(f"/licences/{body['id']}/end"), 403)
    ended = api_world["patentee"].post(f"/licences/{body['id']}/end")
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"
    with app.test_request_context():
        patent = db.session.get(Patent, api_world["patent"])
        patents.withdraw_open_licence(patent.owner, patent)
        db.session.commit()
    assert_problem(api_world["licensee"].post(path, json=CONFIRM), 409)


def test_openapi_documents_the_licence_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/patents/{patent_id}/licences"]
    assert {"get"} <= set(spec["paths"]["/api/v1/licences"]) and "get" in spec["paths"]["/api/v1/licences/{licence_id}"]
    responses = spec["paths"]["/api/v1/patents/{patent_id}/licences"]["post"]["responses"]
    assert {"201", "403", "404", "409", "422"} <= set(responses)
