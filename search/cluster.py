"""The search engine over an OpenSearch/Elasticsearch cluster; :mod:`search.opensearch` and
:mod:`search.elasticsearch` only supply the HTTP transport.

Names: index ``<prefix>-<kind>-v<N>`` behind the alias ``<prefix>-<kind>``; saved queries in the percolator index
``<prefix>-<kind>-queries``. During a rebuild the alias ``<prefix>-<kind>-next`` points at the index being built
and every bulk writes to it as well (external versions make the double write safe), so writes made during a rebuild
survive the alias swap.
"""
from __future__ import annotations

import abc
import json
import logging
import re
from typing import Any, Iterable, Iterator

from . import dsl
from .documents import MalformedDocument, prepare
from .engine import (BulkResult, Deletion, Document, Hit, ItemResult, SavedQuery, SearchEngine, SearchQuery,
                     SearchResult)
from .planning import FACET_SIZE, highlights, matched_terms, plan, plan_saved
from .schema import KINDS

log = logging.getLogger(__name__)

BULK_CHUNK = 1000


class ClusterError(Exception):
    """A 4xx answer the engine did not expect (a bug or a misconfigured cluster), with the server's reason."""

    def __init__(self, status: int, info: Any):
        super().__init__(f"HTTP {status}: {json.dumps(info, ensure_ascii=False)[:500]}")
        self.status = status
        self.info = info


class Transport(abc.ABC):
    """Minimal JSON-over-HTTP access; connection failures and 5xx raise :class:`SearchUnavailable`."""

    @abc.abstractmethod
    def request(self, method: str, path: str, body: Any = None, params: dict | None = None,
                ignore: tuple[int, ...] = ()) -> tuple[int, Any]:
        """Returns ``(status, json)``; statuses in ``ignore`` are returned, other 4xx raise :class:`ClusterError`."""

    @abc.abstractmethod
    def bulk(self, lines: list[dict], params: dict | None = None) -> dict:
        """POST ``/_bulk`` with NDJSON built from ``lines``."""

    def close(self) -> None:
        """Release connections."""


