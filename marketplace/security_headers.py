"""Security headers on every response: a Content-Security-Policy without inline scripts, framing refused,
the referrer kept on this site, nosniff, and HSTS in production (ASVS 14.4).

Every page works under this policy: scripts are files in static/ (data for them travels in
``<script type="application/json">`` blocks, which are not executed), and no template has an inline script, event
handler attribute or ``style`` attribute (tests/web/test_security_headers.py scans every template)."""

from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register(app: Flask) -> None:
    hsts_seconds = app.config.get("HSTS_SECONDS", 0)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if hsts_seconds:
            headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
        return response
