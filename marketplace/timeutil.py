"""Time helpers: the database stores naive UTC; pages show Asia/Shanghai."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
