"""Security headers (ASVS 14.4) and the templates that a strict Content-Security-Policy needs."""
from __future__ import annotations

import re
from pathlib import Path

from marketplace import create_app

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

#: a <script> element that has no src and is not a JSON data block — i.e. an inline script
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def test_pages_and_api_answers_carry_the_policy(client):
    for path in ("/", "/api/v1/achievements", "/no-such-page"):
        response = client.get(path)
        policy = _policy(response)
        assert policy["script-src"] == "script-src 'self'", path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        assert policy["frame-ancestors"] == "frame-ancestors 'none'"
        assert policy["object-src"] == "object-src 'none'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_in_production(client, tmp_path, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/").headers
    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    production = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
                             "RATELIMIT_ENABLED": False})  # the limiter is shared by every app: keep it off
    response = production.test_client().get("/static/favicon.svg")
    response.close()
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_template_has_inline_scripts_handlers_or_style_attributes():
    offenders = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for name, pattern in (("inline script", INLINE_SCRIPT), ("event handler", EVENT_HANDLER),
                              ("style attribute", STYLE_ATTRIBUTE)):
            offenders += [f"{template.relative_to(TEMPLATES)}: {name}: {m.group(0)[:60]}"
                          for m in pattern.finditer(text)]
    assert offenders == []


def test_swagger_ui_starts_from_a_script_file(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert INLINE_SCRIPT.search(page) is None
    assert "js/api-docs.js" in page and 'id="swagger-ui-config"' in page
