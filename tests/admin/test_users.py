"""/admin and /admin/users: platform admins only; platform roles; suspending an account blocks sign-in and its API
tokens with a clear message until it is restored; every change audited."""
from __future__ import annotations

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from tests import factories as f
from tests.web.helpers import csrf_from, login, post, text


def _token(app, email: str) -> str:
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        _token, secret = accounts.create_token(user, "脚本", "write")
        db.session.commit()
        return secret


def test_the_administration_is_for_platform_admins_only(client, admin_world):
    for url in ("/admin", "/admin/users", "/admin/orgs", f"/admin/orgs/{admin_world.newcomer_id}",
                f"/admin/users/{admin_world.university_admin_id}"):
        assert client.get(url).status_code == 302  # a visitor signs in first
    for who in (admin_world.broker, admin_world.university_admin):
        login(client, who)
        for url in ("/admin", "/admin/users", "/admin/orgs", f"/admin/orgs/{admin_world.newcomer_id}"):
            assert client.get(url).status_code == 403, (who, url)
        refused = post(client, f"/admin/orgs/{admin_world.newcomer_id}/verify", {"credit_code": "x"})
        assert refused.status_code == 403
        refused = post(client, f"/admin/users/{admin_world.admin_id}/suspend", {"reason": "x"})
        assert refused.status_code == 403
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login(client, admin_world.admin)
    page = text(client.get("/admin"))
    assert 'id="count-pending-orgs">1<' in page and "待认证机构" in page
    assert "技术经纪人</a>" in page
    english = text(client.get("/admin?lang=en"))
    assert "Brokers</a>" in english and "Broker</a>" not in english  # a count of them, not one


def test_searching_and_filtering_users(app, client, admin_world):
    with app.app_context():
        for number in range(23):
            f.user(email=f"bulk{number:02d}@search.example.cn")
        db.session.commit()
    login(client, admin_world.admin)
    first = text(client.get("/admin/users?q=search.example.cn"))
    assert "共 23 条" in first and "第 1 / 2 页" in first
    assert "bulk" in text(client.get("/admin/users?q=search.example.cn&page=2"))
    brokers = text(client.get("/admin/users?role=broker"))
    assert f"<td>{admin_world.broker}</td>" in brokers and f"<td>{admin_world.admin}</td>" not in brokers
    assert admin_world.newcomer_admin in text(client.get("/admin/users?q=创始人"))
    assert "没有符合条件的用户" in text(client.get("/admin/users?status=suspended"))
    assert client.get("/admin/users?q=" + "长" * 101).status_code == 422


def test_changing_a_platform_role_is_audited_and_an_admin_keeps_their_own(app, client, admin_world):
    login(client, admin_world.admin)
    url = f"/admin/users/{admin_world.university_admin_id}"
    assert post(client, url + "/role", {"platform_role": "broker"}, token_page=url).status_code == 302
    bad = post(client, url + "/role", {"platform_role": "king"}, token_page=url)
    assert bad.status_code == 422 and 'id="platform_role-error"' in text(bad)
    own = f"/admin/users/{admin_world.admin_id}"
    refused = post(client, own + "/role", {"platform_role": ""}, token_page=own)
    assert refused.status_code == 422 and "不能取消自己的平台管理员角色" in text(refused)
    with app.app_context():
        assert db.session.get(User, admin_world.university_admin_id).platform_role == "broker"
        assert db.session.get(User, admin_world.admin_id).platform_role == "admin"
        event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "user.platform_role")).scalar_one()
        assert (event.actor_id, event.target_id, event.details) == (
            admin_world.admin_id, admin_world.university_admin_id, {"role": "broker"})


def test_a_suspended_user_cannot_sign_in_nor_use_api_tokens_until_restored(app, client, admin_world):
    secret = _token(app, admin_world.university_admin)
    member = app.test_client()
    login(member, admin_world.university_admin)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200

    login(client, admin_world.admin)
    url = f"/admin/users/{admin_world.university_admin_id}"
    missing = post(client, url + "/suspend", {"reason": " "}, token_page=url)
    assert missing.status_code == 422 and 'id="reason-error"' in text(missing)
    assert post(client, url + "/suspend", {"reason": "冒用他人身份"}, token_page=url).status_code == 302

    assert member.get("/account").status_code == 302  # the open session ended
    outsider = app.test_client()
    refused = outsider.post("/login", data={"email": admin_world.university_admin, "password": f.PASSWORD,
                                            "csrf_token": csrf_from(outsider)})
    assert refused.status_code == 403 and "已被平台管理员停用" in text(refused)
    wrong = outsider.post("/login", data={"email": admin_world.university_admin, "password": "wrong-password-1",
                                          "csrf_token": csrf_from(outsider)})
    assert "停用" not in text(wrong)  # only the password's owner learns why
    api = outsider.get("/api/v1/me", headers=bearer)
    assert api.status_code == 401 and "已被平台管理员停用" in api.get_json()["detail"] + api.get_json()["title"]

    assert post(client, url + "/restore", {}, token_page=url).status_code == 302
    assert outsider.get("/api/v1/me", headers=bearer).status_code == 200
    login(outsider, admin_world.university_admin)
    with app.app_context():
        actions = db.session.execute(db.select(AuditEvent.action).where(
            AuditEvent.target_type == "users", AuditEvent.target_id == admin_world.university_admin_id,
            AuditEvent.action.in_(["user.suspend", "user.restore"])).order_by(AuditEvent.id)).scalars().all()
    assert actions == ["user.suspend", "user.restore"]
