"""Matching around challenges: the organisations whose published achievements answer a 榜单 (recommended solvers,
for staff and the issuer), and the open challenges an achievement could answer (on the achievement's page).

Both use the matcher's analysis (weighted terms of the text, as for demands) and the search engine; with the
engine down they answer nothing rather than failing the page."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from search.engine import SearchQuery, SearchUnavailable

from ..indexing.records import load_public_in_order
from ..indexing.runtime import get_engine
from ..matching import query
from ..matching.ranking import MatchingUnavailable
from ..matching.services import match_text, settings
from .models import Challenge, ChallengeStage

CANDIDATES = 60  # achievements looked at per challenge
ACHIEVEMENTS_PER_SOLVER = 3


@dataclass
class Solver:
    """An organisation recommended for a challenge, with its best-matching achievements."""

    org_id: int
    org_name: str
    score: float
    achievements: list = field(default_factory=list)  # (id, title, score)


def challenge_text(challenge: Challenge) -> str:
    indicators = "；".join(f"{i.get('metric', '')}{i.get('target', '')}{i.get('unit') or ''}"
                          for i in challenge.indicators or [])
    return "。".join(part for part in (challenge.title, challenge.problem, indicators) if part)


def recommended_solvers(challenge: Challenge, size: int = 5) -> list[Solver]:
    """Organisations (not the issuer) whose published achievements match the challenge best: an organisation's
    score is its best achievement's score; its three best achievements are listed."""
    try:
        candidates = match_text(challenge_text(challenge), size=CANDIDATES)
    except MatchingUnavailable:
        current_app.logger.warning("recommended solvers skipped: search engine unavailable")
        return []
    solvers: dict[int, Solver] = {}
    for candidate in candidates:
        record = candidate.record  # the matcher's plain row: id, title, org_id, organization.name, …
        if record.org_id == challenge.org_id:
            continue
        name = record.organization.name if record.organization is not None else ""
        solver = solvers.setdefault(record.org_id, Solver(record.org_id, name, candidate.score))
        if len(solver.achievements) < ACHIEVEMENTS_PER_SOLVER:
            solver.achievements.append((record.id, record.title, round(candidate.score, 3)))
    return sorted(solvers.values(), key=lambda s: -s.score)[:size]


def open_challenges_for(achievement, size: int = 5) -> list[Challenge]:
    """Published challenges still taking applications that this achievement could answer, best first (not its own
    organisation's)."""
    text = "。".join(p for p in (achievement.title, achievement.summary) if p)
    weights = query.weighted_terms(text, [achievement.title, " ".join(achievement.keywords or [])], settings())
    if not weights:
        return []
    search = SearchQuery(kind="challenge", terms=query.as_query_terms(weights), filters={"stage": ["open"]},
                         size=size * 2, matched_terms=False)
    try:
        hits = get_engine().search(search).hits
    except SearchUnavailable:
        return []
    today = date.today()
    challenges = load_public_in_order("challenge", [hit.id for hit in hits])
    return [c for c in challenges if c.org_id != achievement.org_id and c.stage == ChallengeStage.OPEN
            and c.application_deadline >= today][:size]
