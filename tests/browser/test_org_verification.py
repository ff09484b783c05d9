"""End to end in Chromium: a new organisation registers and submits an achievement; a broker cannot publish it yet
(the organisation is pending); a platform admin verifies the organisation on /admin/orgs (a wrong credit code first,
answered next to the field); the broker then publishes it and the organisation appears in the public directory."""
from __future__ import annotations

from playwright.sync_api import expect

from marketplace.accounts.models import User
from marketplace.deals.identifiers import credit_code_check_character
from marketplace.extensions import db
from marketplace.timeutil import utcnow
from tests import factories as f
from tests.browser.test_publish_flow import fill_achievement, sign_in

ORG = "白山寒地新能源科技有限公司"
TITLE = "寒地光伏组件自清洁防冰涂层"
EMAIL = "founder@baishan-energy.test"
ADMIN = "platform-admin@org-verification.test"
CODE_BODY = "91220600MA17Q8R3X"
CREDIT_CODE = CODE_BODY + credit_code_check_character(CODE_BODY)


def _admin(live_server) -> None:
    with live_server.app.app_context():
        if db.session.execute(db.select(User).where(User.email == ADMIN)).scalar_one_or_none() is None:
            f.user(f.organization("government", name="吉林省科技厅（认证测试）"), platform_role="admin", email=ADMIN)
            db.session.commit()


def _address_verified(live_server) -> None:
    """The sign-up e-mail's link followed (that flow has its own browser test): only the org's verification here."""
    with live_server.app.app_context():
        user = db.session.execute(db.select(User).where(User.email == EMAIL)).scalar_one()
        user.email_verified_at = utcnow()
        db.session.commit()


def test_a_new_organisation_is_verified_before_its_listing_is_published(live_server, page_for):
    base, accounts = live_server.url, live_server.accounts
    _admin(live_server)

    owner = page_for()
    owner.goto(base + "/register")
    owner.fill("#f-org_name", ORG)
    owner.select_option("#f-org_type", "enterprise")
    owner.select_option("#f-region", "220000")
    owner.fill("#f-name", "李创业")
    owner.fill("#f-email", EMAIL)
    owner.fill("#f-password", "long-enough-1")
    owner.fill("#f-password2", "long-enough-1")
    owner.locator("main form button[type=submit]").click()
    expect(owner.locator(".flash-info", has_text="等待平台认证")).to_be_visible()
    _address_verified(live_server)

    owner.goto(base + "/orgs")
    expect(owner.locator("main")).not_to_contain_text(ORG)  # not in the public directory while pending

    owner.goto(base + "/achievements/new")
    fill_achievement(owner, TITLE, "纳米二氧化硅超疏水涂层让积雪和覆冰在光伏组件表面无法附着，冬季发电量提升百分之十二。",
                     "光伏、防冰涂层", "new_energy", "6", "energy")
    owner.locator("button[type=submit]", has_text="保存").click()
    expect(owner.locator(".flash-success")).to_contain_text("草稿已保存")
    owner.locator("button", has_text="提交审核").click()
    expect(owner.locator(".badge")).to_have_text("待审核")

    broker = page_for()
    sign_in(broker, base, accounts.broker, accounts.password)
    broker.goto(base + "/review")
    item = broker.locator(".review-item", has_text=TITLE)
    expect(item.locator(".tag-unverified")).to_have_text("机构待认证")
    item.locator("button", has_text="通过并发布").click()
    expect(broker.locator(".flash-error")).to_contain_text("尚未通过平台认证")

    admin = page_for()
    sign_in(admin, base, ADMIN, f.PASSWORD)
    admin.goto(base + "/admin")
    admin.locator("a", has_text="待认证机构").click()
    admin.locator(".org-row a", has_text=ORG).click()
    expect(admin.locator("#org-status")).to_have_text("待认证")
    admin.fill("#f-credit_code", CREDIT_CODE[:-1] + ("0" if CREDIT_CODE[-1] != "0" else "1"))
    admin.locator("button", has_text="通过认证").click()
    expect(admin.locator("#credit_code-error")).to_contain_text("校验码")
    admin.fill("#f-credit_code", CREDIT_CODE)
    admin.locator("button", has_text="通过认证").click()
    expect(admin.locator(".flash-success")).to_contain_text("机构已通过认证")
    expect(admin.locator("#org-status")).to_have_text("已认证")
    expect(admin.locator("main")).to_contain_text("organization.verify")  # the audit trail on the page

    broker.goto(base + "/review")
    item = broker.locator(".review-item", has_text=TITLE)
    expect(item.locator(".tag-unverified")).to_have_count(0)
    item.locator("button", has_text="通过并发布").click()
    expect(broker.locator(".flash-success")).to_contain_text("已发布")

    visitor = page_for()
    visitor.goto(base + "/orgs")
    visitor.locator(".card h3 a", has_text=ORG).click()
    expect(visitor.locator("h1")).to_have_text(ORG)
    expect(visitor.locator("main")).to_contain_text(TITLE)
