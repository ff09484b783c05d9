"""A real server (werkzeug, in a thread, on a free loopback port) with its own migrated SQLite database, and Debian's
Chromium driven by Playwright. Without /usr/bin/chromium the tests skip, unless REQUIRE_BROWSER=1 (CI) makes
that a failure."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from werkzeug.serving import WSGIRequestHandler, make_server

from marketplace import create_app
from marketplace.extensions import db
from tests import factories as f
from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


_RESPONSE_BODY = "browser_tests.response_body"


def _remembering_response_body(app):
    """``app`` as a WSGI callable that leaves the iterable it returns in the request's environ."""
    def serve(environ, start_response):
        body = app(environ, start_response)
        environ[_RESPONSE_BODY] = body
        return body
    return serve


class _ClosingRequestHandler(WSGIRequestHandler):
    """Closes the response when the browser drops the connection. Werkzeug 3.1's ``run_wsgi`` closes it only after
    draining the unread request body, and that read raises when Chromium resets the connection (it does, on
    navigating away while the favicon loads). The static file then stays open until garbage collection, and its
    ResourceWarning fails whichever test happens to be running."""

    def connection_dropped(self, error, environ=None):
        body = (environ or {}).pop(_RESPONSE_BODY, None)
        if hasattr(body, "close"):
            body.close()


def _require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} not found: install it with `apt-get install -y chromium` to run the browser tests"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The application served over HTTP, with an owner, a broker and their organisations."""
    _require_browser()
    instance = tmp_path_factory.mktemp("browser-instance")
    app = create_app({
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'browser.db'}",
        "SECRET_KEY": "browser-tests",
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "RATELIMIT_ENABLED": False,
        "SEARCH_AUTO_DRAIN": False,
    })
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"))
        university = f.organization("university", name="长春理工示范大学")
        owner = f.user(university, role="org_admin", email="owner@browser.test")
        broker = f.user(f.organization("broker_agency", name="吉林技术转移中心"), platform_role="broker",
                        email="broker@browser.test")
        db.session.commit()
        accounts = SimpleNamespace(owner=owner.email, broker=broker.email, password=f.PASSWORD)
    server = make_server("127.0.0.1", 0, _remembering_response_body(app), threaded=True,
                         request_handler=_ClosingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app, accounts=accounts)
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_for(browser):
    """``page_for()`` opens a fresh browser context (its own cookies) and returns a page in it."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
