"""Matching operations: demand (record or free text) → achievements / open-licence patents, achievement → demands,
similar achievements, and the broker's curation (pin, dismiss, recommend to both parties)."""
from __future__ import annotations

import functools
from typing import Any

from flask import current_app

from .. import kinds
from ..permissions import can_curate_matches, can_view_matches, require
from ..records import get_visible
from ..achievements.models import Achievement
from ..audit.services import record as audit
from ..demands.models import Demand
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..indexing.records import load_public_in_order
from ..indexing.runtime import get_engine
from ..listings import PUBLISHED
from ..timeutil import utcnow
from ..web.messages import N_
from . import explain, query, scoring, semantic
from .models import TARGET_KINDS, Match
from .ranking import Candidate, MatchRequest, pair_scores, rank, record_text, terms_in
from .signals import match_recommended

MAX_SIZE = 100
TARGET_MODELS = {name: kinds.get(name).model for name in ("achievement", "patent")}


def settings() -> query.MatchSettings:
    """The matcher's settings (``MATCH_SETTINGS`` in the config overrides single parameters)."""
    overrides = current_app.config.get("MATCH_SETTINGS") or {}
    return query.MatchSettings(**overrides) if overrides else query.DEFAULT_SETTINGS


def _offer_of(kind: str, record) -> explain.Offer:
    return explain.offer_of_achievement(record) if kind == "achievement" else explain.offer_of_patent(record)


def _offer_describer(need: explain.Need, kind: str):
    def describe(record, terms: list[str]) -> dict[str, Any]:
        return explain.explanation(need, _offer_of(kind, record), terms)
    return describe


def _offer_factor(need: explain.Need, kind: str):
    """The structured factor of every candidate (the facts without the sentences)."""
    def factor(record) -> float:
        return explain.structured_factor(explain.facts(need, _offer_of(kind, record), []))
    return factor


def _request_for_need(kind: str, weights: dict[str, float], need: explain.Need, *, size: int,
                      filters: dict | None = None, exclude_ids=(), text: str | None = None,
                      need_record: tuple[str, Any] | None = None) -> MatchRequest:
    # facet filters are the engine's: the nearest records by the encoder are not checked against them
    dense = not filters and _dense_on()
    filters = dict(filters or {})
    agreement: dict[str, list[str]] = {}
    if kind == "achievement":
        if need.technical_field:
            agreement["technical_field"] = [need.technical_field]
        if need.industries:
            agreement["industries"] = list(need.industries)
    else:
        filters["open_licence"] = [True]
    return MatchRequest(kind=kind, weights=weights, describe=_offer_describer(need, kind), filters=filters,
                        agreement=agreement, exclude_ids=list(exclude_ids), size=min(size, MAX_SIZE),
                        keep=(lambda p: p.has_open_licence) if kind == "patent" else None, text=text,
                        factor=_offer_factor(need, kind), semantic=_semantic(text or " ".join(weights), need_record),
                        dense=dense)


def _semantic(text: str, record: tuple[str, Any] | None = None):
    """The need's encoder vector (or None), looked up when the ranking asks for it; None outright while
    ``MATCH_SEMANTIC`` is off, or for free text without ``MATCH_SEMANTIC_FREE_TEXT``. ``record``: (kind, row) of a
    stored need, whose stored vector serves while its text is unchanged (:func:`.semantic.need_vector`)."""
    if not semantic.enabled() or (record is None and not current_app.config.get("MATCH_SEMANTIC_FREE_TEXT")):
        return None
    return functools.cache(lambda: semantic.need_vector(text, record))  # read once for the ranking and the scores


def _dense_on() -> bool:
    return bool(current_app.config.get("MATCH_SEMANTIC_DENSE", True))


def match_text(text: str, *, kind: str = "achievement", size: int = 10, filters: dict | None = None) -> list[Candidate]:
    """Published achievements (or open-licence patents) for a free-text demand, best first. ``filters`` are facet
    filters of the target kind; single values also count as preferences in the explanation."""
    weights = query.weighted_terms(text, settings=settings())
    need = explain.need_of_filters(filters or {})
    request = _request_for_need(kind, weights, need, size=size, filters=filters, text=text)
    request.records = False  # the API serialises id, external_id, title, organisation and the explanation only
    return rank(get_engine(), request, settings())


def demand_text(demand: Demand) -> str:
    return "。".join(p for p in (demand.title, " ".join(demand.keywords or []), demand.problem, demand.indicators)
                    if p)


