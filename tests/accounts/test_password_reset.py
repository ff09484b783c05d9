"""Password reset by e-mail: the "忘记密码？" link, the same answer for every address, a signed single-use expiring
link, the sign-up's password rules, every session ended, audit, confirmation e-mail and rate limits (429)."""
from __future__ import annotations

import re
import time

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from tests import factories as f
from tests.accounts.mailbox import mails_to, token_in
from tests.api.conftest import rate_limited_client
from tests.web.helpers import csrf_from, login, post, text

NEW_PASSWORD = "a-brand-new-secret-7"


@pytest.fixture
def member(app):
    with app.app_context():
        user = f.user(f.organization("university"), email="reset.me@example.cn")
        db.session.commit()
        return user.email


def _ask(client, email: str):
    return client.post("/password-reset", data={"email": email, "csrf_token": csrf_from(client, "/password-reset")})


def _reset_link(app, client, email: str) -> str:
    assert _ask(client, email).status_code == 200
    return mails_to(app, email)[-1].link


def _set(client, link: str, password: str, password2: str | None = None):
    return client.post(link, data={"password": password, "password2": password if password2 is None else password2,
                                   "csrf_token": csrf_from(client, link)})


def _signs_in(app, email: str, password: str) -> bool:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(client)})
    return response.status_code == 302


def test_the_login_page_links_to_the_reset_form(client):
    page = text(client.get("/login"))
    assert 'href="/password-reset"' in page and "忘记密码？" in page
    form = text(client.get("/password-reset"))
    assert "找回密码" in form and 'name="email"' in form


def test_the_same_answer_whether_or_not_the_address_has_an_account(app, client, member):
    known, unknown = _ask(client, member), _ask(client, "nobody.here@example.cn")
    assert known.status_code == unknown.status_code == 200

    def answer(response, email):
        body = re.search(r'<div class="notice" role="status" id="reset-sent">(.*?)</div>', text(response), re.S)
        return body.group(1).replace(email, "<address>")

    assert answer(known, member) == answer(unknown, "nobody.here@example.cn")
    [mail] = mails_to(app, member)
    assert mail.queued and "重置" in mail.title and "只能使用一次" in mail.body
    assert mails_to(app, "nobody.here@example.cn") == []
    invalid = _ask(client, "not-an-address")
    assert invalid.status_code == 422 and "请输入有效的电子邮箱地址" in text(invalid)


def test_reset_sets_the_new_password_and_ends_every_session(app, client, member):
    elsewhere = app.test_client()
    login(elsewhere, member)
    assert elsewhere.get("/account").status_code == 200
    link = _reset_link(app, client, member)
    token_in(link, "password-reset")
    form = client.get(link)
    assert form.status_code == 200 and "设置新密码" in text(form)

    mismatch = _set(client, link, NEW_PASSWORD, "something-else-1")
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in text(mismatch)
    short = _set(client, link, "short")
    assert short.status_code == 422 and "密码至少需要 8 个字符" in text(short)

    done = _set(client, link, NEW_PASSWORD)
    assert done.status_code == 302 and done.location.endswith("/login")
    assert "密码已重置" in text(client.get("/login"))
    assert elsewhere.get("/account").status_code == 302  # the other session ended
    assert not _signs_in(app, member, f.PASSWORD)
    assert _signs_in(app, member, NEW_PASSWORD)
    with app.app_context():
        actions = db.session.execute(db.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert "user.password_reset_request" in actions and "user.password_reset" in actions
    confirmation = mails_to(app, member)[-1]
    assert "已重置" in confirmation.title and confirmation.link == "/login"


def test_a_link_works_once(app, client, member):
    link = _reset_link(app, client, member)
    assert _set(client, link, NEW_PASSWORD).status_code == 302
    again = client.get(link)
    assert again.status_code == 400 and "重置密码链接无效、已使用或已过期" in text(again)
    assert _set(app.test_client(), link, "yet-another-secret-2").status_code == 400
    assert _signs_in(app, member, NEW_PASSWORD)


def test_signing_in_makes_an_earlier_link_worthless(app, client, member):
    link = _reset_link(app, client, member)
    assert _signs_in(app, member, f.PASSWORD)  # remembered the password after all
    assert client.get(link).status_code == 400


def test_links_expire(app, client, member, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", 1)
    link = _reset_link(app, client, member)
    assert client.get(link).status_code == 200
    time.sleep(2.1)
    expired = client.get(link)
    assert expired.status_code == 400 and "已过期" in text(expired)
    assert _set(client, link, NEW_PASSWORD).status_code == 400
    assert _signs_in(app, member, f.PASSWORD)


def test_forged_and_foreign_tokens_are_refused(app, client, member):
    link = _reset_link(app, client, member)
    token = token_in(link, "password-reset")
    assert client.get(f"/password-reset/{token[:-2]}xx").status_code == 400
    assert client.get("/password-reset/not-a-token").status_code == 400
    with app.app_context():
        f.user(f.organization("enterprise"), email="fresh@example.cn", email_verified=False)
        db.session.commit()
    login(client, "fresh@example.cn")
    post(client, "/account/verify-email")
    verification = mails_to(app, "fresh@example.cn")[-1].link
    foreign = token_in(verification, "verify-email")  # signed by the same key for another purpose
    assert client.get(f"/password-reset/{foreign}").status_code == 400


def test_account_mails_are_not_listed_in_app(app, client, member):
    _reset_link(app, client, member)
    [mail] = mails_to(app, member)
    login(client, member)
    page = text(client.get("/notifications"))
    assert "password-reset" not in page and mail.title not in page
    assert client.get(f"/notifications/{mail.id}").status_code == 404
    assert client.get("/api/v1/notifications/unread-count").get_json() == {"unread": 0}
    assert client.get("/api/v1/notifications").get_json()["items"] == []


def test_requests_are_limited_per_address_and_per_ip(app, member):
    with rate_limited_client(app, PASSWORD_RESET_RATE_LIMIT="2 per hour",
                             PASSWORD_RESET_IP_RATE_LIMIT="4 per hour") as client:
        for _ in range(2):
            assert _ask(client, member).status_code == 200
        blocked = _ask(client, member)
        assert blocked.status_code == 429
        assert "重置密码的申请过于频繁" in text(blocked) and "登录尝试次数" not in text(blocked)
        # the same address from another network is limited too
        token = csrf_from(client, "/password-reset")
        elsewhere = client.post("/password-reset", data={"email": member, "csrf_token": token},
                                environ_base={"REMOTE_ADDR": "10.0.0.7"})
        assert elsewhere.status_code == 429
        # one network asking for many addresses: until the network's allowance is spent
        network = {"REMOTE_ADDR": "10.0.0.9"}
        for n in range(4):
            assert client.post("/password-reset", data={"email": f"other{n}@example.cn", "csrf_token": token},
                               environ_base=network).status_code == 200
        spent = client.post("/password-reset", data={"email": "other9@example.cn", "csrf_token": token},
                            environ_base=network)
        assert spent.status_code == 429 and "重置密码的申请过于频繁" in text(spent)
    assert len(mails_to(app, member)) == 2
