"""``Idempotency-Key`` for creating records: the same key sent again (also several times at once) returns the record
the first request created instead of a second one; the same key with another body is a 422.

The key row (:class:`IdempotencyKey`, unique per user, scope and key) is written in the same transaction as the
record it names, so a key is never seen without its record. Concurrent first requests race on the unique
constraint: the losers' insert fails (on SQLite their write waits for the winner's commit; on PostgreSQL the unique
index makes them wait), they roll back and re-read the winner's row, and answer with its record."""
from __future__ import annotations

import hashlib
import json
from typing import Callable

from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..web.messages import N_
from .labels import labelled
from .models import IdempotencyKey

MAX_KEY = 100
HEADER = "Idempotency-Key"


def fingerprint(payload) -> str:
    """sha256 of the request body in canonical JSON (key order and spacing do not matter)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise labelled(ValidationFailed(errors={HEADER: [f"Idempotency-Key 应为 1 到 {MAX_KEY} 个可打印字符"]}))
    return key


def _stored(user_id: int, scope: str, key: str) -> IdempotencyKey | None:
    return db.session.execute(db.select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    ).scalar_one_or_none()


def _replay(stored: IdempotencyKey, digest: str) -> int:
    if stored.fingerprint != digest:
        raise labelled(ValidationFailed(errors={HEADER: [
            N_("该 Idempotency-Key 已用于另一个内容不同的请求；新的请求请使用新的 Idempotency-Key")]}))
    if stored.record_id is None:
        raise Conflict(N_("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试"))
    return stored.record_id


def create_once(actor, scope: str, key: str, payload, create: Callable[[], object]) -> tuple[int, bool]:
    """Run ``create()`` (which flushes a new record) at most once per (``actor``, ``scope``, ``key``) and commit.
    Returns ``(record id, created)``: ``created`` is False when an earlier request with this key made it."""
    key, digest = check_key(key), fingerprint(payload)
    stored = _stored(actor.id, scope, key)
    if stored is not None:
        return _replay(stored, digest), False
    try:
        entry = IdempotencyKey(user_id=actor.id, scope=scope, key=key, fingerprint=digest)
        db.session.add(entry)
        db.session.flush()  # the race is decided here: a concurrent twin fails on the unique constraint
        record = create()
        entry.record_id = record.id
        db.session.commit()
        return record.id, True
    except IntegrityError:
        db.session.rollback()
        stored = _stored(actor.id, scope, key)
        if stored is None:  # another uniqueness clash of the record itself
            raise Conflict(N_("与已有记录冲突（例如编号重复），请刷新后重试")) from None
        return _replay(stored, digest), False
