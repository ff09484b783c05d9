"""The default search engine: a tantivy index per kind in a local folder, no server.

Concurrency: any number of reading processes; writes take a per-kind ``fcntl`` lock (see :mod:`embedded_store`)
and raise :class:`WriterBusy` when another process keeps it longer than ``lock_timeout``. Every ``bulk`` call is
one tantivy commit; readers notice it on their next search.

Versions are external: ``state.sqlite`` keeps the last version (and tombstones) of every id, so an older document
or deletion never overwrites a newer one. ``rebuild`` builds ``gen-<n+1>`` next to the live generation while
searches and writes continue; writes made meanwhile are journaled and replayed before the ``CURRENT`` swap.
"""
from __future__ import annotations

import contextlib
import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

import tantivy

from . import analysis
from .documents import MalformedDocument, Prepared, prepare
from .embedded_query import build_document, facet_aggregation, facet_counts, full_query, match_query
from .embedded_store import KindStore, WriterBusy, create_index, open_index
from .engine import (BulkResult, Deletion, Document, Hit, ItemResult, SavedQuery, SearchEngine, SearchQuery,
                     SearchResult, SearchUnavailable)
from .planning import FACET_SIZE, QueryPlan, facet_passes, highlights, matched_terms, plan
from .saved_queries import SavedQueryStore
from .schema import KINDS

log = logging.getLogger(__name__)

REBUILD_MARKER_MAX_AGE = 24 * 3600  # a rebuild older than this is considered crashed: stop journaling for it


