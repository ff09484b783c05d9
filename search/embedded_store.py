"""On-disk layout, locking and reader refresh of the embedded engine (one :class:`KindStore` per kind).

Layout under the engine folder::

    <root>/<kind>/CURRENT        name of the live generation, e.g. "gen-3" (replaced atomically by rename)
    <root>/<kind>/STAMP          rewritten (rename) after every commit/swap; readers stat it to know when to reload
    <root>/<kind>/gen-<n>/       a tantivy index
    <root>/<kind>/state.sqlite   external versions and tombstones of the live generation, rebuild journal
    <root>/<kind>/write.lock     fcntl lock: one writing process at a time

Readers never take a lock: they stat STAMP (cheap) before each search and reopen/reload the index when it changed,
so a commit in another process is visible to the next search.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterator

import tantivy

from .engine import SearchUnavailable
from .schema import KINDS

WS_TOKENIZER = "ws"  # tokens are pre-analysed by search.analysis and joined with spaces


class WriterBusy(SearchUnavailable):
    """Another process holds the write lock of this index; retry later (the caller's outbox keeps the work)."""


def build_schema(kind: str) -> tantivy.Schema:
    """The tantivy schema of a kind, derived from :mod:`search.schema`."""
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("_id", indexed=True, fast=True)
    sb.add_integer_field("_version", fast=True)
    sb.add_bytes_field("_src", stored=True)  # JSON: raw highlight texts and token set
    sb.add_bytes_field("_sug", stored=True)  # JSON list of suggestion strings (kept apart: suggest reads it often)
    sb.add_text_field("_suggest", tokenizer_name="raw", index_option="basic")
    for spec in KINDS[kind].values():
        if spec.type == "text":
            sb.add_text_field(spec.name, tokenizer_name=WS_TOKENIZER, index_option="freq")
        elif spec.type in ("keyword", "bool"):
            sb.add_text_field(spec.name, tokenizer_name="raw", fast=True, index_option="basic")
        elif spec.type == "int":
            sb.add_integer_field(spec.name, indexed=True, fast=True)
        elif spec.type == "float":
            sb.add_float_field(spec.name, indexed=True, fast=True)
        elif spec.type == "date":
            sb.add_date_field(spec.name, indexed=True, fast=True)
    return sb.build()


def open_index(path: Path) -> tantivy.Index:
    """Open a generation directory and register the analyzers it needs."""
    index = tantivy.Index.open(str(path))
    index.register_tokenizer(WS_TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index


def create_index(kind: str, path: Path) -> tantivy.Index:
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(build_schema(kind), path=str(path), reuse=False)
    index.register_tokenizer(WS_TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class KindStore:
    """Files, locks and the cached reader of one kind."""

    def __init__(self, root: Path, kind: str, lock_timeout: float = 2.0):
        self.kind = kind
        self.dir = root / kind
        self.lock_timeout = lock_timeout
        self._reader: tantivy.Index | None = None
        self._reader_gen: str | None = None
        self._stamp_key: tuple | None = None
        self._mutex = threading.RLock()  # serialises writers of this process
        self._reader_mutex = threading.Lock()

    # -- paths and state ---------------------------------------------------------------------------------------
    def current_generation(self) -> str | None:
        try:
            return (self.dir / "CURRENT").read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def next_generation(self) -> str:
        numbers = [int(p.name[4:]) for p in self.dir.glob("gen-*") if p.name[4:].isdigit()]
        return f"gen-{max(numbers, default=0) + 1}"

    def state(self) -> sqlite3.Connection:
        """A connection to the kind's state database (callers close it)."""
        conn = sqlite3.connect(self.dir / "state.sqlite", timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(
            """CREATE TABLE IF NOT EXISTS versions (id INTEGER PRIMARY KEY, version INTEGER NOT NULL,
                                                    deleted INTEGER NOT NULL DEFAULT 0);
               CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
               CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL,
                                                   version INTEGER NOT NULL, op TEXT NOT NULL, payload TEXT);"""
        )
        return conn

    def touch_stamp(self) -> None:
        _atomic_write(self.dir / "STAMP", f"{self.current_generation()} {time.time_ns()}")

    # -- creation ------------------------------------------------------------------------------------------------
    def ensure(self) -> None:
        """Create the first generation if the kind has none (idempotent, safe across processes)."""
        if self.current_generation():
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.write_lock(timeout=30):
            if self.current_generation():
                return
            gen = self.next_generation()
            create_index(self.kind, self.dir / gen)
            conn = self.state()
            try:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (gen,))
            finally:
                conn.close()
            _atomic_write(self.dir / "CURRENT", gen)
            self.touch_stamp()

    # -- locking ---------------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def write_lock(self, timeout: float | None = None) -> Iterator[None]:
        """Exclusive write access across processes; raises :class:`WriterBusy` after ``timeout`` seconds."""
        timeout = self.lock_timeout if timeout is None else timeout
        with self._mutex:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.dir / "write.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise WriterBusy(f"another process is writing the {self.kind!r} index") from None
                        time.sleep(0.02)
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    # -- reading ---------------------------------------------------------------------------------------------------
    def _stamp(self) -> tuple | None:
        try:
            st = os.stat(self.dir / "STAMP")
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def searcher(self) -> tantivy.Searcher:
        """A searcher over the latest commit of the live generation (reloaded when STAMP changed)."""
        key = self._stamp()
        if key is None:
            self.ensure()
            key = self._stamp()
        if key != self._stamp_key or self._reader is None:
            with self._reader_mutex:
                if key != self._stamp_key or self._reader is None:
                    gen = self.current_generation()
                    if gen is None:
                        raise SearchUnavailable(f"no index for {self.kind!r}")
                    reader = self._reader
                    if gen != self._reader_gen or reader is None:
                        # configured before other threads can see it: config_reader borrows the index mutably, and
                        # a concurrent searcher() on it would fail with "Already mutably borrowed"
                        reader = open_index(self.dir / gen)
                        reader.config_reader("manual")
                    reader.reload()
                    self._reader, self._reader_gen, self._stamp_key = reader, gen, key
        return self._reader.searcher()

    def schema(self) -> tantivy.Schema:
        self.searcher()
        assert self._reader is not None
        return self._reader.schema

    # -- rebuild bookkeeping -------------------------------------------------------------------------------------
    def remove_old_generations(self, keep: int = 2) -> None:
        """Delete generations older than the last ``keep`` (readers of the previous one keep working)."""
        gens = sorted((p for p in self.dir.glob("gen-*") if p.name[4:].isdigit()), key=lambda p: int(p.name[4:]))
        current = self.current_generation()
        for path in gens[:-keep]:
            if path.name != current:
                shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def journal_payload(fields: dict) -> str:
        return json.dumps(fields, ensure_ascii=False, default=str)
