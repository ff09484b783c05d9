"""Helpers for page tests: sign in through the real form, read CSRF tokens from pages."""
from __future__ import annotations

import re

from tests import factories as f

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client, url: str = "/login") -> str:
    """The CSRF token embedded in the form on ``url``."""
    response = client.get(url)
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, email: str, password: str = f.PASSWORD):
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post(client, url: str, data: dict | None = None, token_page: str = "/", **kwargs):
    """POST with a valid CSRF token taken from a page of the current session."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_from(client, token_page))
    return client.post(url, data=data, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)
