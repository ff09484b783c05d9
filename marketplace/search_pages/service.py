"""Running a search for the pages and the API: engine first, the database when the engine is unavailable.

User text only reaches the engine as ``SearchQuery.text`` (analysed into terms, never a query-string parser) and
is cut to :data:`MAX_QUERY_CHARS`. Hits come back as ids; the rows are loaded from the database in rank order
with a public-only condition, so a record unpublished since it was indexed never shows.
"""
from __future__ import annotations

import html
import logging
import re
import time
from typing import Any

from markupsafe import Markup, escape

from search import analysis
from search.engine import SearchQuery, SearchUnavailable

from ..indexing.records import load_public_in_order
from ..indexing.runtime import get_engine
from . import fallback
from .facets import PAGES, KindPage
from .outcome import MAX_RESULT_WINDOW, SearchOutcome, SearchRequest

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_PAGE_SIZE = 100
SUGGEST_CHARS = 50


def clean_text(value: Any) -> str:
    """User text for a query: a string, control characters removed, at most ``MAX_QUERY_CHARS`` characters."""
    text = value if isinstance(value, str) else ""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text[: MAX_QUERY_CHARS * 4])
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def parse_filters(config: KindPage, args) -> dict[str, list[str]]:
    """Facet filters from a query-string mapping (``field=value``, repeatable). Unknown fields and values are
    ignored, so an old bookmark never fails."""
    filters: dict[str, list[str]] = {}
    for facet in config.facets:
        raw = args.getlist(facet.field) if hasattr(args, "getlist") else _as_list(args.get(facet.field))
        values = []
        for value in raw:
            for part in str(value).split(","):
                part = part.strip()
                if part and facet.accepts(part) and part not in values:
                    values.append(part)
        if values:
            filters[facet.field] = values[:20]
    return filters


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def make_request(kind: str, q: Any = "", filters: dict | None = None, sort: Any = None, page: Any = 1,
                 page_size: Any = 20) -> SearchRequest:
    """A validated request: bad numbers and unknown sorts fall back to defaults (never an error)."""
    config = PAGES[kind]
    text = clean_text(q)
    sort = sort if isinstance(sort, str) and sort in config.sorts else None
    if sort is None:
        sort = "relevance" if text else config.default_sort_without_text
    try:
        size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    except (TypeError, ValueError):
        size = 20
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    number = min(number, max(1, MAX_RESULT_WINDOW // size))
    return SearchRequest(kind=kind, q=text, filters=filters or {}, sort=sort, page=number, page_size=size)


def safe_snippet(snippet: str) -> Markup:
    """An engine highlight as safe HTML: everything escaped again except ``<mark>`` (defence in depth)."""
    text = str(escape(html.unescape(snippet)))
    return Markup(text.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


def search(request: SearchRequest, with_facets: bool = True, highlight: bool = True) -> SearchOutcome:
    """Results of ``request`` from the engine, or from the database (``degraded``) when the engine fails."""
    started = time.monotonic()
    config = request.config
    query = SearchQuery(
        kind=request.kind, text=request.q or None, filters={k: list(v) for k, v in request.filters.items()},
        facets=[f.field for f in config.facets] if with_facets else [],
        sort=config.sorts[request.sort][0], offset=(request.page - 1) * request.page_size,
        size=request.page_size, highlight=highlight and bool(request.q))
    try:
        result = get_engine().search(query)
    except Exception as exc:  # SearchUnavailable, or any engine failure: the database answers instead
        if not isinstance(exc, SearchUnavailable):
            log.exception("search engine failed; answering from the database")
        else:
            log.warning("search engine unavailable (%s); answering from the database", exc)
        outcome = fallback.search(request)
        outcome.seconds = time.monotonic() - started
        return outcome
    records = load_public_in_order(request.kind, [hit.id for hit in result.hits])
    outcome = SearchOutcome(request=request, records=records, total=result.total, facets=result.facets)
    for hit in result.hits:
        if hit.highlights:
            outcome.highlights[hit.id] = {name: safe_snippet(s) for name, s in hit.highlights.items()}
    if not records and request.q and not request.wordless and request.page == 1:
        outcome.did_you_mean = did_you_mean(request.kind, request.q)
    outcome.seconds = time.monotonic() - started
    return outcome


def suggest(kind: str, prefix: Any, size: int = 8) -> tuple[list[str], bool]:
    """Title/keyword suggestions for a prefix, and whether they came from the database fallback."""
    text = clean_text(prefix)[:SUGGEST_CHARS]
    if not text:
        return [], False
    size = max(1, min(int(size), 20))
    try:
        return get_engine().suggest(kind, text, size), False
    except Exception as exc:  # noqa: BLE001 - suggestions are optional; the database has titles too
        log.warning("suggestions from the database (%s: %s)", type(exc).__name__, exc)
        return fallback.suggest(kind, text, size), True


def did_you_mean(kind: str, text: str, limit: int = 5) -> list[str]:
    """Alternatives for a query with no hits: suggestions for shorter prefixes, then for its single terms."""
    engine = get_engine()
    found: dict[str, None] = {}
    try:
        for cut in range(min(len(text), 12) - 1, 1, -1):
            for s in engine.suggest(kind, text[:cut], limit):
                if s != text:
                    found.setdefault(s, None)
            if found:
                break
        for term in analysis.unique(analysis.tokenize(text), 6):
            if len(found) >= limit:
                break
            if len(term) > 1 and term != text:
                for s in engine.suggest(kind, term, 2):
                    found.setdefault(s, None)
    except Exception:  # noqa: BLE001 - a hint, never an error
        return list(found)[:limit]
    return list(found)[:limit]
