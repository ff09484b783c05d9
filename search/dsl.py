"""Index settings, mappings, documents and query bodies for the cluster engines (OpenSearch and Elasticsearch
speak the same DSL for everything used here).

Text fields hold the space-joined tokens of :mod:`search.analysis` (``whitespace`` analyzer), so the cluster sees
exactly the embedded engine's tokens; each has a ``cjk`` bigram sub-field that adds recall for words segmented
differently in the query and the document. The original text of highlight fields is kept, unindexed, in ``_raw``.

Field statistics: Lucene's BM25 takes a field's document count (the ``N`` of IDF) and its average length over the
documents that *have* the field, tantivy over all documents of the index. For a field many records leave empty
(``keywords``: a quarter of the benchmark corpus has any) a match then weighed about 1.5x more on a cluster than
in the embedded engine, whose scores the matcher's weights were set on. So every text field is sent (empty when
the record has none) and an empty value is indexed as one :data:`EMPTY_MARK` token, which no query term can be
(:mod:`search.analysis` drops words made only of control characters): every document counts in the field's
statistics, and the IDF equals tantivy's exactly. The average length still differs by the share of empty documents
(one mark each: ``keywords`` 3.56 instead of 2.81 tokens on the benchmark corpus), well below the gap closed
(11.08). :data:`INDEX_FORMAT` (the mappings' ``_meta``) tells an index built before this apart.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from .documents import Prepared
from .planning import TIE_BREAKER, QueryPlan, facet_passes
from .schema import KINDS, text_fields

TOKENS_ANALYZER = "market_tokens"
CJK_BOOST = 0.2
EMPTY_MARK = "\u0001"  # the one token of an empty text field (see the module docstring)
EMPTY_MARK_FILTER = "market_empty_mark"
# Version of what a kind index is built with (settings, analysis, mappings), kept in the mappings' ``_meta``; an
# index without it, or with a smaller one, scores differently and should be rebuilt (``flask search reindex``).
# 1 (no ``_meta``): until the empty-field mark; 2: the mark.
INDEX_FORMAT = 2


def index_settings(replicas: int = 0) -> dict:
    """Settings of every kind index (one shard: the data of one province fits easily)."""
    return {
        "number_of_shards": 1,
        "number_of_replicas": replicas,
        # Keep delete tombstones for a day so a stale replay after a deletion is still rejected.
        "gc_deletes": "1d",
        "max_result_window": 20_000,
        "analysis": {
            "char_filter": {EMPTY_MARK_FILTER: {"type": "pattern_replace", "pattern": "^$", "replacement": EMPTY_MARK}},
            "analyzer": {TOKENS_ANALYZER: {"type": "custom", "tokenizer": "whitespace",
                                           "char_filter": [EMPTY_MARK_FILTER]}},
            "normalizer": {"market_lower": {"type": "custom", "filter": ["lowercase"]}},
        },
    }


def kind_properties(kind: str) -> dict:
    """Field mappings of a kind, derived from :mod:`search.schema`."""
    props: dict[str, Any] = {
        "doc_id": {"type": "long"},
        "_raw": {"type": "object", "enabled": False},
        "suggest": {"type": "keyword", "normalizer": "market_lower", "fields": {"raw": {"type": "keyword"}}},
    }
    for spec in KINDS[kind].values():
        if spec.type == "text":
            props[spec.name] = {"type": "text", "analyzer": TOKENS_ANALYZER, "index_options": "freqs",
                                "fields": {"cjk": {"type": "text", "analyzer": "cjk"}}}
        elif spec.type in ("keyword", "bool"):
            props[spec.name] = {"type": "keyword"}
        elif spec.type == "int":
            props[spec.name] = {"type": "long"}
        elif spec.type == "float":
            props[spec.name] = {"type": "double"}
        elif spec.type == "date":
            props[spec.name] = {"type": "date"}
    return props


def kind_mappings(kind: str) -> dict:
    # dynamic false: unknown fields are kept in _source but not indexed (the embedded engine ignores them too)
    return {"dynamic": False, "_meta": {"format": INDEX_FORMAT}, "properties": kind_properties(kind)}


def index_format(mappings: dict) -> int:
    """The :data:`INDEX_FORMAT` an index was built with, from its ``GET _mapping`` answer (1 when unrecorded)."""
    try:
        return int(((mappings or {}).get("_meta") or {}).get("format", 1))
    except (TypeError, ValueError):
        return 1


def percolator_mappings(kind: str) -> dict:
    """The saved-query index of a kind: the kind's fields plus the percolator field."""
    props = kind_properties(kind)
    props["query"] = {"type": "percolator"}
    props["saved_id"] = {"type": "long"}
    return {"dynamic": False, "properties": props}


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def source(p: Prepared) -> dict:
    """The ``_source`` of a prepared document. Every text field is present (``""`` when the record has none: the
    analyser indexes that as :data:`EMPTY_MARK`)."""
    body: dict[str, Any] = {"doc_id": p.id, "_raw": p.raw}
    for name in text_fields(p.kind):
        body[name] = " ".join(p.tokens.get(name, ()))
    for name, values in p.keywords.items():
        body[name] = values
    body.update(p.numbers)
    for name, value in p.dates.items():
        body[name] = _iso(value)
    if p.suggest:
        body["suggest"] = list(dict.fromkeys(p.suggest))
    return body


