"""The database answers searches while the engine is unavailable: LIKE over title and summary-like columns plus the
same facet filters (OR within a field, AND across), newest first (or the requested sort when the database has the
column). No facet counts.

Slower and less clever than the engine, but always there: a search page never fails because the index is down.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, false, func, or_

from search import analysis

from ..accounts.models import Organization
from ..extensions import db
from .. import taxonomy
from ..filters import amount_in_band
from ..indexing.documents import MODELS
from ..indexing.records import public_clause
from ..patents.models import OpenLicence
from .outcome import SearchOutcome

MAX_WORDS = 5


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_condition(model, columns: tuple[str, ...], q: str):
    """Every word of ``q`` in one of ``columns``; words the engine ignores (punctuation, stopwords) are left out,
    and keywords made only of them match nothing, as in the engine."""
    words = [w for w in q.split() if analysis.tokenize(w)][:MAX_WORDS]
    if not words:
        return [false()]
    clauses = []
    for word in words:
        pattern = _like(word)
        clauses.append(or_(*(getattr(model, c).ilike(pattern, escape="\\") for c in columns)))
    return clauses


def _json_contains(column, code: str):
    # JSON arrays of vocabulary codes (validated by the facet, so no wildcard can sneak in)
    return cast(column, String).like(f'%"{code}"%')


def _region(model, code: str):
    return model.region.like(code[:2] + "%")


def _year(model, value: str):
    year = int(value)
    return db.and_(model.published_at >= datetime(year, 1, 1), model.published_at < datetime(year + 1, 1, 1))


def _open_licence_exists(patent_id_column):
    return db.select(OpenLicence.id).where(OpenLicence.patent_id == patent_id_column,
                                           OpenLicence.active.is_(True)).exists()


def _condition(kind: str, model, name: str, value: str):
    """The SQL condition of one facet value (None when the database cannot express it)."""
    if name in ("technical_field", "ip_type", "industry", "patent_type", "legal_status", "org_type", "funding_mode",
                "stage"):
        return getattr(model, name) == value
    if name in ("transfer_modes", "cooperation_modes", "industries"):
        return _json_contains(getattr(model, name), value)
    if name == "region":
        return _region(model, value)
    if name == "year":
        return _year(model, value)
    if name == "trl_band":
        low, high = taxonomy.TRL_BAND_RANGES[value]
        return model.trl.between(low, high)
    if name == "price_band":
        return amount_in_band(model.price_amount, value)
    if name == "budget_band":
        return amount_in_band(func.coalesce(model.budget_max, model.budget_min), value)
    if name == "reward_band":
        return amount_in_band(model.reward_amount, value)
    if name == "holder_type":
        return model.org_id.in_(db.select(Organization.id).where(Organization.org_type == value))
    if name == "high_quality":
        return model.quality_year.is_not(None) if value == "true" else model.quality_year.is_(None)
    if name == "ipc":
        return cast(model.ipc_codes, String).like(f'%"{value}%')  # IPC codes start with their subclass
    if name == "open_licence":
        if kind == "patent":
            has = _open_licence_exists(model.id)
        else:
            from ..achievements.models import achievement_patents

            has = db.select(achievement_patents.c.patent_id).where(
                achievement_patents.c.achievement_id == model.id,
                _open_licence_exists(achievement_patents.c.patent_id)).exists()
        return has if value == "true" else ~has
    return None


SORT_COLUMNS = {
    "-published_at": lambda m: [m.published_at.desc(), m.id.desc()],
    "-trl": lambda m: [m.trl.desc().nulls_last(), m.id.desc()],
    "price": lambda m: [m.price_amount.asc().nulls_last(), m.id.desc()],
    "-price": lambda m: [m.price_amount.desc().nulls_last(), m.id.desc()],
    "-budget_max": lambda m: [m.budget_max.desc().nulls_last(), m.id.desc()],
    "deadline": lambda m: [m.deadline.asc().nulls_last(), m.id.desc()],
    "application_deadline": lambda m: [m.application_deadline.asc(), m.id.desc()],
    "-reward_amount": lambda m: [m.reward_amount.desc(), m.id.desc()],
}


def conditions(request) -> list:
    """Every WHERE clause of a search request (public records only)."""
    kind = request.kind
    model = MODELS[kind]
    clauses = [public_clause(kind)]
    if request.q:
        clauses.extend(_text_condition(model, request.config.text_fields, request.q))
    for name, values in request.filters.items():
        parts = [c for c in (_condition(kind, model, name, v) for v in values) if c is not None]
        if parts:
            clauses.append(or_(*parts))
    return clauses


def search(request):
    """A :class:`SearchOutcome` from the database (``degraded=True``, no facet counts)."""
    kind = request.kind
    model = MODELS[kind]
    where = conditions(request)
    engine_sort = request.config.sorts[request.sort][0]
    if kind == "organization":
        order = [model.name]
    else:
        order = SORT_COLUMNS.get(engine_sort, SORT_COLUMNS["-published_at"])(model)
    total = db.session.execute(db.select(func.count()).select_from(model).where(*where)).scalar_one()
    rows = db.session.execute(
        db.select(model).where(*where).order_by(*order)
        .limit(request.page_size).offset((request.page - 1) * request.page_size)).scalars()
    return SearchOutcome(request=request, records=list(rows), total=total, degraded=True)


def suggest(kind: str, prefix: str, size: int) -> list[str]:
    """Titles starting with ``prefix`` (then containing it), from the database."""
    model = MODELS[kind]
    column = model.name if kind == "organization" else model.title
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    out: dict[str, None] = {}
    for pattern in (f"{escaped}%", f"%{escaped}%"):
        rows = db.session.execute(db.select(column).where(public_clause(kind), column.like(pattern, escape="\\"))
                                  .order_by(column).limit(size)).scalars()
        for title in rows:
            out.setdefault(title, None)
        if len(out) >= size:
            break
    return list(out)[:size]


__all__ = ["conditions", "search", "suggest"]
