"""E-mail address verification at sign-up: the link, what an unverified account may not do (403 with a clear
message), the workspace notice with 重新发送验证邮件 (rate-limited), invitations, and older accounts."""
from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from marketplace.accounts.models import User
from marketplace.errors import PermissionDenied
from marketplace.extensions import db
from marketplace.inquiries import services as inquiries
from tests import factories as f
from tests.accounts.mailbox import mails_to, token_in
from tests.api.conftest import rate_limited_client
from tests.conftest import REPO
from tests.migrations import app_on_an_empty_database
from tests.web.helpers import csrf_from, login, post, text

SIGN_UP = {"org_name": "长白山新能源科技有限公司", "org_type": "enterprise", "region": "220000", "name": "赵六",
           "email": "zhao@example.cn", "password": "long-enough-1", "password2": "long-enough-1"}


def _sign_up(client) -> None:
    response = client.post("/register", data={**SIGN_UP, "csrf_token": csrf_from(client, "/register")})
    assert response.status_code == 302, text(response)[:400]


def _user(app, email: str) -> User:
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
        return user


def _verify(client, link: str):
    return client.post(link, data={"csrf_token": csrf_from(client, link)})


def _submit_draft(client, achievement_id: int):
    return post(client, f"/achievements/{achievement_id}/submit", token_page=f"/achievements/{achievement_id}")


def test_sign_up_sends_a_link_and_the_workspace_says_so(app, client):
    _sign_up(client)
    assert _user(app, SIGN_UP["email"]).email_verified_at is None
    [mail] = mails_to(app, SIGN_UP["email"])
    assert mail.queued and "验证" in mail.title
    token_in(mail.link, "verify-email")
    workspace = text(client.get("/workspace", follow_redirects=True))
    assert 'id="email-unverified"' in workspace and "重新发送验证邮件" in workspace
    assert 'id="email-unverified"' in text(client.get("/account"))


def test_the_link_verifies_with_a_button_and_a_get_changes_nothing(app, client):
    _sign_up(client)
    link = mails_to(app, SIGN_UP["email"])[0].link
    page = client.get(link)
    assert page.status_code == 200 and "确认验证" in text(page)
    assert _user(app, SIGN_UP["email"]).email_verified_at is None  # a mail scanner's GET verifies nothing
    done = _verify(app.test_client(), link)  # from another browser, signed out: the link is enough
    assert done.status_code == 302 and done.location.endswith("/login")
    assert _user(app, SIGN_UP["email"]).email_verified_at is not None
    assert 'id="email-unverified"' not in text(client.get("/workspace", follow_redirects=True))
    assert _verify(client, link).status_code == 302  # again: harmless


def test_bad_and_expired_links_are_refused(app, client, monkeypatch):
    _sign_up(client)
    link = mails_to(app, SIGN_UP["email"])[0].link
    forged = _verify(client, link[:-3] + "abc")
    assert forged.status_code == 400 and "邮箱验证链接无效或已过期" in text(forged)
    opened = client.get(link[:-3] + "abc")  # the link's page says so at once, with no button that cannot work
    assert opened.status_code == 400 and "邮箱验证链接无效或已过期" in text(opened) and "确认验证" not in text(opened)
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION_MAX_AGE", 1)
    time.sleep(2.1)
    assert _verify(client, link).status_code == 400
    assert client.get(link).status_code == 400
    assert _user(app, SIGN_UP["email"]).email_verified_at is None


def test_unverified_users_may_browse_but_not_submit_nor_send_inquiries(app, client):
    _sign_up(client)
    with app.app_context():
        holder = f.user(f.organization("university"))
        published = f.achievement(holder, publish_by=f.broker(), title="寒地玉米秸秆腐熟菌剂")
        me = db.session.execute(db.select(User).where(User.email == SIGN_UP["email"])).scalar_one()
        draft = f.achievement(me, title="我的第一项成果")
        db.session.commit()
        published_id, draft_id = published.id, draft.id
    assert client.get(f"/achievements/{published_id}").status_code == 200
    refused = _submit_draft(client, draft_id)
    assert refused.status_code == 403 and "请先验证您的电子邮箱" in text(refused)
    with app.test_request_context():
        me = db.session.execute(db.select(User).where(User.email == SIGN_UP["email"])).scalar_one()
        with pytest.raises(PermissionDenied, match="请先验证您的电子邮箱"):
            inquiries.send_inquiry(me, {"subject_kind": "achievement", "subject_id": published_id,
                                        "message": "希望了解许可条件", "cooperation_mode": "licence"})
        db.session.rollback()
    _verify(client, mails_to(app, SIGN_UP["email"])[0].link)
    assert _submit_draft(client, draft_id).status_code == 302


def test_resending_is_rate_limited(app):
    with app.app_context():
        f.user(f.organization("enterprise"), email="late@example.cn", email_verified=False)
        f.user(f.organization("enterprise"), email="done@example.cn")
        db.session.commit()
    with rate_limited_client(app, EMAIL_VERIFICATION_RATE_LIMIT="2 per hour", LOGIN_RATE_LIMIT="50 per minute") as client:
        login(client, "late@example.cn")
        for _ in range(2):
            assert post(client, "/account/verify-email").status_code == 302
        blocked = post(client, "/account/verify-email")
        assert blocked.status_code == 429 and "验证邮件发送过于频繁" in text(blocked)
    assert len(mails_to(app, "late@example.cn")) == 2
    verified = app.test_client()
    login(verified, "done@example.cn")
    assert "您的邮箱已验证" in text(post(verified, "/account/verify-email", follow_redirects=True))
    assert mails_to(app, "done@example.cn") == []


def test_invited_members_are_verified_by_accepting(app, client):
    with app.app_context():
        f.user(f.organization("university"), role="org_admin", email="head@example.cn")
        db.session.commit()
    login(client, "head@example.cn")
    invited = post(client, "/org/members/invite", {"email": "newcomer@example.cn", "role": "member"})
    path = re.search(r'<code id="invite-link">([^<]+)</code>', text(invited)).group(1).split("localhost.test", 1)[1]
    newcomer = app.test_client()
    newcomer.post(path, data={"csrf_token": csrf_from(newcomer, path), "name": "钱七", "password": "another-pass-1",
                              "password2": "another-pass-1"})
    assert _user(app, "newcomer@example.cn").email_verified_at is not None
    assert mails_to(app, "newcomer@example.cn") == []


def test_factories_operators_and_older_accounts_count_as_verified(app, runner, tmp_path):
    with app.app_context():
        assert f.user().email_verified_at is not None
        db.session.commit()
    assert runner.invoke(args=["users", "create-admin", "ops@example.cn", "--name", "运维",
                               "--password", "ops-password-1"]).exit_code == 0
    assert _user(app, "ops@example.cn").email_verified_at is not None


def test_the_migration_counts_existing_accounts_as_verified(tmp_path):
    with app_on_an_empty_database(tmp_path) as app:
        _migrate_an_old_database(app)


def _migrate_an_old_database(app) -> None:
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"), revision="b977426a77f4")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (email, name, password_hash, active, session_epoch, created_at) "
                                 "VALUES ('old@example.cn', '老用户', 'x', 1, 0, '2024-03-01 08:00:00')"))
        upgrade(directory=str(REPO / "migrations"), revision="a3c9e5f1b7d2")
        with db.engine.connect() as conn:
            verified = conn.execute(sa.text("SELECT email_verified_at FROM users")).scalar_one()
        assert str(verified).startswith("2024-03-01 08:00:00")
        downgrade(directory=str(REPO / "migrations"), revision="b977426a77f4")
        db.engine.dispose()
