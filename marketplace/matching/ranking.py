"""The matching pipeline over the search engine: one query for the candidate pool → rows loaded from the database
(public ones only) → agreement boosts and the discipline prior added to the engine scores → structured factor →
bigram rerank, fused with it by rank → with ``MATCH_SEMANTIC``, the encoder's cosine ranking fused in too
(:mod:`.semantic`), and the need's nearest records by the encoder added (:mod:`.dense`) → the results shown, each
with its calibrated score (:mod:`.scoring`) and explanation."""
from __future__ import annotations

import functools
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any, Callable

from search import analysis
from search.engine import Hit, SearchQuery, SearchUnavailable
from sqlalchemy.orm import joinedload

from ..accounts.models import OrgStatus
from ..errors import DomainError
from ..extensions import db
from ..indexing.records import MODELS, load_public_in_order, public_clause
from ..listings import PUBLISHED
from . import query as q
from . import dense, scoring, semantic
from .explain import found_by_meaning, structured_factor
from .texts import record_text


class MatchingUnavailable(DomainError):
    status = 503
    title = "匹配服务暂时不可用，请稍后再试"


@dataclass
class Candidate:
    """One ranked record with its calibrated score (:mod:`.scoring`) and explanation (``curation``: the broker's
    Match row, if any)."""

    kind: str
    record: Any
    score: float
    explanation: dict[str, Any]
    curation: Any = None

    @property
    def pinned(self) -> bool:
        return bool(self.curation is not None and self.curation.pinned)

    @property
    def band(self) -> str:
        """"high", "medium" or "low" (:data:`.scoring.BANDS`)."""
        return scoring.band(self.score)


@dataclass
class MatchRequest:
    """What to look for. ``describe(record, matched_terms)`` builds a candidate's explanation."""

    kind: str  # the kind of record wanted: achievement | patent | demand
    weights: dict[str, float]
    describe: Callable[[Any, list[str]], dict[str, Any]]
    filters: dict[str, list] = field(default_factory=dict)
    agreement: dict[str, list[str]] = field(default_factory=dict)  # keyword field -> values that agree
    exclude_ids: list[int] = field(default_factory=list)
    size: int = 10
    feedback: bool = True
    keep: Callable[[Any], bool] | None = None  # an extra condition on loaded rows (open licence in force, ...)
    text: str | None = None  # the need's own text, for the bigram rerank (none: the weighted terms stand in)
    factor: Callable[[Any], float] | None = None  # structured factor of a record (default: from ``describe``)
    records: bool = True  # the results as model objects; False: achievements' plain pool rows (id, external_id,
    # title, organization.name and the explanation's fields) stand in, for callers that only serialise them
    score: Callable[[Any, float | None], float] | None = None  # calibrated score of a record given the pair's
    # cosine or None (default: :func:`pair_scores`'s)
    semantic: Callable[[], Any] | None = None  # the need's encoder vector or None (:mod:`.semantic`), when switched on
    dense: bool = False  # with ``semantic``, the records nearest to the need join the pool (:mod:`.dense`): only for
    # requests without facet filters (the engine applies those; the nearest records are not checked against them)
    score_meaning: bool = True  # with ``semantic``, the calibrated score reads the pair's cosine (:func:`pair_scores`)


def pair_scores(request: MatchRequest, records: list, focused: str | None = None) -> list[float]:
    """The calibrated scores of records of ``request.kind`` against the request's need (its weighted terms and
    text, and with ``request.semantic`` the encoder's cosine of each pair whose two vectors are current): the same
    for a ranked, pinned or dismissed record. ``focused``: the need text's :func:`.query.focus_text`, when already at
    hand."""
    cosines = _cosines(request, records)
    if request.score is not None:
        return [request.score(record, cosines.get(record.id)) for record in records]
    if focused is None:
        focused = q.focus_text(request.text or " ".join(request.weights))
    profile = scoring.NeedProfile.of(request.weights, focused)
    return [scoring.score(profile, record_text(request.kind, record), record.title, cosines.get(record.id))
            for record in records]


def _cosines(request: MatchRequest, records: list) -> dict[int, float]:
    """The encoder's cosine of the need and each record, for the records with a current vector (none without the
    need's: a need not embedded yet is scored from its words, like its ranking)."""
    need = request.semantic() if request.semantic is not None and request.score_meaning and records else None
    if need is None:
        return {}
    return {i: float(vector @ need) for i, vector in semantic.current_vectors(request.kind, records).items()}


