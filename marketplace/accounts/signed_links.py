"""Signed, expiring tokens for the links that account e-mails carry (password reset, address verification).

A token is the payload signed with the application's ``SECRET_KEY`` and a salt per purpose (a token made for one
purpose is worthless for another) and timestamped; :func:`read` refuses a tampered, foreign or expired token."""
from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"techmarket.{purpose}")


def sign(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age: float) -> dict[str, Any] | None:
    """The payload of a valid token for ``purpose`` issued at most ``max_age`` seconds ago, else None."""
    try:
        payload = _serializer(purpose).loads(token or "", max_age=max_age)
    except BadSignature:  # SignatureExpired is one
        return None
    return payload if isinstance(payload, dict) else None
