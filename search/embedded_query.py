"""Building tantivy queries and documents for the embedded engine from a :class:`QueryPlan` / :class:`Prepared`.

User text never reaches tantivy's query parser: every query is assembled from analysed tokens with term, term-set,
range and boolean queries.
"""
from __future__ import annotations

import json
import math

import tantivy

from .documents import Prepared
from .planning import TIE_BREAKER, QueryPlan
from .schema import KINDS

Q = tantivy.Query
Occur = tantivy.Occur

_FIELD_TYPES = {"int": tantivy.FieldType.Integer, "float": tantivy.FieldType.Float, "date": tantivy.FieldType.Date}


def suggest_term(text: str) -> str:
    """How a suggestion is stored in the ``_suggest`` term dictionary: lower-cased key, separator, original."""
    from .analysis import ascii_lower

    return f"{ascii_lower(text)}\x1f{text}"


def build_document(p: Prepared) -> tantivy.Document:
    """The tantivy document of a prepared document (text fields as space-joined analysed tokens)."""
    doc = tantivy.Document()
    doc.add_integer("_id", p.id)
    doc.add_integer("_version", p.version)
    for name, tokens in p.tokens.items():
        if tokens:
            doc.add_text(name, " ".join(tokens))
    for name, values in p.keywords.items():
        for value in values:
            doc.add_text(name, value)
    specs = KINDS[p.kind]
    for name, value in p.numbers.items():
        if specs[name].type == "int":
            doc.add_integer(name, int(value))
        else:
            doc.add_float(name, float(value))
    for name, value in p.dates.items():
        doc.add_date(name, value)
    for text in dict.fromkeys(p.suggest):
        doc.add_text("_suggest", suggest_term(text))
    src = {"raw": p.raw, "tok": " ".join(sorted(p.token_set()))}
    doc.add_bytes("_src", json.dumps(src, ensure_ascii=False).encode("utf-8"))
    doc.add_bytes("_sug", json.dumps(p.suggest, ensure_ascii=False).encode("utf-8"))
    return doc


def _token_clause(schema: tantivy.Schema, fields: dict[str, float], term: str, weight: float = 1.0) -> tantivy.Query:
    subs = []
    for name, boost in fields.items():
        q = Q.term_query(schema, name, term, index_option="freq")
        subs.append(q if boost == 1.0 else Q.boost_query(q, boost))
    q = subs[0] if len(subs) == 1 else Q.disjunction_max_query(subs, tie_breaker=TIE_BREAKER)
    return q if weight == 1.0 else Q.boost_query(q, weight)


def match_query(schema: tantivy.Schema, p: QueryPlan) -> tantivy.Query:
    """The scoring part: text tokens (minimum should match) and/or weighted terms (any); all docs if neither,
    none for wordless text."""
    if p.matches_nothing:
        return Q.empty_query()
    if not p.fields or not p.has_match:
        return Q.empty_query() if p.has_match else Q.all_query()
    parts = []
    if p.text_terms:
        clauses = [(Occur.Should, _token_clause(schema, p.fields, t)) for t in p.text_terms]
        parts.append(Q.boolean_query(clauses, minimum_number_should_match=p.min_match))
    if p.weighted:
        # Any (term, field) pair suffices, so a flat disjunction (cheaper than one dis_max per term) is exact.
        clauses = [(Occur.Should, Q.boost_query(Q.term_query(schema, name, t, index_option="freq"), boost * w))
                   for t, w in p.weighted for name, boost in p.fields.items()]
        parts.append(Q.boolean_query(clauses, minimum_number_should_match=1))
    if len(parts) == 1:
        return parts[0]
    return Q.boolean_query([(Occur.Should, q) for q in parts], minimum_number_should_match=1)


def filter_clauses(schema: tantivy.Schema, p: QueryPlan) -> list[tuple]:
    """Non-scoring restrictions: filters, ranges, excluded ids."""
    clauses: list[tuple] = []
    specs = KINDS[p.kind]
    for name, values in p.filters.items():
        if not values:
            clauses.append((Occur.Must, Q.empty_query()))
            continue
        q = Q.term_set_query(schema, name, values)
        clauses.append((Occur.Must, Q.const_score_query(q, 0.0)))
    for name, (low, high) in p.ranges.items():
        kind = specs[name].type
        if kind == "int":
            low = None if low is None else math.ceil(low)
            high = None if high is None else math.floor(high)
        q = Q.range_query(schema, name, _FIELD_TYPES[kind], low, high)
        clauses.append((Occur.Must, Q.const_score_query(q, 0.0)))
    if p.exclude_ids:
        clauses.append((Occur.MustNot, Q.term_set_query(schema, "_id", p.exclude_ids)))
    return clauses


def full_query(schema: tantivy.Schema, p: QueryPlan, match: tantivy.Query | None = None) -> tantivy.Query:
    """Match (``match``: already built by :func:`match_query` for ``p``) + filters + keyword boosts."""
    clauses = [(Occur.Must, match if match is not None else match_query(schema, p)), *filter_clauses(schema, p)]
    for name, value, boost in p.boosts:
        clauses.append((Occur.Should, Q.const_score_query(Q.term_query(schema, name, value), boost)))
    if len(clauses) == 1:
        return clauses[0][1]
    return Q.boolean_query(clauses)


def facet_aggregation(fields: tuple[str, ...], size: int) -> dict:
    """A tantivy aggregation request with one terms aggregation per facet field."""
    return {name: {"terms": {"field": name, "size": size}} for name in fields}


def facet_counts(result: dict, fields: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Aggregation result → ``{facet: {value: count}}`` with string values ("true"/"false" for bools)."""
    out: dict[str, dict[str, int]] = {}
    for name in fields:
        buckets = (result.get(name) or {}).get("buckets", [])
        values: dict[str, int] = {}
        for b in buckets:
            key = b.get("key")
            if isinstance(key, float) and key.is_integer():
                key = int(key)
            values[str(key)] = int(b.get("doc_count", 0))
        out[name] = values
    return out