def matched_terms(weights: dict[str, float], found: list[str] | set[str]) -> list[str]:
    """Query terms present in a record, heaviest first (feedback terms the user never wrote are left out)."""
    found = set(found)
    return [t for t, _ in sorted(weights.items(), key=lambda kv: -kv[1]) if t in found]


def terms_in(weights: dict[str, float], kind: str, record) -> list[str]:
    """The terms of ``weights`` in the record's text that matching reads, tokenised as the index does (long words
    also give their sub-words), heaviest first."""
    return matched_terms(weights, analysis.index_tokens(record_text(kind, record)))


def _search(engine, request: MatchRequest, weights: dict[str, float], boosts: dict, size: int,
            settings: q.MatchSettings):
    query = SearchQuery(kind=request.kind, terms=q.as_query_terms(weights), filters=request.filters,
                        boosts=boosts, field_boosts=settings.field_boosts.get(request.kind),
                        exclude_ids=request.exclude_ids, size=size, matched_terms=False)
    try:
        return engine.search(query).hits
    except SearchUnavailable as exc:
        raise MatchingUnavailable() from exc


def _agreement_boosts(request: MatchRequest, top: float, settings: q.MatchSettings) -> dict[str, dict[str, float]]:
    boosts: dict[str, dict[str, float]] = {}
    for name, values in request.agreement.items():
        weight = settings.field_weight if name == "technical_field" else settings.industry_weight
        table = {v: round(weight * top, 4) for v in values if v}
        if table and weight > 0:
            boosts[name] = table
    return boosts


@functools.cache
def _column_statement(names: tuple[str, ...], org_names: tuple[str, ...] = ()):
    """``SELECT id, <names>, [organisation's <org_names> as org_<name>,] public FROM achievements WHERE id IN :ids``
    (the organisation outer-joined when ``org_names`` are asked for), built once: with ORM attributes and the ids
    inlined, building and compiling the statement cost ~5x the SQLite work (0.9 vs 0.17 ms for 20 ids)."""
    table, org = MODELS["achievement"].__table__, MODELS["organization"].__table__
    columns = [table.c.id, *(table.c[n] for n in names), *(org.c[n].label(f"org_{n}") for n in org_names),
               (table.c.status == PUBLISHED).label("public")]
    stmt = db.select(*columns)
    if org_names:
        stmt = stmt.select_from(table.outerjoin(org, table.c.org_id == org.c.id))
    return stmt.where(table.c.id.in_(db.bindparam("ids", expanding=True)))


def _public(kind: str):
    """Whether a row is public, as a selected column rather than a condition: the lookups here go by primary key,
    and with ``status = ?`` in the WHERE clause SQLite may pick an index led by ``status`` instead (one that
    carries a sort column, without statistics to tell it apart) and read every published row: 20 ms, not 0.2 ms,
    at 100,000 achievements."""
    return public_clause(kind).label("public")


# What the pool stage reads of an achievement (rerank text, structured factor, the API's fields): a pool of plain rows
# costs a fraction of a pool of ORM objects; only the results shown are loaded as records, when asked for.
_ACHIEVEMENT_COLUMNS = ("external_id", "title", "keywords", "summary", "technical_field", "industries", "discipline",
                        "trl", "price_amount", "region", "org_id")


_PoolRow = namedtuple("_PoolRow", ("id", *_ACHIEVEMENT_COLUMNS, "organization"))
_PoolOrganization = namedtuple("_PoolOrganization", "name region")
_ORG_ID = _PoolRow._fields.index("org_id")


def _load_candidates(kind: str, ids: list[int]) -> list:
    """Public rows of ``kind`` with these ids, in order, with just the relations matching reads (the organisation
    joined; a patent's open licence): the indexing loader's eager relations (an achievement's patents and their
    licences) cost more than the rows here."""
    if not ids:
        return []
    model = MODELS[kind]
    options = [joinedload(model.organization)]
    if kind == "patent":
        options.append(joinedload(model.open_licence))
    rows = db.session.execute(db.select(model, _public(kind)).where(model.id.in_(ids)).options(*options))
    by_id = {record.id: record for record, public in rows.unique() if public}
    return [by_id[i] for i in ids if i in by_id]