def demand_weights(demand: Demand) -> dict[str, float]:
    """Weighted terms of a demand: problem text, with title, indicators and keywords emphasised."""
    text = "。".join(p for p in (demand.title, demand.problem, demand.indicators) if p)
    return query.weighted_terms(text, [demand.title, demand.indicators, " ".join(demand.keywords or [])],
                                settings())


def curations(demand: Demand, kind: str) -> dict[int, Match]:
    rows = db.session.execute(db.select(Match).where(Match.demand_id == demand.id, Match.target_kind == kind))
    return {m.target_id: m for m in rows.scalars()}


def matches_for_demand(demand: Demand, *, kind: str = "achievement", size: int = 20,
                       show_dismissed: bool = False) -> list[Candidate]:
    """Ranked candidates for a demand: pinned ones first (in pin order), dismissed ones hidden (or, with
    ``show_dismissed``, listed last), the organisation's own records left out."""
    if kind not in TARGET_KINDS:
        raise ValidationFailed(errors={"kind": [N_("无效的匹配类型")]})
    curated = curations(demand, kind)
    weights = demand_weights(demand)
    need = explain.need_of_demand(demand)
    hidden = [i for i, m in curated.items() if m.dismissed or m.pinned]
    request = _request_for_need(kind, weights, need, size=size + 10, exclude_ids=hidden, text=demand_text(demand),
                                need_record=("demand", demand))
    ranked = [c for c in rank(get_engine(), request, settings()) if c.record.org_id != demand.org_id][:size]
    def curated_candidates(ids: list[int]) -> list[Candidate]:  # scored as they would be ranked
        records = load_public_in_order(kind, ids)
        return [Candidate(kind, record, score, request.describe(record, terms_in(weights, kind, record)),
                          curated[record.id]) for record, score in zip(records, pair_scores(request, records))]

    pinned = sorted((m for m in curated.values() if m.pinned), key=lambda m: m.updated_at)
    head = curated_candidates([m.target_id for m in pinned])
    tail = curated_candidates([m.target_id for m in curated.values() if m.dismissed]) if show_dismissed else []
    for candidate in ranked:
        candidate.curation = curated.get(candidate.record.id)
    return (head + ranked)[:max(size, len(head))] + tail