class EmbeddedEngine(SearchEngine):
    """tantivy indexes under ``path`` (``<instance>/search-index``)."""

    name = "embedded"

    def __init__(self, path: str | Path, *, writer_heap: int = 128_000_000, writer_threads: int = 0,
                 lock_timeout: float = 2.0):
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        self.writer_heap = writer_heap
        self.writer_threads = writer_threads
        self._stores = {kind: KindStore(self.root, kind, lock_timeout) for kind in KINDS}
        self._queries = SavedQueryStore(self.root / "queries.sqlite")
        self._last_match: tuple[tuple, tantivy.Query] | None = None

    def _store(self, kind: str) -> KindStore:
        try:
            return self._stores[kind]
        except KeyError:
            raise ValueError(f"unknown kind {kind!r}") from None

    # -- indexing ------------------------------------------------------------------------------------------------
    def ensure_indices(self) -> None:
        """Create the first generation of every kind (idempotent)."""
        for store in self._stores.values():
            store.ensure()

    def bulk(self, documents: Iterable[Document] = (), deletions: Iterable[Deletion] = ()) -> BulkResult:
        """Index and delete with external versions: one commit per kind; malformed documents fail alone."""
        ops: list[Document | Deletion] = [*documents, *deletions]
        results: dict[int, ItemResult] = {}
        by_kind: dict[str, list[tuple[int, Document | Deletion, Prepared | None]]] = {}
        for pos, op in enumerate(ops):
            try:
                prepared = prepare(op) if isinstance(op, Document) else None
                if isinstance(op, Deletion):
                    prepare(Document(op.kind, op.id, op.version, {}))  # validates kind, id and version
            except MalformedDocument as exc:
                results[pos] = ItemResult(id=op.id, ok=False, error=f"malformed: {exc}")
                continue
            by_kind.setdefault(op.kind, []).append((pos, op, prepared))
        for kind, items in by_kind.items():
            for pos, result in self._apply(self._store(kind), items).items():
                results[pos] = result
        return BulkResult(items=[results[pos] for pos in range(len(ops))])

    def _apply(self, store: KindStore, items: list) -> dict[int, ItemResult]:
        store.ensure()
        out: dict[int, ItemResult] = {}
        with store.write_lock():
            conn = store.state()
            try:
                known = _load_versions(conn, [op.id for _, op, _ in items])
                marker = conn.execute("SELECT value FROM meta WHERE key = 'rebuild_started'").fetchone()
                journaling = marker is not None and time.time() - float(marker[0]) < REBUILD_MARKER_MAX_AGE
                index = open_index(store.dir / store.current_generation())
                writer = index.writer(self.writer_heap, self.writer_threads)
                changed: dict[int, tuple[int, int]] = {}
                journal = []
                for pos, op, prepared in items:
                    if op.version <= known.get(op.id, -1):
                        out[pos] = ItemResult(id=op.id, ok=True)  # stale: a newer version is already applied
                        continue
                    writer.delete_documents_by_term("_id", op.id)
                    is_doc = isinstance(op, Document)
                    if is_doc:
                        writer.add_document(build_document(prepared))
                    known[op.id] = op.version
                    changed[op.id] = (op.version, 0 if is_doc else 1)
                    if journaling:
                        payload = store.journal_payload(op.fields) if is_doc else None
                        journal.append((op.id, op.version, "index" if is_doc else "delete", payload))
                    out[pos] = ItemResult(id=op.id, ok=True)
                if changed:
                    writer.commit()
                    writer.wait_merging_threads()
                    with conn:
                        conn.executemany(
                            "INSERT OR REPLACE INTO versions (id, version, deleted) VALUES (?, ?, ?)",
                            [(i, v, d) for i, (v, d) in changed.items()],
                        )
                        conn.executemany("INSERT INTO journal (id, version, op, payload) VALUES (?, ?, ?, ?)", journal)
                    store.touch_stamp()
                else:
                    writer.rollback()
                del writer
            except (OSError, ValueError) as exc:
                raise SearchUnavailable(f"embedded index {store.kind!r}: {exc}") from exc
            finally:
                conn.close()
        return out

    def rebuild(self, kind: str, documents: Iterator[Document]) -> int:
        """Build a new generation from ``documents`` while the live one keeps serving, replay concurrent writes,
        then swap ``CURRENT``. Malformed documents are skipped (logged). Returns the new document count."""
        store = self._store(kind)
        store.ensure()
        with store.write_lock(timeout=30):
            conn = store.state()
            with conn:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('rebuild_started', ?)", (str(time.time()),))
                conn.execute("DELETE FROM journal")
            conn.close()
            gen = store.next_generation()
            (store.dir / gen).mkdir()
        writer = None
        try:
            index = create_index(kind, store.dir / gen)
            writer = index.writer(self.writer_heap, self.writer_threads)
            versions: dict[int, tuple[int, int]] = {}
            for doc in documents:
                try:
                    prepared = prepare(doc)
                except MalformedDocument as exc:
                    log.warning("rebuild %s: skipping document %s: %s", kind, getattr(doc, "id", "?"), exc)
                    continue
                if doc.kind != kind or doc.version <= versions.get(doc.id, (-1, 0))[0]:
                    continue
                if doc.id in versions:
                    writer.delete_documents_by_term("_id", doc.id)
                writer.add_document(build_document(prepared))
                versions[doc.id] = (doc.version, 0)
            writer.commit()
            with store.write_lock(timeout=60):
                conn = store.state()
                try:
                    self._replay_journal(conn, kind, writer, versions)
                    writer.commit()
                    writer.wait_merging_threads()
                    with conn:
                        conn.execute("DELETE FROM versions")
                        conn.executemany("INSERT INTO versions (id, version, deleted) VALUES (?, ?, ?)",
                                         [(i, v, d) for i, (v, d) in versions.items()])
                        conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (gen,))
                        conn.execute("DELETE FROM meta WHERE key = 'rebuild_started'")
                        conn.execute("DELETE FROM journal")
                    tmp = store.dir / f".CURRENT.{gen}.tmp"
                    tmp.write_text(gen, encoding="utf-8")
                    tmp.replace(store.dir / "CURRENT")
                    store.touch_stamp()
                finally:
                    conn.close()
        except BaseException:
            if writer is not None:  # stop the indexing threads before removing their directory
                with contextlib.suppress(Exception):  # the writer may already be consumed
                    writer.rollback()
                    writer.wait_merging_threads()
            writer = index = None
            conn = store.state()
            with conn:
                conn.execute("DELETE FROM meta WHERE key = 'rebuild_started'")
            conn.close()
            if store.current_generation() != gen:
                shutil.rmtree(store.dir / gen, ignore_errors=True)
            raise
        store.remove_old_generations(keep=2)
        return sum(1 for _, deleted in versions.values() if not deleted)

    @staticmethod
    def _replay_journal(conn, kind: str, writer: tantivy.IndexWriter, versions: dict) -> None:
        rows = conn.execute("SELECT id, version, op, payload FROM journal ORDER BY seq").fetchall()
        for doc_id, version, op, payload in rows:
            if version <= versions.get(doc_id, (-1, 0))[0]:
                continue
            writer.delete_documents_by_term("_id", doc_id)
            if op == "index":
                try:
                    writer.add_document(build_document(prepare(Document(kind, doc_id, version, json.loads(payload)))))
                except MalformedDocument:
                    continue
            versions[doc_id] = (version, 0 if op == "index" else 1)

    # -- reading -------------------------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query (see :mod:`search.planning` for the matching rules)."""
        p = plan(query)
        store = self._store(query.kind)
        searcher = store.searcher()
        schema = store.schema()
        match = self._match_query(schema, p)
        q = full_query(schema, p, match)
        kwargs: dict[str, Any] = {"limit": max(p.size, 1), "offset": p.offset, "count": True}
        if p.sort:
            kwargs["order_by_field"] = p.sort[0]
            kwargs["order"] = tantivy.Order.Desc if p.sort[1] else tantivy.Order.Asc
        try:
            result = searcher.search(q, **kwargs)
            found = result.hits[: p.size]
            addresses = [address for _, address in found]
            ids = searcher.fast_field_values("_id", addresses) if addresses else []
            hits = []
            for (score, address), doc_id in zip(found, ids):
                hit = _StoredHit(int(doc_id), float(score) if not p.sort else 0.0, searcher, address, p)
                if p.highlight:
                    hit.highlights = highlights(p, hit.source()["raw"])
                hits.append(hit)
            facets = _facets(searcher, schema, p, q, match)
        except ValueError as exc:
            raise SearchUnavailable(f"embedded search failed: {exc}") from exc
        return SearchResult(hits=hits, total=int(result.count or 0), facets=facets)

    def _match_query(self, schema: tantivy.Schema, p) -> tantivy.Query:
        """The scoring part of ``p``, reused when the previous search had the same one: matching searches twice
        with the same terms (then with boosts), and building a long demand's few hundred term queries costs about
        0.4 ms. Queries are immutable and the schema of a kind is fixed, so reuse across generations is safe."""
        key = (p.kind, tuple(p.text_terms), p.min_match, tuple(p.weighted), tuple(p.fields.items()))
        last = self._last_match
        if last is not None and last[0] == key:
            return last[1]
        match = match_query(schema, p)
        self._last_match = (key, match)
        return match

    def suggest(self, kind: str, prefix: str, size: int = 8) -> list[str]:
        """Suggestions whose text starts with ``prefix`` (most frequent first), then ones containing its words."""
        prefix = (prefix or "").strip()[:50]
        if not prefix or size <= 0:
            return []
        store = self._store(kind)
        searcher = store.searcher()
        key = analysis.ascii_lower(prefix)
        out: dict[str, None] = {}
        for term, _count in searcher.terms_with_prefix("_suggest", key, filter_query=tantivy.Query.all_query(),
                                                       limit=size * 2):
            out.setdefault(term.split("\x1f", 1)[-1], None)
        if len(out) < size:
            tokens = analysis.unique(analysis.tokenize(prefix), 8)
            title = next(n for n, s in KINDS[kind].items() if s.type == "text")
            if tokens:
                schema = store.schema()
                q = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, tantivy.Query.term_query(schema, title, t, index_option="freq"))
                     for t in tokens])
                for _, address in searcher.search(q, limit=size * 3).hits:
                    for text in json.loads(searcher.doc(address).get_first("_sug") or b"[]"):
                        if key in analysis.ascii_lower(text):
                            out.setdefault(text, None)
        return list(out)[:size]

    def versions(self, kind: str) -> dict[int, int]:
        """Every live id of ``kind`` with its version, read from the index's fast fields."""
        searcher = self._store(kind).searcher()
        total = searcher.num_docs
        if not total:
            return {}
        addresses = [a for _, a in searcher.search(tantivy.Query.all_query(), limit=total, count=False).hits]
        ids = searcher.fast_field_values("_id", addresses)
        vers = searcher.fast_field_values("_version", addresses)
        return {int(i): int(v) for i, v in zip(ids, vers)}

    def count(self, kind: str) -> int:
        """Number of live documents of ``kind``."""
        return int(self._store(kind).searcher().num_docs)

    def health(self) -> dict[str, Any]:
        """Engine status with per-kind counts and generations; never raises."""
        info: dict[str, Any] = {"ok": True, "engine": self.name, "path": str(self.root),
                                "analysis": analysis.fingerprint(), "kinds": {}}
        try:
            for kind, store in self._stores.items():
                info["kinds"][kind] = {"docs": int(store.searcher().num_docs),
                                       "generation": store.current_generation()}
        except Exception as exc:  # health must answer, whatever broke
            info.update(ok=False, error=f"{type(exc).__name__}: {exc}")
        return info

    # -- saved queries -------------------------------------------------------------------------------------------
    def save_query(self, query: SavedQuery) -> None:
        """Store (or replace) a saved query for :meth:`percolate`."""
        self._queries.save(query)

    def delete_query(self, query_id: int) -> None:
        self._queries.delete(query_id)

    def percolate(self, document: Document) -> list[int]:
        """Ids of the saved queries of the document's kind that it matches (evaluated in memory)."""
        try:
            prepared = prepare(document)
        except MalformedDocument:
            return []
        return self._queries.matching(prepared)

    def close(self) -> None:
        """Drop cached readers (files are released when the objects are collected)."""
        for kind in list(self._stores):
            self._stores[kind] = KindStore(self.root, kind, self._stores[kind].lock_timeout)