def _load_pool(kind: str, ids: list[int]) -> list:
    """The candidate pool: for achievements plain rows of :data:`_ACHIEVEMENT_COLUMNS` (with ``id`` and
    ``organization.name`` and ``.region``), in order, public ones only (published, of no suspended organisation);
    for other kinds the records themselves."""
    if kind != "achievement" or not ids:
        return _load_candidates(kind, ids)
    rows = db.session.execute(_column_statement(_ACHIEVEMENT_COLUMNS, ("name", "region", "status")),
                              {"ids": list(ids)})
    by_id = {}
    for *values, name, region, org_status, public in rows:  # tuples, not dicts: 0.4 ms for 50 rows with dicts
        if public and org_status != OrgStatus.SUSPENDED:  # a suspended organisation's listings are withheld
            by_id[values[0]] = _PoolRow(*values, _PoolOrganization(name, region) if values[_ORG_ID] else None)
    return [by_id[i] for i in ids if i in by_id]


def _boosted(request: MatchRequest, scored: list[tuple[Any, Any]], top: float,
             settings: q.MatchSettings) -> list[float]:
    """The engine scores of the pool's (hit, row) pairs plus their agreement boosts (technical field, industries:
    each agreeing value adds its boost) and, for achievements, the discipline prior of the pool's top hits, read from
    the rows: the same sums the engine would add with these ``boosts``, without asking it a second time."""
    tables = _agreement_boosts(request, top, settings)
    if request.feedback and request.kind == "achievement" and settings.discipline_docs > 0:
        leaders = scored[:settings.discipline_docs]
        table = q.discipline_prior(((row.discipline, hit.score) for hit, row in leaders), top, settings)
        if table:
            tables["discipline"] = table
    scores = []
    for hit, row in scored:
        score = hit.score
        for name, table in tables.items():
            values = getattr(row, name, None)
            for value in (values if isinstance(values, (list, tuple)) else [values]):
                score += table.get(value, 0.0) if value else 0.0
        scores.append(score)
    return scores


class _Nominee(Hit):
    """A record dense retrieval brought into the pool (no engine score: the engine did not return it)."""


def _nearest_rows(request: MatchRequest, need, pool: set[int], settings: q.MatchSettings) -> list[tuple[_Nominee, Any]]:
    """(hit, row) of the public records among the need's ``settings.candidates`` nearest by the encoder
    (:mod:`.dense`) that the engine's pool missed."""
    nearest = dense.nearest(request.kind, need, settings.candidates, set(request.exclude_ids))
    rows = _load_pool(request.kind, [i for i in nearest if i not in pool])
    return [(_Nominee(id=row.id, score=0.0), row) for row in rows if request.keep is None or request.keep(row)]


def _with_semantic(request: MatchRequest, kept: list, scores: list[float],
                   settings: q.MatchSettings) -> tuple[list, list[float]]:
    """The encoder's ranking fused into the first ``settings.candidates`` of the lexical ranking (a page's pool,
    whatever the size asked for); the rest of the pool stays below them, in its order. With ``request.dense`` the
    need's nearest records the engine missed join them: each takes the lexical rank just below the pool's first
    ``settings.candidates`` and its cosine rank among them all, so it can only displace lexical candidates it is far
    closer to, and the pool's own order is the one without it (``bench/matching_quality.py --semantic``: the same
    nDCG@10, Recall@50 0.949 → 0.960)."""
    need = request.semantic()
    if need is None:  # a stored need not embedded yet: lexical until it is
        return kept, scores
    order = sorted(range(len(kept)), key=lambda i: -scores[i])
    head, tail = order[:settings.candidates], order[settings.candidates:]
    added = _nearest_rows(request, need, {row.id for _, row in kept}, settings) if request.dense else []
    # one read of the vectors for both: a pool record not embedded yet counts as the least similar (-1); a nominee
    # whose vector has been deleted since the process read it is left out
    stored = semantic.vectors(request.kind, [kept[i][1].id for i in head] + [row.id for _, row in added])
    cosines = [float(stored[kept[i][1].id] @ need) if kept[i][1].id in stored else -1.0 for i in head]
    result = [0.0] * len(kept)
    for i, value in zip(head, q.fuse([scores[i] for i in head], cosines, semantic.WEIGHT)):
        result[i] = 1.0 + value
    for position, i in enumerate(tail):
        result[i] = -float(position)
    added = [pair for pair in added if pair[1].id in stored]
    if added:
        ranks = q.ranks(cosines + [float(stored[row.id] @ need) for _, row in added])[len(head):]
        lexical, k, weight = len(head) + 1, q.RRF_K, semantic.WEIGHT
        kept = kept + added
        result += [1.0 + (k + 1) * ((1 - weight) / (k + lexical) + weight / (k + rank)) for rank in ranks]
    return kept, result