def split_weak(candidates: list[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """(the results shown first, the weak ones shown collapsed below them): weak = low band and not pinned; each
    part keeps the ranking's order."""
    weak = [c for c in candidates if c.band == "low" and not c.pinned]
    return [c for c in candidates if not any(c is w for w in weak)], weak


def demand_score(demand: Demand, kind: str, record, cosine: float | None = None) -> float:
    """The calibrated score of ``record`` against ``demand`` (:mod:`.scoring`): its weighted terms and text, and the
    encoder's ``cosine`` of the pair when both have a current vector."""
    profile = scoring.NeedProfile.of(demand_weights(demand), query.focus_text(demand_text(demand)))
    return scoring.score(profile, record_text(kind, record), record.title, cosine)


def demands_for_achievement(achievement: Achievement, *, size: int = 20) -> list[Candidate]:
    """Published demands an achievement could answer, best first (other organisations' demands only). Each is
    scored from the demand's side, so a pair scores the same in both directions."""
    text = "。".join(p for p in (achievement.title, achievement.summary, achievement.benefits) if p)
    weights = query.weighted_terms(text, [achievement.title, " ".join(achievement.keywords or [])], settings())
    offer = explain.offer_of_achievement(achievement)

    def describe(demand, terms):
        return explain.explanation(explain.need_of_demand(demand), offer, terms)

    agreement = {}
    if achievement.technical_field:
        agreement["technical_field"] = [achievement.technical_field]
    if achievement.industries:
        agreement["industry"] = list(achievement.industries)
    request = MatchRequest(kind="demand", weights=weights, describe=describe, agreement=agreement,
                           size=min(size, MAX_SIZE) + 1, text=text,
                           score=lambda demand, cosine: demand_score(demand, "achievement", achievement, cosine),
                           semantic=_semantic(text, ("achievement", achievement)), dense=_dense_on())
    ranked = rank(get_engine(), request, settings())
    return [c for c in ranked if c.record.org_id != achievement.org_id][:size]


def similar_achievements(achievement: Achievement, size: int = 5) -> list[Achievement]:
    """Published achievements like this one (for its detail page), best first: those whose calibrated score against
    this one's text is banded medium or high (a low one only shares a word or two: a fibre achievement's "similar"
    hyaluronic-acid records); [] when the engine is unavailable. The score here reads the words only: its cosine
    part is fitted on demand–record pairs, and on two achievements it let the demo's AI drug-design record list a
    hyaluronic-acid one (the semantic rerank still orders them)."""
    from .ranking import MatchingUnavailable

    text = "。".join(p for p in (achievement.title, achievement.summary) if p)
    weights = query.weighted_terms(text, [achievement.title, " ".join(achievement.keywords or [])], settings())
    need = explain.Need(technical_field=achievement.technical_field, industries=list(achievement.industries or []))
    request = _request_for_need("achievement", weights, need, size=size, exclude_ids=[achievement.id], text=text,
                                need_record=("achievement", achievement))
    request.feedback = False  # the record itself is the best feedback there is
    request.score_meaning = False
    try:
        return [c.record for c in rank(get_engine(), request, settings()) if c.band != "low"]
    except MatchingUnavailable:
        current_app.logger.warning("similar achievements skipped: search engine unavailable")
        return []


# -- broker curation ---------------------------------------------------------------------------------------------

def visible_listing(model, record_id: int, user):
    """The listing whose matches ``user`` asks for: 404 when they cannot see it, 403 when it is not theirs."""
    listing = get_visible(model, record_id, user)
    if not can_view_matches(user, listing):
        raise PermissionDenied(N_("只有发布方机构成员和技术经纪人可以查看匹配结果"))
    return listing


def _require_broker(actor) -> None:
    require(can_curate_matches(actor), N_("只有技术经纪人可以管理匹配结果"))


def _target(kind: str, target_id: int):
    if kind not in TARGET_KINDS:
        raise ValidationFailed(errors={"kind": [N_("无效的匹配类型")]})
    record = db.session.get(TARGET_MODELS[kind], target_id)
    if record is None or record.status != PUBLISHED:
        raise NotFound()
    return record


def _curation(demand: Demand, kind: str, target_id: int) -> Match:
    match = db.session.execute(db.select(Match).where(
        Match.demand_id == demand.id, Match.target_kind == kind, Match.target_id == target_id)).scalar_one_or_none()
    if match is None:
        match = Match(demand_id=demand.id, target_kind=kind, target_id=target_id)
        db.session.add(match)
    return match


def _snapshot(match: Match, demand: Demand, kind: str, target) -> None:
    weights = demand_weights(demand)
    need = explain.need_of_demand(demand)
    match.explanation = _offer_describer(need, kind)(target, terms_in(weights, kind, target))


def set_curation(actor, demand: Demand, kind: str, target_id: int, state: str) -> Match:
    """``state``: "pinned" (shown first), "dismissed" (hidden) or "none" (back to the plain ranking)."""
    _require_broker(actor)
    if state not in ("pinned", "dismissed", "none"):
        raise ValidationFailed(errors={"state": [N_("状态应为 pinned、dismissed 或 none")]})
    target = _target(kind, target_id)
    match = _curation(demand, kind, target_id)
    match.pinned, match.dismissed = state == "pinned", state == "dismissed"
    match.decided_by_id = actor.id
    match.updated_at = utcnow()
    if match.explanation is None:
        _snapshot(match, demand, kind, target)
    db.session.flush()
    audit(actor, f"match.{state if state != 'none' else 'reset'}", demand, {"kind": kind, "target_id": target_id})
    return match


def recommend(actor, demand: Demand, kind: str, target_id: int, note: str | None = None, *,
              open_lead: bool = False) -> Match:
    """Send the pair to both parties: a notification to every member of the demand's and the target's
    organisations (sent through :data:`.signals.match_recommended`; the alerts package receives it). The pair is
    pinned as well. ``open_lead``: also open an opportunity on the broker pipeline (the deals package receives
    the signal)."""
    _require_broker(actor)
    if demand.status != PUBLISHED:
        raise ValidationFailed(N_("只能为已发布的需求推荐成果"))
    note = (note or "").strip() or None
    if note and len(note) > 2000:
        raise ValidationFailed(errors={"note": [N_("推荐说明不能超过2000个字符")]})
    target = _target(kind, target_id)
    match = set_curation(actor, demand, kind, target_id, "pinned")
    match.note = note or match.note
    match.recommended_at = utcnow()
    match.recommended_by_id = actor.id
    _snapshot(match, demand, kind, target)
    match_recommended.send(demand, demand=demand, kind=kind, target=target, note=note,
                           explanation=match.explanation or {}, actor=actor, open_lead=open_lead)
    audit(actor, "match.recommend", demand, {"kind": kind, "target_id": target_id})
    return match
