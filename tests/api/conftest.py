"""Fixtures for the JSON API contract tests: a small world of organisations and users with personal access tokens,
and a client that sends them."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from itsdangerous import URLSafeTimedSerializer

from marketplace.accounts import services as accounts
from marketplace import create_app
from marketplace.extensions import api, db, limiter
from tests import factories as f

API = "/api/v1"


class ApiClient:
    """The Flask test client with an ``Authorization: Bearer`` header (or none) and /api/v1 prefixed paths."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token

    def request(self, method: str, path: str, *, headers: dict | None = None, **kwargs):
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        all_headers.update(headers or {})
        url = path if path.startswith("/") and path.startswith(API) else API + path
        return self.client.open(url, method=method, headers=all_headers, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    clients: dict[str, ApiClient] = field(default_factory=dict)

    def __getattr__(self, name):  # world.owner → the ApiClient of "owner"
        try:
            return self.clients[name]
        except KeyError:
            raise AttributeError(name) from None


def make_token(user, scope: str = "write") -> str:
    _token, secret = accounts.create_token(user, f"{scope} token", scope)
    return secret


@dataclass
class UserWorld:
    """A test world's record ids, and each user's e-mail (page tests log in through the real form) and write token
    (API tests)."""

    ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, client, name: str | None) -> ApiClient:
        return ApiClient(client, self.tokens[name] if name else None)


def user_world(users: dict, **ids: int) -> UserWorld:
    """The :class:`UserWorld` of ``users`` (by name; flushed) and the other records' ``ids``; commits."""
    world = UserWorld()
    world.ids.update(ids, **{name: user.id for name, user in users.items()})
    for name, user in users.items():
        world.emails[name] = user.email
        world.tokens[name] = make_token(user)
    db.session.commit()
    return world


@pytest.fixture
def world(app, client):
    """Organisation A (university: org admin ``owner``, plain ``member``), organisation B (enterprise: ``other``),
    a ``broker``, a platform ``admin``, and ``anon``; each with a write token (``reader``: A's member, read only).

    Built in its own application context: requests must not share one (``g`` caches the logged-in user)."""
    with app.test_request_context():
        return _build_world(client)


def _build_world(client) -> World:
    org_a = f.organization("university", name="吉林大学（测试）")
    org_b = f.organization("enterprise", name="长春某企业（测试）")
    users = {
        "owner": f.user(org_a, role="org_admin"),
        "member": f.user(org_a),
        "other": f.user(org_b, role="org_admin"),
        "broker": f.broker(),
        "admin": f.admin(),
    }
    w = World()
    w.ids.update(org_a=org_a.id, org_b=org_b.id, **{name: u.id for name, u in users.items()})
    for name, user in users.items():
        w.tokens[name] = make_token(user)
        w.clients[name] = ApiClient(client, w.tokens[name])
    w.tokens["reader"] = make_token(users["member"], "read")
    w.clients["reader"] = ApiClient(client, w.tokens["reader"])
    w.clients["anon"] = ApiClient(client)
    db.session.commit()
    return w


@contextmanager
def rate_limited_client(app, **limits):
    """A test client of a second app on the same database with rate limits on (``limits``: the limit settings, say
    ``API_WRITE_RATE_LIMIT="3 per minute"``); the session app runs with RATELIMIT_ENABLED False. The shared extension
    objects are restored afterwards."""
    saved_api, saved_limiter = dict(api.__dict__), dict(limiter.__dict__)
    limited = None
    try:
        limited = create_app({
            **{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "UPLOAD_FOLDER")},
            "TESTING": True, "INSTANCE_PATH": app.instance_path, "SEARCH_AUTO_DRAIN": False,
            "SERVER_NAME": "localhost.test", "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
            **limits,
        })
        yield limited.test_client()
    finally:
        if limited is not None:  # close the second app's pooled connections (PostgreSQL warns otherwise)
            with limited.app_context():
                db.engine.dispose()
        limiter.reset()
        api.__dict__.update(saved_api)
        limiter.__dict__.clear()
        limiter.__dict__.update(saved_limiter)


@contextmanager
def database(app):
    """An application context for reading or preparing rows between requests (committed on success)."""
    with app.test_request_context():
        yield db.session
        db.session.commit()


def login_session(app, client, user_id: int, epoch: int = 0) -> str:
    """Log ``client`` in with a browser session; returns the CSRF token to send as X-CSRFToken."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{epoch}"
        session["_fresh"] = True
        session["csrf_token"] = "a" * 40
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("a" * 40)


def create(api: ApiClient, kind: str, **overrides) -> dict:
    """Create a draft through the API and return its JSON."""
    data = {"achievements": f.achievement_data, "demands": f.demand_data}[kind](**overrides)
    response = api.post(f"/{kind}", json=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def publish(w: World, kind: str, record_id: int) -> dict:
    """Submit (as owner) and publish (as broker) through the API."""
    assert w.owner.post(f"/{kind}/{record_id}/submit").status_code == 200
    response = w.broker.post(f"/review/{kind[:-1]}/{record_id}/publish")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assert_problem(response, status: int, *fields_with_errors: str) -> dict:
    """The response is an RFC 9457 problem document with ``status`` (and errors for ``fields_with_errors``)."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    for name in fields_with_errors:
        assert name in body.get("errors", {}), body
    return body


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """argon2 with production parameters costs ~0.2 s a user; these tests create many users and never log in."""
    from argon2 import PasswordHasher

    from marketplace.accounts import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