def rank(engine, request: MatchRequest, settings: q.MatchSettings = q.DEFAULT_SETTINGS) -> list[Candidate]:
    """Ranked public candidates, best first, at most ``request.size``.

    One engine query fetches the pool; the agreement and discipline boosts are added to its scores here (a second
    query with them as engine boosts cost a round trip, 10–20 ms on OpenSearch, for the same nDCG). Pseudo-relevance
    feedback, when switched on, queries a second time with the feedback terms."""
    if not request.weights or request.size <= 0:
        return []
    weights = q.add_subwords(request.weights, settings)
    base = weights
    pool = max(settings.candidates, 2 * request.size)  # the rerank needs room beyond the results shown
    hits = _search(engine, request, weights, {}, pool, settings)
    if request.feedback and settings.feedback_docs > 0 and settings.feedback_weight > 0 and hits:
        rows = load_public_in_order(request.kind, [h.id for h in hits[:settings.feedback_docs]])
        weights = q.with_feedback(base, q.feedback_terms([record_text(request.kind, r) for r in rows], settings),
                                  settings)
        hits = _search(engine, request, weights, {}, pool, settings)
    if not hits and (request.semantic is None or not request.dense):
        return []  # with dense retrieval a need whose words find nothing (written in English, say) may still match
    by_id = {r.id: r for r in _load_pool(request.kind, [h.id for h in hits])}
    kept = [(hit, by_id[hit.id]) for hit in hits
            if hit.id in by_id and (request.keep is None or request.keep(by_id[hit.id]))]
    # The structured factor scales the engine's relevance, where score gaps mean something, before the rank fusion
    # (a misfit that is still far more relevant than the rest stays ahead of them).
    factor = request.factor or (lambda record: structured_factor(request.describe(record, [])))
    boosted = _boosted(request, kept, (hits[0].score if hits else 0.0) or 1.0, settings)
    scores = [score * factor(record) for score, (_, record) in zip(boosted, kept)]
    text = request.text or " ".join(request.weights)
    focused = q.focus_text(text)
    if settings.rerank_weight > 0 and len(kept) > 1:
        second = q.bigram_scores(focused if settings.rerank_focus else text,
                                 [record_text(request.kind, record) for _, record in kept], focus=False)
        scores = q.fuse(scores, second, settings.rerank_weight)
    if request.semantic is not None and (len(kept) > 1 or request.dense):
        kept, scores = _with_semantic(request, kept, scores, settings)
    ranked = sorted(((score, hit, record) for (hit, record), score in zip(kept, scores)),
                    key=lambda item: -item[0])  # by the exact score: fused scores lie in (0, 1]; rounding would tie
    shown = ranked[:request.size]
    if request.kind == "achievement" and request.records:  # the pool held plain rows: the records shown, as records
        records = {r.id: r for r in _load_candidates(request.kind, [row.id for _, _, row in shown])}
        shown = [(score, hit, records[row.id]) for score, hit, row in shown if row.id in records]
    # Calibrated scores and explanations for the records shown only; the fused score orders them and is not shown
    # (it says nothing across needs). Their matched terms are read from their text (:func:`terms_in`), whichever
    # engine found them, or dense retrieval: naming the query's clauses so that a cluster says which terms each of
    # the pool's hits has cost ~4 ms of a match on OpenSearch at 100,000 achievements; tokenising the records shown
    # costs ~0.1 ms each.
    calibrated = pair_scores(request, [record for _, _, record in shown], focused)
    candidates = []
    for (_, hit, record), score in zip(shown, calibrated):
        candidate = Candidate(request.kind, record, score,
                              request.describe(record, terms_in(base, request.kind, record)))
        if isinstance(hit, _Nominee):
            found_by_meaning(candidate.explanation)
        candidates.append(candidate)
    return candidates
