"""Saved queries (alerts) of the embedded engine: a small SQLite table in the index folder, evaluated in memory
against one new document at a time (the embedded equivalent of a percolator index)."""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from .documents import Prepared
from .engine import SavedQuery
from .planning import QueryPlan, matches, plan_saved


class SavedQueryStore:
    """Persistent saved queries with a per-process cache of their analysed plans."""

    def __init__(self, path: Path):
        self.path = path
        self._plans: dict[tuple[int, str], tuple[str, QueryPlan]] = {}
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS saved_queries (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
                "text TEXT, filters TEXT NOT NULL DEFAULT '{}')"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS saved_queries_kind ON saved_queries (kind)")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def save(self, query: SavedQuery) -> None:
        """Insert or replace a saved query (validated first: unknown filter fields raise ValueError)."""
        plan_saved(query)
        conn = self._connect()
        try:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO saved_queries (id, kind, text, filters) VALUES (?, ?, ?, ?)",
                    (query.id, query.kind, query.text, json.dumps(query.filters, ensure_ascii=False, default=str)),
                )
        finally:
            conn.close()

    def delete(self, query_id: int) -> None:
        conn = self._connect()
        try:
            with conn:
                conn.execute("DELETE FROM saved_queries WHERE id = ?", (query_id,))
        finally:
            conn.close()

    def matching(self, doc: Prepared) -> list[int]:
        """Ids of the saved queries of ``doc.kind`` that ``doc`` matches, ascending."""
        conn = self._connect()
        try:
            rows = conn.execute(
                "SELECT id, text, filters FROM saved_queries WHERE kind = ? ORDER BY id", (doc.kind,)
            ).fetchall()
        finally:
            conn.close()
        out = []
        for query_id, text, filters in rows:
            key = (query_id, doc.kind)
            signature = f"{text}\x00{filters}"
            with self._lock:
                cached = self._plans.get(key)
            if cached is None or cached[0] != signature:
                saved = SavedQuery(id=query_id, kind=doc.kind, text=text, filters=json.loads(filters))
                try:
                    cached = (signature, plan_saved(saved))
                except ValueError:
                    continue  # a field removed from the schema since the query was saved
                with self._lock:
                    self._plans[key] = cached
            if matches(cached[1], doc):
                out.append(query_id)
        return out
