"""End to end in Chromium: a user who forgot the password asks for a link on the login page, the mail queue's sender
delivers it to a real (loopback) SMTP server, the link sets a new password, the old one no longer signs in, the new
one does, and a session that was open elsewhere has ended."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from marketplace.alerts import delivery
from marketplace.extensions import db
from tests import factories as f
from tests.alerts.smtp_server import SmtpServer

EMAIL = "forgetful@browser.test"
NEW_PASSWORD = "browser-new-secret-5"


def _sign_in(page, base: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#f-email", EMAIL)
    page.fill("#f-password", password)
    page.locator("main form button[type=submit]").click()


def _deliver_to(live_server, smtp: SmtpServer) -> None:
    """Run the mail queue's sender once against ``smtp``, with links made absolute on the live server."""
    app = live_server.app
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "PUBLIC_URL")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, PUBLIC_URL=live_server.url)
    try:
        with app.app_context():
            delivery.deliver()
    finally:
        app.config.update(saved)


def test_reset_a_forgotten_password_by_e_mail(live_server, page_for):
    base = live_server.url
    with live_server.app.app_context():
        f.user(f.organization("enterprise", name="长春光电示范企业"), email=EMAIL)
        db.session.commit()

    elsewhere = page_for()  # a session left open on another computer
    _sign_in(elsewhere, base, f.PASSWORD)
    expect(elsewhere.locator(".flash-success")).to_contain_text("欢迎回来")

    page = page_for()
    page.goto(base + "/login")
    page.get_by_role("link", name="忘记密码？").click()
    expect(page.locator("h1")).to_have_text("找回密码")
    page.fill("#f-email", EMAIL)
    page.get_by_role("button", name="发送重置链接").click()
    expect(page.locator("#reset-sent")).to_contain_text(EMAIL)

    with SmtpServer() as smtp:
        _deliver_to(live_server, smtp)
        received = smtp.wait_for(1)
    # the live server is shared: mail other browser tests queued (verification, notices) goes out in the same pass
    [mail] = [m for m in received if m.recipients == [EMAIL]]
    assert "重置您的密码" in mail.subject
    link = re.search(re.escape(base) + r"/password-reset/\S+", mail.body).group(0)

    page.goto(link)
    page.fill("#f-password", NEW_PASSWORD)
    page.fill("#f-password2", "not-the-same-1")
    page.get_by_role("button", name="设置新密码").click()
    expect(page.locator("#password2-error")).to_contain_text("两次输入的密码不一致")
    page.fill("#f-password", NEW_PASSWORD)
    page.fill("#f-password2", NEW_PASSWORD)
    page.get_by_role("button", name="设置新密码").click()
    expect(page.locator(".flash-success")).to_contain_text("密码已重置")
    expect(page).to_have_url(base + "/login")

    page.goto(link)  # the link worked once
    expect(page.locator(".form-alert")).to_contain_text("重置密码链接无效、已使用或已过期")

    _sign_in(page, base, f.PASSWORD)  # the old password no longer works
    expect(page.locator(".form-alert")).to_contain_text("邮箱或密码不正确")
    _sign_in(page, base, NEW_PASSWORD)
    expect(page.locator(".flash-success")).to_contain_text("欢迎回来")
    expect(page).to_have_url(base + "/workspace?tab=demands")  # an enterprise member lands on the demands

    elsewhere.goto(base + "/account")
    expect(elsewhere).to_have_url(re.compile(r"/login\?next="))  # the other session ended