class _StoredHit(Hit):
    """A hit whose stored document (token set, raw texts) is read on first use: reading and decoding it costs more
    than the search itself for a hundred hits, and matching needs the matched terms of its first few hits only.
    The searcher is a snapshot, so a later read sees the document as it was searched."""

    def __init__(self, id: int, score: float, searcher: tantivy.Searcher, address, p) -> None:
        super().__init__(id=id, score=score)  # sets matched_terms to [] through the setter below
        self._searcher, self._address, self._plan = searcher, address, p
        self._src: dict | None = None
        self._terms: list[str] | None = None  # not read yet

    def source(self) -> dict:
        if self._src is None:
            self._src = json.loads(self._searcher.doc(self._address)["_src"][0])
        return self._src

    @property  # type: ignore[override]
    def matched_terms(self) -> list[str]:
        if self._terms is None:
            self._terms = (matched_terms(self._plan, set(self.source()["tok"].split())) if self._plan.matched_terms
                           else [])
        return self._terms

    @matched_terms.setter
    def matched_terms(self, value: list[str]) -> None:
        self._terms = list(value)


def _facets(searcher: tantivy.Searcher, schema: tantivy.Schema, p: QueryPlan, q: tantivy.Query,
            match: tantivy.Query) -> dict:
    """Disjunctive facet counts: one aggregation per :func:`facet_passes` pass (``q`` is the fully filtered
    query, ``match`` its scoring part; a pass that leaves a filter out aggregates over the query without it)."""
    counts: dict[str, dict[str, int]] = {}
    for fp in facet_passes(p):
        query = q if fp.without is None else full_query(schema, p.without_filters((fp.without,)), match)
        counts.update(facet_counts(searcher.aggregate(query, facet_aggregation(fp.fields, FACET_SIZE)), fp.fields))
    return {name: counts[name] for name in p.facets}


def _load_versions(conn, ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    unique_ids = list(dict.fromkeys(ids))
    for start in range(0, len(unique_ids), 500):
        chunk = unique_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for doc_id, version in conn.execute(f"SELECT id, version FROM versions WHERE id IN ({marks})", chunk):
            out[doc_id] = version
    return out


__all__ = ["EmbeddedEngine", "WriterBusy"]
