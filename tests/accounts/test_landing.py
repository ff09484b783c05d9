"""Landing by role after signing in: brokers on the review queue, enterprises on their demands, investors on their
saved searches, universities on 我的成果, platform admins on the administration overview; a safe ``next`` wins."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from tests import factories as f
from tests.web.helpers import csrf_from, login


@pytest.fixture
def roles(app):
    with app.app_context():
        people = {"broker": f.broker(), "admin": f.admin(), "enterprise": f.user(f.organization("enterprise")),
                  "investor": f.user(f.organization("investor")), "university": f.user(f.organization("university")),
                  "institute": f.user(f.organization("institute")), "loner": f.user()}
        db.session.commit()
        return {role: user.email for role, user in people.items()}


LANDINGS = {"broker": "/review", "admin": "/admin", "enterprise": "/workspace?tab=demands",
            "investor": "/subscriptions", "university": "/workspace", "institute": "/workspace", "loner": "/workspace"}


@pytest.mark.parametrize("role", LANDINGS)
def test_each_role_lands_on_its_page(app, roles, role):
    client = app.test_client()
    response = login(client, roles[role])
    assert response.location.removeprefix("http://localhost.test") == LANDINGS[role]
    assert client.get(LANDINGS[role]).status_code == 200
    again = client.get("/login")  # already signed in: the same page
    assert again.status_code == 302 and again.location.removeprefix("http://localhost.test") == LANDINGS[role]


@pytest.mark.parametrize("next_url, expected", [("/achievements?q=%E7%94%B5%E6%B1%A0", "/achievements?q=%E7%94%B5%E6%B1%A0"),
                                                 ("https://evil.example/", "/review"), ("//evil.example", "/review"),
                                                 ("/\\evil.example", "/review")])
def test_a_safe_next_wins(app, roles, next_url, expected):
    client = app.test_client()
    response = client.post("/login", data={"email": roles["broker"], "password": f.PASSWORD, "next": next_url,
                                           "csrf_token": csrf_from(client)})
    assert response.status_code == 302
    assert response.location.removeprefix("http://localhost.test") == expected
