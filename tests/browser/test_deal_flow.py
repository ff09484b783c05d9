"""From a company's question to a contract ready for registration, in Chromium: a company asks about a published
achievement → the university replies → the broker records the contract from the thread → the registration form is
downloaded as XLSX and carries the contract's fields."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from marketplace.deals.identifiers import credit_code_check_character
from marketplace.extensions import db
from tests import factories as f
from tests.browser.test_publish_flow import sign_in

TITLE = "寒区沥青路面自愈合改性材料"


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


@pytest.fixture(scope="module")
def people(live_server):
    """A company and a university achievement published by the live server's broker."""
    with live_server.app.app_context():
        from marketplace.accounts.models import User

        owner = db.session.execute(db.select(User).filter_by(email=live_server.accounts.owner)).scalar_one()
        broker = db.session.execute(db.select(User).filter_by(email=live_server.accounts.broker)).scalar_one()
        owner.organization.credit_code = credit_code("12220100MB0000001")
        company = f.organization("enterprise", region="220000", name="长春示范路桥建设有限公司")
        company.credit_code = credit_code("91220100MA0000002")
        asker = f.user(company, email="asker@deal.test")
        record = f.achievement(owner, publish_by=broker, title=TITLE, technical_field="civil")
        db.session.commit()
        return {"asker": asker.email, "achievement_id": record.id}


def test_inquiry_reply_contract_and_registration_export(live_server, page_for, people):
    base, password = live_server.url, live_server.accounts.password

    asker = page_for()
    sign_in(asker, base, people["asker"], password)
    asker.goto(f"{base}/achievements/{people['achievement_id']}")
    asker.locator("a", has_text="发起洽谈").click()
    asker.fill("#f-message", "我司承建寒区高速公路养护项目，希望以许可方式引进该材料技术，并开展试验段合作。")
    asker.select_option("#f-cooperation_mode", "licence")
    asker.fill("#f-budget", "80")
    asker.locator("button[type=submit]", has_text="发送").click()
    expect(asker.locator("body")).to_contain_text("待回复")
    thread_url = asker.url

    owner = page_for()
    sign_in(owner, base, live_server.accounts.owner, password)
    owner.goto(thread_url)
    owner.fill("#f-body", "感谢关注。可提供普通许可，许可费 60 万元，含技术培训与试验段指导。")
    owner.locator("button[type=submit]", has_text="发送").click()
    expect(owner.locator("body")).to_contain_text("洽谈中")

    broker = page_for()
    sign_in(broker, base, live_server.accounts.broker, password)
    broker.goto(thread_url)
    expect(broker.locator("body")).to_contain_text("许可费 60 万元")
    broker.locator(".broker-panel a", has_text="登记合同").click()
    expect(broker.locator("input[name='seller-name']")).to_have_value("长春理工示范大学")
    expect(broker.locator("input[name='buyer-name']")).to_have_value("长春示范路桥建设有限公司")
    broker.fill("#f-name", "寒区沥青路面自愈合改性材料技术许可合同")
    broker.select_option("#f-kind", "licence.know_how")
    broker.fill("#f-total_amount", "60")
    broker.fill("#f-technical_amount", "54.5")
    broker.select_option("#f-payment_method", "instalments")
    broker.fill("#f-signed_on", "2026-11-20")
    broker.select_option("#f-technical_field", "urban")
    broker.locator("button[type=submit]", has_text="保存").click()
    expect(broker.locator("h1")).to_contain_text("寒区沥青路面自愈合改性材料技术许可合同")
    expect(broker.locator("body")).to_contain_text("待登记")

    with broker.expect_download() as download:
        broker.locator("a", has_text="导出登记表").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    cells = dict(zip(rows[0], rows[1]))
    text = " ".join(str(value) for value in rows[1] if value is not None)
    assert "寒区沥青路面自愈合改性材料技术许可合同" in text
    assert "长春理工示范大学" in text and "长春示范路桥建设有限公司" in text
    assert credit_code("91220100MA0000002") in text
    assert 60 in rows[1] and 54.5 in rows[1]
    assert any("技术秘密使用许可" in str(value) for value in cells.values())