def _token_clause(fields: dict[str, float], term: str, weight: float = 1.0) -> dict:
    queries = [{"term": {name: {"value": term, "boost": boost}}} for name, boost in fields.items()]
    clause: dict[str, Any] = {"dis_max": {"queries": queries, "tie_breaker": TIE_BREAKER}}
    if weight != 1.0:
        clause["dis_max"]["boost"] = weight
    return clause


def match_clause(p: QueryPlan, cjk: bool = True) -> dict:
    """The scoring part (see :mod:`search.planning`); ``cjk`` adds the bigram recall clause for ``text``. Each
    weighted term's clause is named ``"<index in p.weighted>/<field>"`` (one name per clause: a name given twice
    keeps only its last clause), so a hit's ``matched_queries`` tell its matched terms (:func:`weighted_matches`)
    without fetching the document's tokens; unnamed when the plan does not ask for matched terms."""
    if p.matches_nothing:
        return {"match_none": {}}
    if not p.has_match:
        return {"match_all": {}}
    if not p.fields:
        return {"match_none": {}}
    parts = []
    if p.text_terms:
        text = {"bool": {"should": [_token_clause(p.fields, t) for t in p.text_terms],
                         "minimum_should_match": p.min_match}}
        if cjk:
            recall = {"multi_match": {"query": " ".join(p.text_terms), "type": "best_fields",
                                      "fields": [f"{name}.cjk^{boost}" for name, boost in p.fields.items()],
                                      "operator": "and", "boost": CJK_BOOST}}
            text = {"bool": {"should": [text, recall], "minimum_should_match": 1}}
        parts.append(text)
    if p.weighted:
        def term(i: int, t: str, name: str, boost: float) -> dict:
            spec: dict[str, Any] = {"value": t, "boost": boost}
            if p.matched_terms:
                spec["_name"] = f"{i}/{name}"
            return {"term": {name: spec}}

        parts.append({"bool": {"should": [term(i, t, name, boost * w) for i, (t, w) in enumerate(p.weighted)
                                          for name, boost in p.fields.items()],
                               "minimum_should_match": 1}})
    if len(parts) == 1:
        return parts[0]
    return {"bool": {"should": parts, "minimum_should_match": 1}}


def weighted_matches(p: QueryPlan, names: list[str]) -> set[str]:
    """The weighted terms of ``p`` whose named clauses (:func:`match_clause`) a hit matched."""
    found = set()
    for name in names:
        index = name.partition("/")[0]
        if index.isdigit() and int(index) < len(p.weighted):
            found.add(p.weighted[int(index)][0])
    return found


