"""Turning a :class:`SearchQuery` into analysed, bounded, validated parts that every engine executes the same way,
plus the shared highlighter and the in-memory matcher used for percolation.

Matching rules (both engines):
- ``text`` is analysed into at most :data:`MAX_QUERY_TERMS` unique tokens; each token matches in any text field
  (best field wins, ``tie_breaker`` 0.3, fields weighted by their boosts); a document must match
  :func:`minimum_should_match` of the tokens (all of them up to 2 tokens, 75 % rounded down beyond). Text with no
  usable word (punctuation, stopwords: ``(``, ``的``) matches nothing; empty or blank text matches everything.
- ``terms`` are OR-ed (any one suffices): one flat disjunction of (term, field) pairs weighted term weight x field
  boost (scores add up across fields); with ``text`` as well, a document matching either counts.
- filters (OR within a field, AND across), ranges, ``exclude_ids`` restrict; ``boosts`` only add to the score.
- facets are disjunctive (multi-select): the counts of a facet field apply every restriction except that field's
  own filter, so the values not chosen keep their counts. :func:`facet_passes` groups the facets into the
  aggregations an engine runs: one for the facets without a filter, one per facet field with a filter.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import Any

from . import analysis
from .documents import MalformedDocument, Prepared, as_datetime, as_number
from .engine import SavedQuery, SearchQuery
from .schema import KINDS

MAX_QUERY_TERMS = 64
MAX_QUERY_CHARS = 2000  # longer user text is cut before analysis (bounded time for hostile input)
MAX_SIZE = 200
MAX_OFFSET = 10_000
TIE_BREAKER = 0.3
FACET_SIZE = 100
SNIPPET_CHARS = 160


def minimum_should_match(n: int) -> int:
    """How many of ``n`` text tokens a document must contain."""
    return n if n <= 2 else (n * 3) // 4


@dataclass
class QueryPlan:
    kind: str
    text_terms: list[str] = field(default_factory=list)
    min_match: int = 0
    wordless_text: bool = False  # text was given but has no usable word (only punctuation / stopwords)
    weighted: list[tuple[str, float]] = field(default_factory=list)
    fields: dict[str, float] = field(default_factory=dict)  # text field -> boost (boost > 0 only)
    filters: dict[str, list[Any]] = field(default_factory=dict)  # values normalised to the field's type
    ranges: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    boosts: list[tuple[str, str, float]] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    sort: tuple[str, bool] | None = None  # (field, descending); None = relevance
    offset: int = 0
    size: int = 10
    highlight: bool = False
    exclude_ids: list[int] = field(default_factory=list)
    matched_terms: bool = True

    @property
    def has_match(self) -> bool:
        return bool(self.text_terms or self.weighted)

    @property
    def matches_nothing(self) -> bool:
        """Wordless text and no weighted terms: no document can match (not "everything", as no text would)."""
        return self.wordless_text and not self.weighted

    def without_filters(self, names) -> QueryPlan:
        """A copy of this plan without the filters of ``names`` (the other restrictions unchanged)."""
        return replace(self, filters={n: v for n, v in self.filters.items() if n not in names})

    def query_terms(self) -> set[str]:
        return set(self.text_terms) | {t for t, _ in self.weighted}


def _spec(kind: str, name: str, allowed: tuple[str, ...], what: str):
    spec = KINDS[kind].get(name)
    if spec is None or spec.type not in allowed:
        raise ValueError(f"{name!r} is not a {what} field of {kind!r}")
    return spec


def filter_values(kind: str, name: str, values: list[Any]) -> list[Any]:
    """Filter values normalised to the field's indexed form (strings for keyword/bool, numbers for numbers)."""
    spec = _spec(kind, name, ("keyword", "bool", "int", "float"), "filter")
    if not isinstance(values, (list, tuple, set)):
        values = [values]
    out: list[Any] = []
    for v in values:
        if v is None:
            continue
        if spec.type == "bool":
            out.append("true" if v in (True, "true", "True", "1", 1) else "false")
        elif spec.type == "keyword":
            out.append(("true" if v else "false") if isinstance(v, bool) else str(v))
        else:
            try:
                out.append(as_number(spec, v))
            except MalformedDocument:
                continue  # a non-numeric value can match nothing
    return list(dict.fromkeys(out))


def _bound(kind: str, name: str, value: Any) -> Any:
    spec = KINDS[kind][name]
    if value is None:
        return None
    if spec.type == "date":
        return as_datetime(name, value)
    return as_number(spec, value)


