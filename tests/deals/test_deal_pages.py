"""技术合同 pages: who sees what (parties, staff; 404 for others, login for anonymous), the staff's form (pre-filled,
errors next to their fields with 422, two brokers saving the same version: one saved, the other 409 with the form
kept), registration actions, payments and the public 成交公示."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from marketplace.accounts.models import User
from marketplace.deals.models import Deal
from marketplace.extensions import db
from marketplace.inquiries import services as inquiries
from tests import factories as f
from tests.api.conftest import _cheap_password_hashing  # noqa: F401
from tests.deals.deal_world import world  # noqa: F401
from tests.web.helpers import csrf_from, login, post, text

NUMBER = "2025220100000777"


def signed_in(app, world, name):  # noqa: F811
    client = app.test_client()
    login(client, world.emails[name])
    return client


class FormReader(HTMLParser):
    """The fields of the page's record form as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "record-form" in (attrs.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.add(attrs["name"], attrs.get("value", "on"))
            else:
                self.add(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self.select = attrs.get("name")
            self.fields.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields[self.select] = [attrs.get("value") or ""]
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.add(self.textarea, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea][-1] += data


def edit_form(client, deal_id: int) -> dict:
    """The edit form's fields as the browser would post them (one value, or a list for the party flags)."""
    reader = FormReader()
    reader.feed(text(client.get(f"/deals/{deal_id}/edit")))
    return {name: values if name.endswith("flags") else (values[0] if values else "")
            for name, values in reader.fields.items()}


def test_visibility(app, client, world):  # noqa: F811
    deal_id = world.ids["deal"]
    assert client.get(f"/deals/{deal_id}").status_code == 302  # anonymous: to the login page
    assert "/login" in client.get("/deals").headers["Location"]
    for name in ("seller", "buyer", "broker2", "admin"):
        page = signed_in(app, world, name).get(f"/deals/{deal_id}")
        assert page.status_code == 200, name
        assert "高镍正极材料包覆专利实施许可合同" in text(page) and "吉林合同大学" in text(page)
    third = signed_in(app, world, "third")
    assert third.get(f"/deals/{deal_id}").status_code == 404
    assert "高镍正极材料" not in text(third.get("/deals"))
    assert "高镍正极材料" in text(signed_in(app, world, "buyer").get("/deals"))
    seller = signed_in(app, world, "seller")
    assert seller.get(f"/deals/{deal_id}/edit").status_code == 403  # a party sees but does not edit
    assert seller.get("/deals/new").status_code == 403
    assert post(seller, f"/deals/{deal_id}/edit", {"name": "卖方改名"}).status_code == 403


def test_list_filters(app, world):  # noqa: F811
    broker = signed_in(app, world, "broker")
    assert "高镍正极材料" in text(broker.get("/deals?contract_type=licence&year=2025&party=合同大学"))
    assert "高镍正极材料" not in text(broker.get("/deals?contract_type=transfer"))
    assert "高镍正极材料" not in text(broker.get("/deals?year=2024"))
    assert "高镍正极材料" not in text(broker.get("/deals?party=无关"))
    assert "高镍正极材料" in text(broker.get("/deals?registration_status=pending&technical_field=bogus"))


def test_new_form_prefilled_from_an_inquiry_and_created(app, world):  # noqa: F811
    with app.test_request_context():
        seller, buyer, broker = (db.session.get(User, world.ids[name]) for name in ("seller", "buyer", "broker"))
        achievement = f.achievement(seller, publish_by=broker, technical_field="new_energy")
        inquiry = inquiries.send_inquiry(buyer, {"subject_kind": "achievement", "subject_id": achievement.id,
                                                 "message": "希望转让", "cooperation_mode": "assignment"})
        db.session.commit()
        inquiry_id, achievement_id = inquiry.id, achievement.id
    client = signed_in(app, world, "broker")
    page = text(client.get(f"/deals/new?inquiry_id={inquiry_id}"))
    assert 'name="seller-name" type="text" value="吉林合同大学"' in page
    assert 'name="buyer-name" type="text" value="长春合同材料有限公司"' in page
    assert '<option value="transfer.know_how" selected>' in page
    assert f'name="inquiry_id" value="{inquiry_id}"' in page and f'name="achievement_ids" value="{achievement_id}"' in page
    assert '<optgroup label="技术许可">' in page
    data = {"name": "正极材料技术秘密转让合同", "kind": "transfer.know_how", "total_amount": "88.1234",
            "technical_amount": "80", "payment_method": "lump_sum", "signed_on": "2025-05-06",
            "technical_field": "new_energy", "plan_source": "none", "ip_type": "know_how",
            "inquiry_id": str(inquiry_id), "achievement_ids": str(achievement_id)}
    for role in ("seller", "buyer"):
        for name in ("name", "credit_code", "nature", "country", "region", "org_id"):
            match = re.search(rf'name="{role}-{name}"[^>]*value="([^"]*)"', page) or \
                re.search(rf'name="{role}-{name}".*?<option value="([^"]*)" selected', page, re.S)
            data[f"{role}-{name}"] = match.group(1)
    response = post(client, "/deals/new", data, token_page="/deals/new")
    assert response.status_code == 302, text(response)[:2000]
    with app.test_request_context():
        deal = db.session.execute(db.select(Deal).where(Deal.name == "正极材料技术秘密转让合同")).scalar_one()
        assert str(deal.total_amount) == "88.1234" and deal.inquiry_id == inquiry_id
        assert [a.id for a in deal.achievements] == [achievement_id] and deal.seller.org_id == world.ids["university"]


@pytest.mark.parametrize("changes, field, message", [
    ({"technical_amount": "999"}, "technical_amount", "技术交易额不能超过合同成交额"),
    ({"seller-credit_code": "91220000MA00000011"}, "seller-credit_code", "统一社会信用代码无效"),
    ({"buyer-region": "990000"}, "buyer-region", "行政区划代码无效"),
    ({"valid_from": "2025-05-01", "valid_to": "2025-01-01"}, "valid_to", "结束日期不能早于开始日期"),
    ({"kind": ""}, "kind", "此项为必填项"),
    ({"payment_method": "equity"}, "payment_method", "作价入股"),
    ({"total_amount": "abc"}, "total_amount", "请输入有效的金额"),
])
def test_each_rule_shows_next_to_its_field(app, world, changes, field, message):  # noqa: F811
    client = signed_in(app, world, "broker")
    data = edit_form(client, world.ids["deal"])
    data.update(changes)
    response = post(client, f"/deals/{world.ids['deal']}/edit", data, token_page=f"/deals/{world.ids['deal']}/edit")
    assert response.status_code == 422
    html = text(response)
    block = re.search(rf'<div class="field-error" id="{re.escape(field)}-error">(.*?)</div>', html, re.S)
    assert block and message in block.group(1), html[html.find("field-error") - 300:][:800]
    assert 'value="' + changes.get(field, "x") + '"' in html or field in ("kind", "payment_method")


def test_two_brokers_saving_the_same_version(app, world):  # noqa: F811
    first, second = signed_in(app, world, "broker"), signed_in(app, world, "broker2")
    deal_id = world.ids["deal"]
    form_one, form_two = edit_form(first, deal_id), edit_form(second, deal_id)
    assert form_one["version"] == form_two["version"] == "1"
    token_one, token_two = csrf_from(first, f"/deals/{deal_id}"), csrf_from(second, f"/deals/{deal_id}")
    saved = first.post(f"/deals/{deal_id}/edit", data={**form_one, "name": "第一位经纪人的名称",
                                                        "csrf_token": token_one})
    assert saved.status_code == 302
    refused = second.post(f"/deals/{deal_id}/edit", data={**form_two, "name": "第二位经纪人的名称",
                                                           "csrf_token": token_two})
    assert refused.status_code == 409
    html = text(refused)
    assert "已被他人修改" in html and "当前版本 2，您编辑的是版本 1" in html
    assert 'value="第二位经纪人的名称"' in html  # what the second broker typed is still on the form
    with app.test_request_context():
        deal = db.session.get(Deal, deal_id)
        assert (deal.name, deal.version) == ("第一位经纪人的名称", 2)


def test_register_refuse_and_payments_on_the_page(app, world):  # noqa: F811
    deal_id = world.ids["deal"]
    broker = signed_in(app, world, "broker")
    show = f"/deals/{deal_id}"
    response = post(broker, f"{show}/actions/register", {"registration_number": "12", "registered_on": "2025-03-10"},
                    token_page=show)
    assert response.status_code == 422
    assert re.search(r'id="register-registration_number-error">\s*<p>合同登记编号应为 16 位数字', text(response))
    response = post(broker, f"{show}/actions/refuse", {"reason": ""}, token_page=show)
    assert response.status_code == 422 and 'id="refuse-reason-error"' in text(response)
    assert post(broker, f"{show}/actions/refuse", {"reason": "价款约定不明确"}, token_page=show).status_code == 302
    page = text(broker.get(show))
    assert "不予登记" in page and "价款约定不明确" in page and f"{show}/actions/resubmit" in page
    assert post(broker, f"{show}/actions/resubmit", token_page=show).status_code == 302
    assert post(broker, f"{show}/actions/register", {"registration_number": NUMBER, "registered_on": "2025-03-10"},
                token_page=show).status_code == 302
    page = text(broker.get(show))
    assert NUMBER in page and "已登记的合同不能再修改" in page and f"{show}/edit" not in page
    assert broker.get(f"{show}/edit").status_code == 409
    seller = signed_in(app, world, "seller")
    assert post(seller, f"{show}/payments", {"received_on": "2025-04-01", "amount": "30.5"},
                token_page=show).status_code == 302
    assert post(broker, f"{show}/payments", {"received_on": "2025-06-01", "amount": "10.0001"},
                token_page=show).status_code == 302
    response = post(broker, f"{show}/payments", {"received_on": "2099-01-01", "amount": "1"}, token_page=show)
    assert response.status_code == 422 and "到账日期不能晚于今天" in text(response)
    page = text(broker.get(show))
    assert re.search(r'id="received-total">40\.5001 万元', page)
    buyer = signed_in(app, world, "buyer")
    assert post(buyer, f"{show}/payments", {"received_on": "2025-04-01", "amount": "1"},
                token_page=show).status_code == 403
    assert post(broker, f"{show}/rewards", {"form": "equity", "amount": "5", "persons": "2"},
                token_page=show).status_code == 302
    assert "操作记录" in page and "登记到账" in page and "录入合同" in page


def test_consent_and_the_public_page(app, client, world):  # noqa: F811
    deal_id = world.ids["deal"]
    show = f"/deals/{deal_id}"
    seller, buyer = signed_in(app, world, "seller"), signed_in(app, world, "buyer")
    assert "同意成交公示" in text(seller.get(show))
    assert post(seller, f"{show}/actions/consent", {"consent": "1"}, token_page=show).status_code == 302
    assert "高镍正极材料" not in text(client.get("/deals/public"))  # only one side agreed
    assert post(buyer, f"{show}/actions/consent", {"consent": "1"}, token_page=show).status_code == 302
    public = text(client.get("/deals/public"))
    assert "高镍正极材料包覆专利实施许可合同" in public and "2025-03" in public and "100–500 万元" in public
    assert "吉林合同大学" in public and "长春合同材料有限公司" in public
    assert "120.5" not in public and "2025-03-02" not in public  # no exact amount or date
    with app.test_request_context():
        codes = [party.credit_code for party in db.session.get(Deal, deal_id).parties]
    assert not any(code in public for code in codes)
    assert "撤回同意" in text(buyer.get(show))
    assert post(buyer, f"{show}/actions/consent", {"consent": "0"}, token_page=show).status_code == 302
    assert "高镍正极材料" not in text(client.get("/deals/public"))
    assert post(signed_in(app, world, "third"), f"{show}/actions/consent", token_page="/").status_code == 404
