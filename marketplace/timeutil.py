"""Time helpers: the database stores naive UTC; people read times in one zone, DISPLAY_TIMEZONE (Asia/Shanghai by
default), on every page, e-mail and export: through :func:`to_display` (the ``local_time`` template filter)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def display_zone() -> ZoneInfo:
    """The configured display time zone (DISPLAY_TIMEZONE)."""
    name = current_app.config.get("DISPLAY_TIMEZONE") if has_app_context() else None
    return _zone(name or DEFAULT_ZONE)


def to_display(value: datetime) -> datetime:
    """``value`` in the display zone: naive values are UTC (as stored), aware ones are converted."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(display_zone())


def display_now() -> datetime:
    return datetime.now(display_zone())


def display_today() -> date:
    """Today where the users are (a date typed in a form means this calendar, not the server's)."""
    return display_now().date()


def parse_stamp(text: str) -> datetime | None:
    """An ISO 8601 time written by the application (``…Z``, with an offset, or naive UTC); None if unreadable."""
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