def plan(query: SearchQuery) -> QueryPlan:
    """Validate and analyse ``query``. Unknown fields raise ValueError (a programming error, not user input)."""
    kind = query.kind
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    p = QueryPlan(kind=kind)
    text = (query.text or "")[:MAX_QUERY_CHARS]
    p.text_terms = analysis.unique(analysis.tokenize(text), MAX_QUERY_TERMS)
    p.wordless_text = bool(text.strip()) and not p.text_terms
    p.min_match = minimum_should_match(len(p.text_terms))
    weights: dict[str, float] = {}
    for wt in query.terms:
        term = analysis.canonical(wt.term or "")
        if term and len(term) <= analysis.MAX_TOKEN_CHARS and wt.weight > 0 and analysis.is_word(term):
            weights[term] = max(weights.get(term, 0.0), float(wt.weight))
    p.weighted = sorted(weights.items(), key=lambda kv: -kv[1])[:MAX_QUERY_TERMS]
    defaults = {n: s.boost for n, s in KINDS[kind].items() if s.type == "text"}
    overrides = query.field_boosts or {}
    for name in overrides:
        _spec(kind, name, ("text",), "text")
    p.fields = {n: float(overrides.get(n, b)) for n, b in defaults.items() if overrides.get(n, b) > 0}
    for name, values in query.filters.items():
        p.filters[name] = filter_values(kind, name, values)
    for name, (low, high) in query.ranges.items():
        _spec(kind, name, ("int", "float", "date"), "range")
        if low is not None or high is not None:
            p.ranges[name] = (_bound(kind, name, low), _bound(kind, name, high))
    for name, table in query.boosts.items():
        _spec(kind, name, ("keyword", "bool"), "boost")
        for value, boost in table.items():
            p.boosts.append((name, filter_values(kind, name, [value])[0], float(boost)))
    for name in query.facets:
        if not KINDS[kind].get(name) or not KINDS[kind][name].facet:
            raise ValueError(f"{name!r} is not a facet field of {kind!r}")
    p.facets = list(dict.fromkeys(query.facets))
    if query.sort and query.sort != "relevance":
        name = query.sort.lstrip("-")
        if not KINDS[kind].get(name) or not KINDS[kind][name].sortable:
            raise ValueError(f"{name!r} is not a sortable field of {kind!r}")
        p.sort = (name, query.sort.startswith("-"))
    p.offset = max(0, min(int(query.offset), MAX_OFFSET))
    p.size = max(0, min(int(query.size), MAX_SIZE))
    p.highlight = bool(query.highlight)
    p.exclude_ids = [int(i) for i in query.exclude_ids]
    p.matched_terms = bool(query.matched_terms)
    return p


@dataclass(frozen=True)
class FacetPass:
    """One aggregation of a faceted search: the facet fields it counts, and the filter field it leaves out
    (None: every filter applies)."""

    fields: tuple[str, ...]
    without: str | None = None


def facet_passes(p: QueryPlan) -> list[FacetPass]:
    """The aggregations that give disjunctive facet counts: one over the fully filtered set for the facets
    without a filter, plus one per facet field with a filter, over the set filtered by the other fields only."""
    free = tuple(name for name in p.facets if name not in p.filters)
    passes = [FacetPass(free)] if free else []
    passes.extend(FacetPass((name,), name) for name in p.facets if name in p.filters)
    return passes


def plan_saved(saved: SavedQuery) -> QueryPlan:
    """The plan of a saved query (text + filters), as percolation evaluates it."""
    return plan(SearchQuery(kind=saved.kind, text=saved.text, filters=saved.filters))


def matches(p: QueryPlan, doc: Prepared) -> bool:
    """Whether ``doc`` satisfies the match and filter parts of ``p`` (ranges included), evaluated in memory."""
    if p.matches_nothing:
        return False
    if p.text_terms:
        tokens = set()
        for name in p.fields:
            tokens.update(doc.tokens.get(name, ()))
        if sum(1 for t in p.text_terms if t in tokens) < p.min_match:
            return False
    for name, values in p.filters.items():
        have = doc.keywords.get(name)
        if have is None:
            have = [doc.numbers[name]] if name in doc.numbers else []
        if not set(values).intersection(have):
            return False
    for name, (low, high) in p.ranges.items():
        value = doc.dates.get(name) if KINDS[p.kind][name].type == "date" else doc.numbers.get(name)
        if value is None or (low is not None and value < low) or (high is not None and value > high):
            return False
    return doc.id not in p.exclude_ids


def highlight(text: str, terms: set[str], max_chars: int = SNIPPET_CHARS) -> str | None:
    """HTML-escaped snippet of ``text`` with analysed ``terms`` wrapped in ``<mark>``; None when nothing matches."""
    if not text or not terms:
        return None
    spans = sorted((s, -e) for tok, s, e in analysis.search_segments(text) if tok in terms)
    if not spans:
        return None
    spans = [(s, -e) for s, e in spans]  # by start, the longest first: a whole word wins over its sub-words
    start, end = 0, len(text)
    if len(text) > max_chars:
        start = max(0, spans[0][0] - max_chars // 5)
        end = min(len(text), start + max_chars)
        start = max(0, min(start, end - max_chars))
    parts, pos = [], start
    for s, e in spans:
        if s < pos or e > end:
            continue
        parts.append(html.escape(text[pos:s]))
        parts.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    parts.append(html.escape(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(parts) + ("…" if end < len(text) else "")


def highlights(p: QueryPlan, raw: dict[str, str]) -> dict[str, str]:
    """Snippets of every highlight field that contains a query term."""
    terms = p.query_terms()
    out = {}
    for name, text in raw.items():
        snippet = highlight(text, terms)
        if snippet:
            out[name] = snippet
    return out


def matched_terms(p: QueryPlan, doc_tokens: set[str]) -> list[str]:
    """Query terms present in a document, in query order (text terms first, then weighted terms)."""
    ordered = list(dict.fromkeys([*p.text_terms, *(t for t, _ in p.weighted)]))
    return [t for t in ordered if t in doc_tokens]
