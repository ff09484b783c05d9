"""Sign-in, sign-up, sessions, tokens, organisation membership, CSRF and the login rate limit."""
from __future__ import annotations

import re

import pytest

from marketplace import create_app
from marketplace.extensions import limiter
from tests import factories as f
from tests.web.helpers import csrf_from, login, post, text


def test_post_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"email": world.owner, "password": f.PASSWORD})
    assert response.status_code == 400
    assert "安全令牌" in text(response)
    login(client, world.owner)
    assert client.post("/achievements/new", data={"title": "无令牌"}).status_code == 400
    assert client.post("/logout").status_code == 400


def test_bad_credentials_get_one_generic_message(client, world):
    token = csrf_from(client)
    wrong_password = client.post("/login", data={"email": world.owner, "password": "nope-nope", "csrf_token": token})
    unknown_user = client.post("/login", data={"email": "nobody@example.cn", "password": "x", "csrf_token": token})
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert "邮箱或密码不正确" in text(response)
    assert client.get("/workspace").status_code == 302


def test_login_renews_the_session_and_follows_only_local_next(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    token = csrf_from(client)
    response = client.post("/login", data={"email": world.owner, "password": f.PASSWORD, "csrf_token": token,
                                           "next": "https://evil.example/"})
    assert response.location.endswith("/workspace")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].endswith(":0")
    assert client.get("/workspace").status_code == 200
    assert csrf_from(client, "/") != token  # a fresh CSRF token too


def test_logout_is_post_only(client, world):
    login(client, world.owner)
    assert client.get("/logout").status_code == 405
    post(client, "/logout")
    assert client.get("/workspace").status_code == 302


def test_change_password_ends_other_sessions_but_not_this_one(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, world.owner)
    login(elsewhere, world.owner)
    mismatch = post(here, "/account/password", {"current_password": f.PASSWORD, "new_password": "a-new-secret-1",
                                                "new_password2": "different"})
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in text(mismatch)
    wrong = post(here, "/account/password", {"current_password": "wrong", "new_password": "a-new-secret-1",
                                             "new_password2": "a-new-secret-1"})
    assert wrong.status_code == 422 and "当前密码不正确" in text(wrong)
    done = post(here, "/account/password", {"current_password": f.PASSWORD, "new_password": "a-new-secret-1",
                                            "new_password2": "a-new-secret-1"})
    assert done.status_code == 302
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302  # sent to the login page
    login(app.test_client(), world.owner, "a-new-secret-1")


def test_log_out_other_sessions(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, world.owner)
    login(elsewhere, world.owner)
    post(here, "/account/sessions/end-others")
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302


def test_personal_access_token_shown_once_then_listed_and_revoked(client, world):
    login(client, world.owner)
    created = post(client, "/account/tokens", {"name": "同步脚本", "scope": "read"})
    secret = re.search(r'<code id="new-secret">(tmk_[^<]+)</code>', text(created)).group(1)
    page = text(client.get("/account"))
    assert secret not in page and "同步脚本" in page
    assert client.get("/api/v1/achievements", headers={"Authorization": f"Bearer {secret}"}).status_code != 401
    token_id = re.search(r'/account/tokens/(\d+)/revoke', page).group(1)
    post(client, f"/account/tokens/{token_id}/revoke")
    assert "已吊销" in text(client.get("/account"))
    assert post(client, "/account/tokens", {"name": ""}).status_code == 422


def test_register_new_organisation_and_invite_a_member(app, client, world):
    token = csrf_from(client, "/register")
    bad = client.post("/register", data={"csrf_token": token, "org_name": "", "org_type": "university",
                                         "region": "220000", "name": "张三", "email": "bad", "password": "short",
                                         "password2": "short"})
    assert bad.status_code == 422
    body = text(bad)
    assert 'id="org_name-error"><p>请填写机构名称' in body and 'id="email-error"' in body and 'id="password-error"' in body
    assert 'value="张三"' in body
    created = client.post("/register", data={"csrf_token": token, "org_name": "长白山研究院", "org_type": "institute",
                                             "region": "220000", "name": "张三", "email": "zhang@example.cn",
                                             "password": "long-enough-1", "password2": "long-enough-1"})
    assert created.status_code == 302
    members = text(client.get("/org/members"))
    assert "zhang@example.cn" in members
    invited = post(client, "/org/members/invite", {"email": "li@example.cn", "role": "member"})
    link = re.search(r'<code id="invite-link">([^<]+)</code>', text(invited)).group(1)
    path = link.split("localhost.test", 1)[1]
    newcomer = app.test_client()
    form = newcomer.get(path)
    assert "长白山研究院" in text(form) and "li@example.cn" in text(form)
    joined = newcomer.post(path, data={"csrf_token": csrf_from(newcomer, path), "name": "李四",
                                       "password": "another-pass-1", "password2": "another-pass-1"})
    assert joined.status_code == 302
    assert "长白山研究院" in text(newcomer.get("/workspace"))
    assert newcomer.get(path).status_code == 404  # the invitation is used up
    assert newcomer.get("/org/members").status_code == 404  # members cannot manage members
    user_id = re.search(r'/org/members/(\d+)/remove', text(client.get("/org/members"))).group(1)
    post(client, f"/org/members/{user_id}/remove")
    assert newcomer.get("/workspace").status_code == 302  # removed: the session ended


def test_language_switch(client, world):
    assert "科技成果" in text(client.get("/"))
    english = text(client.get("/achievements?lang=en"))
    assert '<html lang="en">' in english and "Achievements" in english and "No achievements match" in english
    assert "Achievements" in text(client.get("/"))  # the choice sticks for the session
    assert "中文" in english and "?lang=zh" in english
    assert "科技成果" in text(client.get("/?lang=zh"))


@pytest.fixture
def limited_app(tmp_path):
    """A separate app with rate limiting on (the shared test app has it off); the limiter is global, so reset it."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "limit",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limit.db'}", "RATELIMIT_ENABLED": True,
                      "LOGIN_RATE_LIMIT": "3 per minute", "SEARCH_AUTO_DRAIN": False})
    with app.app_context():
        from flask_migrate import upgrade

        from tests.conftest import REPO
        upgrade(directory=str(REPO / "migrations"))
    yield app
    limiter.reset()
    limiter.enabled = False


def test_login_is_rate_limited_per_ip_and_per_account(limited_app):
    client = limited_app.test_client()
    token = csrf_from(client)
    for _ in range(3):
        assert client.post("/login", data={"email": "a@example.cn", "password": "x",
                                           "csrf_token": token}).status_code == 200
    blocked = client.post("/login", data={"email": "a@example.cn", "password": "x", "csrf_token": token})
    assert blocked.status_code == 429
    assert "请求过于频繁" in text(blocked)
    # the same account from another address is limited too
    other_ip = limited_app.test_client()
    response = other_ip.post("/login", data={"email": "a@example.cn", "password": "x", "csrf_token": csrf_from(other_ip)},
                             environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 429
