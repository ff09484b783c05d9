"""Recording audit events. Services call :func:`record` inside their transaction."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent


def record(actor, action: str, target, details: dict[str, Any] | None = None) -> AuditEvent:
    """Add an audit event for ``action`` by ``actor`` (a User or None for the system) on ``target`` (a model)."""
    ip = None
    if has_request_context():
        ip = request.headers.get("X-Forwarded-For", request.remote_addr or "").split(",")[0].strip() or None
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__tablename__,
        target_id=getattr(target, "id", None),
        details=details,
        ip=ip,
    )
    db.session.add(event)
    return event