def _bound(value: Any) -> Any:
    return _iso(value) if isinstance(value, datetime) else value


def _terms(name: str, values: list) -> dict:
    return {"terms": {name: values}} if values else {"match_none": {}}


def filter_clauses(p: QueryPlan) -> tuple[list[dict], list[dict]]:
    """(filter, must_not) clauses: filters, ranges and excluded ids."""
    filters = [_terms(name, values) for name, values in p.filters.items()]
    for name, (low, high) in p.ranges.items():
        rng = {}
        if low is not None:
            rng["gte"] = _bound(low)
        if high is not None:
            rng["lte"] = _bound(high)
        filters.append({"range": {name: rng}})
    must_not = [{"ids": {"values": [str(i) for i in p.exclude_ids]}}] if p.exclude_ids else []
    return filters, must_not


def query_clause(p: QueryPlan, cjk: bool = True) -> dict:
    """Match + filters + keyword boosts as one bool query."""
    filters, must_not = filter_clauses(p)
    boosts = [{"constant_score": {"filter": {"term": {name: value}}, "boost": boost}} for name, value, boost in p.boosts]
    return {"bool": {"must": [match_clause(p, cjk)], "filter": filters, "should": boosts, "must_not": must_not}}


def search_body(p: QueryPlan, cjk: bool = True, facet_size: int = 100) -> dict:
    """The complete ``_search`` body of a plan. Filters of facet fields go to ``post_filter`` (they restrict the
    hits and the total, not the aggregations), and each :func:`~search.planning.facet_passes` pass is a ``filter``
    aggregation applying those of them it keeps: disjunctive facet counts in one request."""
    if p.text_terms:
        source_fields: list[str] | bool = ["_raw", *p.fields]  # the matched terms of text are read from the tokens
    else:  # weighted terms only (matching): named clauses tell the matched terms, if asked; the document is not needed
        source_fields = ["_raw"] if p.highlight or not p.weighted else False
    chosen = [name for name in p.facets if name in p.filters]
    body: dict[str, Any] = {
        "query": query_clause(p.without_filters(chosen), cjk),
        "from": p.offset,
        "size": p.size,
        "track_total_hits": True,
        "_source": source_fields,
    }
    if p.sort:
        name, desc = p.sort
        body["sort"] = [{name: {"order": "desc" if desc else "asc", "missing": "_last"}}]
    if chosen:
        body["post_filter"] = {"bool": {"filter": [_terms(name, p.filters[name]) for name in chosen]}}
    if p.facets:
        body["aggs"] = {
            f"pass{i}": {"filter": {"bool": {"filter": [_terms(name, p.filters[name]) for name in chosen
                                                        if name != fp.without]}},
                         "aggs": {name: {"terms": {"field": name, "size": facet_size}} for name in fp.fields}}
            for i, fp in enumerate(facet_passes(p))}
    return body


def percolator_query(p: QueryPlan) -> dict:
    """The stored query of a saved search: tokens + filters, without the cjk recall clause (as the embedded
    engine evaluates it)."""
    filters, must_not = filter_clauses(p)
    return {"bool": {"must": [match_clause(p, cjk=False)], "filter": filters, "must_not": must_not}}


def facet_counts(aggs: dict, p: QueryPlan) -> dict[str, dict[str, int]]:
    """Aggregation response of :func:`search_body` → ``{facet: {value: count}}`` with string keys."""
    out: dict[str, dict[str, int]] = {}
    for i, fp in enumerate(facet_passes(p)):
        for name in fp.fields:
            values: dict[str, int] = {}
            for bucket in ((aggs.get(f"pass{i}") or {}).get(name) or {}).get("buckets", []):
                key = bucket.get("key_as_string", bucket.get("key"))
                if isinstance(key, float) and key.is_integer():
                    key = int(key)
                values[str(key)] = int(bucket.get("doc_count", 0))
            out[name] = values
    return {name: out[name] for name in p.facets}
