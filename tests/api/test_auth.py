"""Authentication: personal access tokens (read vs write scope, revocation), browser sessions with CSRF."""
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db

from .conftest import ApiClient, assert_problem, create, database, login_session


def test_me_with_token_and_without(world):
    response = world.owner.get("/me")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == world.ids["owner"] and body["org_role"] == "org_admin"
    assert body["organization"]["id"] == world.ids["org_a"]
    assert "X-CSRFToken" not in response.headers  # only browser sessions need one
    assert_problem(world.anon.get("/me"), 401)


def test_unknown_or_malformed_token_is_401(world, client):
    assert_problem(ApiClient(client, "tmk_not-a-token").get("/me"), 401)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer "}), 401)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Basic Zm9vOmJhcg=="}), 401)


def test_read_token_reads_but_cannot_write(world):
    assert world.reader.get("/me").status_code == 200
    assert world.reader.get("/achievements?mine=1").status_code == 200
    body = assert_problem(world.reader.post("/achievements", json={"title": "x"}), 403)
    assert "只读令牌" in body["detail"]


def test_revoked_token_is_401(world):
    tokens = world.owner.get("/tokens").get_json()
    token_id = next(t["id"] for t in tokens if t["revoked_at"] is None)
    assert world.owner.delete(f"/tokens/{token_id}").status_code == 204
    assert_problem(world.owner.get("/me"), 401)
    assert_problem(world.owner.get("/tokens"), 401)


def test_token_list_never_shows_the_secret(world):
    tokens = world.member.get("/tokens").get_json()
    assert {t["scope"] for t in tokens} == {"read", "write"}
    assert all("token" not in t and "token_hash" not in t for t in tokens)
    assert all(world.tokens["member"].startswith(t["prefix"]) or world.tokens["reader"].startswith(t["prefix"])
               for t in tokens)


def test_tokens_are_created_in_a_browser_session_only(world, app, client):
    assert_problem(world.owner.post("/tokens", json={"name": "脚本", "scope": "write"}), 403)
    csrf = login_session(app, client, world.ids["owner"])
    # a session without the CSRF header is refused
    assert_problem(client.post("/api/v1/tokens", json={"name": "脚本"}), 400)
    response = client.post("/api/v1/tokens", json={"name": "同步脚本", "scope": "write", "user_id": 999},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 201
    created = response.get_json()
    assert created["token"].startswith("tmk_") and created["scope"] == "write"
    fresh = ApiClient(client, created["token"])
    assert fresh.get("/me").get_json()["id"] == world.ids["owner"]
    listed = [t for t in world.owner.get("/tokens").get_json() if t["id"] == created["id"]]
    assert listed and "token" not in listed[0]


def test_token_input_is_validated(world, app, client):
    csrf = login_session(app, client, world.ids["owner"])
    headers = {"X-CSRFToken": csrf}
    body = assert_problem(client.post("/api/v1/tokens", json={"name": "", "scope": "admin"}, headers=headers),
                          422, "name", "scope")
    assert body["errors"]["scope"] == ["无效的权限范围：admin"]
    assert_problem(client.post("/api/v1/tokens", json={"name": ["x"]}, headers=headers), 422, "name")


def test_me_in_a_browser_session_hands_out_the_csrf_token(world, app, client):
    login_session(app, client, world.ids["member"])
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and response.headers["X-CSRFToken"]
    created = client.post("/api/v1/achievements", json={"title": "无令牌"})
    assert_problem(created, 400)
    ok = client.post("/api/v1/achievements", json=_valid(), headers={"X-CSRFToken": response.headers["X-CSRFToken"]})
    assert ok.status_code == 201


def test_someone_elses_token_id_is_404(world):
    theirs = world.other.get("/tokens").get_json()[0]["id"]
    assert_problem(world.owner.delete(f"/tokens/{theirs}"), 404)
    assert world.other.get("/me").status_code == 200


def test_token_actions_are_audited(world, app):
    record = create(world.owner, "achievements")
    assert record["id"]
    with database(app) as session:
        actions = {e.action for e in session.execute(db.select(AuditEvent)).scalars()}
    assert {"token.create", "achievement.create"} <= actions


def _valid():
    from tests.factories import achievement_data

    return achievement_data()
