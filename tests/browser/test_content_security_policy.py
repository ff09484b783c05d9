"""Pages work in Chromium under the strict Content-Security-Policy: no violation is reported, the API docs start
Swagger UI from a script file, and the contract form's script still runs."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_publish_flow import sign_in


def _watch_violations(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations


def test_api_docs_render_under_the_policy(live_server, page_for):
    page = page_for()
    violations = _watch_violations(page)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert violations == []


def test_signed_in_pages_raise_no_violation(live_server, page_for):
    page = page_for()
    violations = _watch_violations(page)
    sign_in(page, live_server.url, live_server.accounts.broker, live_server.accounts.password)
    for path in ("/", "/search?q=电池", "/deals/new", "/statistics"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
    assert violations == []
