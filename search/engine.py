"""The interface every search engine implements, and the value types that cross it.

The search layer knows nothing of the marketplace: it indexes and queries *documents* (plain dicts whose
fields are declared in :mod:`search.schema`) of a few *kinds* (``achievement``, ``patent``, ``demand``,
``organization``). The application maps its models to documents and loads result rows back from its database.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator


class SearchUnavailable(Exception):
    """The engine cannot be reached or answered with a server error; callers fall back or retry later."""


@dataclass(frozen=True)
class Document:
    """One record as the engine sees it. ``version`` grows with every change of what the document is built from
    (external versioning): an engine never lets a document with a lower version overwrite one with a higher
    version, and ignores one with an equal version."""

    kind: str
    id: int
    version: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Deletion:
    kind: str
    id: int
    version: int


@dataclass
class ItemResult:
    id: int
    ok: bool
    error: str | None = None  # reason for a failure (malformed document, rejected, ...); stale versions count as ok


@dataclass
class BulkResult:
    items: list[ItemResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ItemResult]:
        return [i for i in self.items if not i.ok]


@dataclass
class WeightedTerm:
    """A term (already analysed: one token of :func:`search.analysis.tokenize`) with a query-time weight."""

    term: str
    weight: float = 1.0


@dataclass
class SearchQuery:
    """What a caller may ask. User text only ever arrives as ``text`` and is analysed into terms: it never
    reaches a query-string parser, so ``status:draft`` is two plain words. Text without a usable word (only
    punctuation or stopwords, like ``(`` or ``的``) matches nothing; no text (None, empty, blank) matches everything.

    ``terms`` (used by matching) is a bag of weighted, already-analysed terms that is OR-ed; when both ``text``
    and ``terms`` are given both contribute to the score. ``filters`` maps a keyword/number field to the values
    it may take (OR within a field, AND across fields); ``ranges`` maps a numeric field to (low, high), either
    bound may be None. ``boosts`` adds to the score of documents whose keyword field equals a value:
    ``{"technical_field": {"新材料": 2.0}}``. ``field_boosts`` overrides the text-field weights of the schema.
    ``facets`` are counted multi-select style: hits and total honour every filter, but the counts of a facet
    field ignore that field's own filter, so its other values keep their counts (OR within a field).
    """

    kind: str
    text: str | None = None
    terms: list[WeightedTerm] = field(default_factory=list)
    filters: dict[str, list[Any]] = field(default_factory=dict)
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    boosts: dict[str, dict[str, float]] = field(default_factory=dict)
    field_boosts: dict[str, float] | None = None
    facets: list[str] = field(default_factory=list)
    sort: str = "relevance"  # "relevance" or "<field>" / "-<field>" over a sortable field of the schema
    offset: int = 0
    size: int = 10
    highlight: bool = False
    exclude_ids: list[int] = field(default_factory=list)
    matched_terms: bool = True  # hits tell the query terms they contain (False: [] on every hit; on OpenSearch or
    # Elasticsearch naming each weighted term's clauses for that costs ~4 ms of a 50-hit match at 100,000 documents)


@dataclass
class Hit:
    id: int
    score: float
    highlights: dict[str, str] = field(default_factory=dict)  # field -> HTML snippet with <mark>…</mark>; escaped
    matched_terms: list[str] = field(default_factory=list)  # query terms found in the document (for explanations)


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet field -> value -> count


@dataclass
class SavedQuery:
    """A stored search (an alert). Percolation answers which saved queries a new document matches."""

    id: int
    kind: str
    text: str | None = None
    filters: dict[str, list[Any]] = field(default_factory=dict)


class SearchEngine(abc.ABC):
    """One interface, several engines (embedded tantivy, OpenSearch, Elasticsearch)."""

    name: str = "abstract"

    @abc.abstractmethod
    def ensure_indices(self) -> None:
        """Create the indices (and aliases) of every kind if missing. Idempotent."""

    @abc.abstractmethod
    def bulk(self, documents: Iterable[Document] = (), deletions: Iterable[Deletion] = ()) -> BulkResult:
        """Index and delete in bulk with external versions; the result has one item per input."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abc.abstractmethod
    def suggest(self, kind: str, prefix: str, size: int = 8) -> list[str]:
        """Titles / keywords that start with (or contain, for Chinese) ``prefix``, most useful first."""

    @abc.abstractmethod
    def versions(self, kind: str) -> dict[int, int]:
        """Every indexed id of a kind with its version (for verification against the database)."""

    @abc.abstractmethod
    def count(self, kind: str) -> int: ...

    @abc.abstractmethod
    def rebuild(self, kind: str, documents: Iterator[Document]) -> int:
        """Build a fresh index of ``kind`` from ``documents`` while the current one keeps answering, then swap
        (alias swap on clusters, directory swap on the embedded engine). Returns the number of documents."""

    @abc.abstractmethod
    def health(self) -> dict[str, Any]:
        """``{"ok": bool, "engine": name, ...details}``; never raises."""

    @abc.abstractmethod
    def save_query(self, query: SavedQuery) -> None: ...

    @abc.abstractmethod
    def delete_query(self, query_id: int) -> None: ...

    @abc.abstractmethod
    def percolate(self, document: Document) -> list[int]:
        """Ids of saved queries of ``document.kind`` that the document matches."""

    def close(self) -> None:  # pragma: no cover - optional
        """Release files, locks and connections."""
