"""End to end in Chromium: an owner creates and submits an achievement, a broker publishes it, a visitor finds it."""
from __future__ import annotations

from playwright.sync_api import expect

TITLE = "一种用于玉米秸秆的低温快速腐熟菌剂"


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("欢迎回来")


def fill_achievement(page, title: str, summary: str, keywords: str, field: str, trl: str, industry: str) -> None:
    """Fill the new-achievement form's required fields (licence as the transfer mode)."""
    page.fill("#f-title", title)
    page.fill("#f-summary", summary)
    page.fill("#f-keywords", keywords)
    page.select_option("#f-technical_field", field)
    page.select_option("#f-trl", trl)
    page.check(f"input[name=industries][value={industry}]")
    page.check("input[name=transfer_modes][value=licence]")


def test_create_submit_publish_and_find(live_server, page_for):
    base, accounts = live_server.url, live_server.accounts

    owner = page_for()
    sign_in(owner, base, accounts.owner, accounts.password)
    owner.goto(base + "/achievements/new")
    owner.locator("button[type=submit]", has_text="保存").click()  # empty form: errors next to the fields
    expect(owner.locator("#title-error")).to_contain_text("此项为必填项")
    fill_achievement(owner, TITLE, "复合菌剂在10℃以下仍可启动发酵，秸秆腐熟周期由60天缩短到25天，适合东北寒地还田。",
                     "秸秆还田、腐熟菌剂，寒地农业", "agriculture", "7", "agriculture")
    owner.uncheck("input[data-negotiable]")
    owner.fill("#f-price_amount", "80")
    owner.locator("button[type=submit]", has_text="保存").click()
    expect(owner.locator(".flash-success")).to_contain_text("草稿已保存")
    expect(owner.locator("h1")).to_have_text(TITLE)
    owner.locator("button", has_text="提交审核").click()
    expect(owner.locator(".badge")).to_have_text("待审核")

    broker = page_for()
    sign_in(broker, base, accounts.broker, accounts.password)
    broker.goto(base + "/review")
    item = broker.locator(".review-item", has_text=TITLE)
    expect(item).to_be_visible()
    item.locator("button", has_text="通过并发布").click()
    expect(broker.locator(".flash-success")).to_contain_text("已发布")
    expect(broker.locator(".empty-title")).to_have_text("审核队列是空的")

    visitor = page_for()
    visitor.goto(base + "/achievements")
    visitor.select_option("select[name=technical_field]", "agriculture")  # applies at once (data-autosubmit)
    visitor.wait_for_url("**technical_field=agriculture**")
    expect(visitor.locator(".result-count")).to_contain_text("共 1 条")
    visitor.locator(".card h3 a", has_text=TITLE).click()
    expect(visitor.locator("h1")).to_have_text(TITLE)
    expect(visitor.locator(".detail-side")).to_contain_text("80 万元")
    expect(visitor.locator(".detail-side")).to_contain_text("TRL 7")


def test_language_switch_and_mobile_menu(live_server, page_for):
    page = page_for(390, 844)
    page.goto(live_server.url + "/")
    expect(page.locator("#site-nav")).to_be_hidden()
    page.locator(".nav-toggle").click()
    expect(page.locator("#site-nav")).to_be_visible()
    page.locator("#site-nav a.lang").click()
    expect(page.locator("h1")).to_have_text("Bringing research results to industry")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows sideways