class ClusterEngine(SearchEngine):
    """The shared implementation; subclasses set ``name`` and build a :class:`Transport`."""

    def __init__(self, transport: Transport, prefix: str = "market", refresh: str | bool = False,
                 replicas: int = 0, cjk_recall: bool = True):
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", prefix):
            raise ValueError(f"invalid index prefix {prefix!r}")
        self.t = transport
        self.prefix = prefix
        self.refresh = refresh  # "wait_for" makes writes visible before bulk returns (tests)
        self.replicas = replicas
        self.cjk_recall = cjk_recall
        self._ensured = False

    def _ensure_once(self) -> None:
        if not self._ensured:
            self.ensure_indices()

    # -- names ---------------------------------------------------------------------------------------------------
    def alias(self, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        return f"{self.prefix}-{kind}"

    def queries_index(self, kind: str) -> str:
        return f"{self.alias(kind)}-queries"

    def _versions_of_indices(self, kind: str) -> list[int]:
        status, body = self.t.request("GET", f"/{self.alias(kind)}-v*", params={"expand_wildcards": "open"},
                                      ignore=(404,))
        pattern = re.compile(re.escape(self.alias(kind)) + r"-v(\d+)$")
        return sorted(int(m.group(1)) for name in (body or {}) if (m := pattern.match(name)))

    def _alias_targets(self, alias: str) -> list[str]:
        status, body = self.t.request("GET", f"/_alias/{alias}", ignore=(404,))
        return [] if status == 404 else sorted((body or {}).keys())

    def _create_index(self, name: str, mappings: dict, aliases: dict | None = None) -> None:
        body = {"settings": dsl.index_settings(self.replicas), "mappings": mappings}
        if aliases:
            body["aliases"] = aliases
        status, info = self.t.request("PUT", f"/{name}", body, ignore=(400,))
        if status == 400 and "resource_already_exists" not in json.dumps(info):
            raise ClusterError(status, info)

    # -- indexing ------------------------------------------------------------------------------------------------
    def ensure_indices(self) -> None:
        """Create ``<prefix>-<kind>-v1`` + alias and the percolator index of every kind if missing."""
        for kind in KINDS:
            if not self._alias_targets(self.alias(kind)):
                numbers = self._versions_of_indices(kind)
                self._create_index(f"{self.alias(kind)}-v{(numbers[-1] if numbers else 0) + 1}",
                                   dsl.kind_mappings(kind), {self.alias(kind): {}})
            self._ensure_queries_index(kind)
        self._ensured = True

    def _ensure_queries_index(self, kind: str) -> None:
        self._create_index(self.queries_index(kind), dsl.percolator_mappings(kind))

    def bulk(self, documents: Iterable[Document] = (), deletions: Iterable[Deletion] = ()) -> BulkResult:
        """External-versioned bulk; 409 (stale version) counts as ok; per-item failures carry the reason."""
        self._ensure_once()
        ops: list[Document | Deletion] = [*documents, *deletions]
        results: list[ItemResult | None] = [None] * len(ops)
        pending: list[tuple[int, dict, dict | None]] = []
        for pos, op in enumerate(ops):
            try:
                if isinstance(op, Document):
                    body = dsl.source(prepare(op))
                else:
                    prepare(Document(op.kind, op.id, op.version, {}))
                    body = None
            except MalformedDocument as exc:
                results[pos] = ItemResult(id=op.id, ok=False, error=f"malformed: {exc}")
                continue
            action = {"_id": str(op.id), "version": op.version, "version_type": "external"}
            pending.append((pos, {"index" if body is not None else "delete": action}, body))
        next_aliases = {kind: self._alias_targets(f"{self.alias(kind)}-next") for kind in {o.kind for o in ops}}
        for start in range(0, len(pending), BULK_CHUNK):
            chunk = pending[start:start + BULK_CHUNK]
            lines: list[dict] = []
            for pos, action, body in chunk:
                verb = next(iter(action))
                targets = [self.alias(ops[pos].kind), *next_aliases[ops[pos].kind]]
                for target in targets:
                    lines.append({verb: {**action[verb], "_index": target}})
                    if body is not None:
                        lines.append(body)
            params = {"refresh": self.refresh} if self.refresh else None
            answer = self.t.bulk(lines, params)
            items = iter(answer.get("items", []))
            for pos, action, _body in chunk:
                verb = next(iter(action))
                first = next(items, {}).get(verb, {})
                for _extra in next_aliases[ops[pos].kind]:
                    next(items, None)  # the copy into the index being rebuilt; the live index decides
                results[pos] = _item_result(ops[pos].id, first)
        return BulkResult(items=[r or ItemResult(id=o.id, ok=False, error="no answer") for r, o in zip(results, ops)])

    def rebuild(self, kind: str, documents: Iterator[Document]) -> int:
        """Build ``-v<N+1>``, double-write meanwhile through the ``-next`` alias, then swap the alias atomically."""
        alias = self.alias(kind)
        self.ensure_indices()
        old = self._alias_targets(alias)
        numbers = self._versions_of_indices(kind)
        new = f"{alias}-v{(numbers[-1] if numbers else 0) + 1}"
        self._create_index(new, dsl.kind_mappings(kind), {f"{alias}-next": {}})
        try:
            batch: list[dict] = []
            for doc in documents:
                try:
                    body = dsl.source(prepare(doc))
                except MalformedDocument as exc:
                    log.warning("rebuild %s: skipping document %s: %s", kind, getattr(doc, "id", "?"), exc)
                    continue
                batch += [{"index": {"_index": new, "_id": str(doc.id), "version": doc.version,
                                     "version_type": "external"}}, body]
                if len(batch) >= 2 * BULK_CHUNK:
                    self._bulk_rebuild(batch)
                    batch = []
            if batch:
                self._bulk_rebuild(batch)
            self.t.request("POST", f"/{new}/_refresh")
            actions = [{"remove": {"index": name, "alias": alias}} for name in old]
            actions += [{"add": {"index": new, "alias": alias}}, {"remove": {"index": new, "alias": f"{alias}-next"}}]
            self.t.request("POST", "/_aliases", {"actions": actions})
        except BaseException:
            self.t.request("DELETE", f"/{new}", ignore=(404,))
            raise
        # Keep the previous index for in-flight searches; drop the ones before it.
        for number in self._versions_of_indices(kind):
            name = f"{alias}-v{number}"
            if name != new and name not in old:
                self.t.request("DELETE", f"/{name}", ignore=(404,))
        return self.count(kind)

    def _bulk_rebuild(self, lines: list[dict]) -> None:
        answer = self.t.bulk(lines)
        for item in answer.get("items", []):
            result = _item_result(0, item.get("index", {}))
            if not result.ok:
                log.warning("rebuild: document %s rejected: %s", item.get("index", {}).get("_id"), result.error)

    # -- reading -------------------------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query (matching rules in :mod:`search.planning`)."""
        self._ensure_once()
        p = plan(query)
        status, body = self.t.request("POST", f"/{self.alias(query.kind)}/_search",
                                      dsl.search_body(p, self.cjk_recall, FACET_SIZE))
        hits = []
        for raw in body["hits"]["hits"]:
            src = raw.get("_source") or {}
            tokens: set[str] = dsl.weighted_matches(p, raw.get("matched_queries") or [])
            for name in p.fields if p.text_terms else ():
                value = src.get(name)
                if isinstance(value, str):
                    tokens.update(value.split())
            hit = Hit(id=int(raw["_id"]), score=float(raw.get("_score") or 0.0) if not p.sort else 0.0,
                      matched_terms=matched_terms(p, tokens) if p.has_match and p.matched_terms else [])
            if p.highlight:
                hit.highlights = highlights(p, src.get("_raw") or {})
            hits.append(hit)
        total = body["hits"]["total"]
        total = total["value"] if isinstance(total, dict) else int(total)
        return SearchResult(hits=hits, total=total, facets=dsl.facet_counts(body.get("aggregations", {}), p))

    def suggest(self, kind: str, prefix: str, size: int = 8) -> list[str]:
        """Suggestions starting with ``prefix`` (by document count), then ones containing its words."""
        from .analysis import ascii_lower, tokenize, unique

        prefix = (prefix or "").strip()[:50]
        if not prefix or size <= 0:
            return []
        key = ascii_lower(prefix)
        self._ensure_once()
        body = {"size": 0, "query": {"prefix": {"suggest": {"value": key}}},
                "aggs": {"s": {"terms": {"field": "suggest.raw", "size": 200}}}}
        _, answer = self.t.request("POST", f"/{self.alias(kind)}/_search", body)
        buckets = answer.get("aggregations", {}).get("s", {}).get("buckets", [])
        ranked = sorted(((-b["doc_count"], ascii_lower(b["key"]), b["key"]) for b in buckets
                         if ascii_lower(b["key"]).startswith(key)))
        out = dict.fromkeys(k for _, _, k in ranked)
        tokens = unique(tokenize(prefix), 8)
        if len(out) < size and tokens:
            title = next(n for n, s in KINDS[kind].items() if s.type == "text")
            body = {"size": size * 3, "_source": ["suggest"],
                    "query": {"bool": {"must": [{"term": {title: t}} for t in tokens]}}}
            _, answer = self.t.request("POST", f"/{self.alias(kind)}/_search", body)
            for raw in answer["hits"]["hits"]:
                for text in (raw.get("_source") or {}).get("suggest", []):
                    if key in ascii_lower(text):
                        out.setdefault(text, None)
        return list(out)[:size]

    def versions(self, kind: str) -> dict[int, int]:
        """Every indexed id with its version (``search_after`` over ``doc_id``)."""
        self._ensure_once()
        out: dict[int, int] = {}
        after = None
        while True:
            body: dict[str, Any] = {"size": 5000, "_source": False, "version": True, "sort": [{"doc_id": "asc"}],
                                    "query": {"match_all": {}}}
            if after is not None:
                body["search_after"] = after
            _, answer = self.t.request("POST", f"/{self.alias(kind)}/_search", body)
            hits = answer["hits"]["hits"]
            for raw in hits:
                out[int(raw["_id"])] = int(raw["_version"])
            if len(hits) < 5000:
                return out
            after = hits[-1]["sort"]

    def count(self, kind: str) -> int:
        self._ensure_once()
        _, answer = self.t.request("GET", f"/{self.alias(kind)}/_count")
        return int(answer["count"])

    def health(self) -> dict[str, Any]:
        """Cluster status; never raises."""
        try:
            _, answer = self.t.request("GET", "/_cluster/health")
            status = answer.get("status")
            info = {"ok": status in ("green", "yellow"), "engine": self.name, "status": status,
                    "cluster": answer.get("cluster_name"), "prefix": self.prefix}
        except Exception as exc:  # health must answer, whatever broke
            return {"ok": False, "engine": self.name, "error": f"{type(exc).__name__}: {exc}"}
        try:
            info["kinds"] = self._index_formats()
        except Exception:  # a missing or unreadable index is not a health failure
            pass
        return info

    def _index_formats(self) -> dict[str, dict[str, Any]]:
        """Per kind: the :data:`~search.dsl.INDEX_FORMAT` of the live index and whether it is older than this code's
        (then ``flask search reindex`` rebuilds it with the current settings)."""
        aliases = ",".join(self.alias(kind) for kind in KINDS)
        _, answer = self.t.request("GET", f"/{aliases}/_mapping", params={"ignore_unavailable": "true"})
        out: dict[str, dict[str, Any]] = {}
        for index, body in (answer or {}).items():
            kind = next((k for k in KINDS if re.fullmatch(re.escape(self.alias(k)) + r"-v\d+", index)), None)
            if kind:
                found = dsl.index_format((body or {}).get("mappings") or {})
                out[kind] = {"index": index, "format": found, "outdated": found < dsl.INDEX_FORMAT}
        return out

    # -- saved queries -------------------------------------------------------------------------------------------
    def save_query(self, query: SavedQuery) -> None:
        """Store a saved query in the kind's percolator index."""
        self._ensure_once()
        body = {"query": dsl.percolator_query(plan_saved(query)), "saved_id": query.id}
        for kind in KINDS:  # an id lives in one kind only: drop it elsewhere
            if kind != query.kind:
                self.t.request("DELETE", f"/{self.queries_index(kind)}/_doc/{int(query.id)}", ignore=(404,))
        # refresh=true: alerts are few, and a saved query must apply to the very next document
        self.t.request("PUT", f"/{self.queries_index(query.kind)}/_doc/{int(query.id)}", body,
                       params={"refresh": "true"})

    def delete_query(self, query_id: int) -> None:
        for kind in KINDS:
            self.t.request("DELETE", f"/{self.queries_index(kind)}/_doc/{int(query_id)}",
                           params={"refresh": "true"}, ignore=(404,))

    def percolate(self, document: Document) -> list[int]:
        """Ids of the saved queries the document matches (percolate query)."""
        self._ensure_once()
        try:
            body = dsl.source(prepare(document))
        except MalformedDocument:
            return []
        body.pop("_raw", None)
        query = {"size": 10_000, "_source": False, "query": {"percolate": {"field": "query", "document": body}}}
        _, answer = self.t.request("POST", f"/{self.queries_index(document.kind)}/_search", query)
        return sorted(int(raw["_id"]) for raw in answer["hits"]["hits"])

    def close(self) -> None:
        self.t.close()


def _item_result(doc_id: int, item: dict) -> ItemResult:
    status = int(item.get("status", 500))
    if status < 300 or status == 409 or (status == 404 and item.get("result") == "not_found"):
        return ItemResult(id=doc_id, ok=True)
    error = item.get("error") or {}
    reason = error.get("reason") if isinstance(error, dict) else str(error)
    kind = error.get("type") if isinstance(error, dict) else None
    return ItemResult(id=doc_id, ok=False, error=f"{kind or 'error'}: {reason or status}")
