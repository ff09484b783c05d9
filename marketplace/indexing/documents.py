"""Mapping of marketplace records to search documents (:class:`search.engine.Document`).

Every document carries exactly the fields of its kind in :mod:`search.schema`. Keyword facets hold *codes*
(``new_materials``, ``4-6``, ``invention_patent``, ``220000``); the UI turns them into labels with
:func:`marketplace.taxonomy.label`. Only published listings become documents: anything else maps to a
:class:`search.engine.Deletion`, so unpublishing a record removes it from every index.

The matching/alerts code uses :func:`to_document` too, so a query built for matching sees the same values.

A listing's document copies data of its organisation (:data:`HOLDER_FIELDS`), so its version is the listing's
version plus the organisation's change counters of that data (:func:`document_version`); the database computes
the same number for ``flask search verify`` (:func:`marketplace.indexing.records.searchable_versions`).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from search.engine import Deletion, Document

from .. import kinds, taxonomy
from ..accounts.models import Organization, OrgStatus
from ..achievements.models import Achievement
from ..challenges.models import Challenge
from ..demands.models import Demand
from ..patents.models import Patent

KINDS = tuple(kinds.SEARCHABLE_KINDS)  # the kinds with search documents
MODELS: dict[str, type] = {name: kind.model for name, kind in kinds.SEARCHABLE_KINDS.items()}


def kind_of(record) -> str:
    """The search kind of a record (``Achievement`` → ``"achievement"``)."""
    return type(record).__search_kind__


def province(code: str | None) -> str | None:
    """The province-level GB/T 2260 code of any region code (``"220102"`` → ``"220000"``)."""
    if not code:
        return None
    code = str(code).strip()
    if len(code) < 2 or not code[:2].isdigit():
        return code or None
    return code[:2] + "0000"


def _number(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value  # anything else is passed through; the engine validates it


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _zh(vocabulary: dict, code) -> str | None:
    entry = vocabulary.get(code) if isinstance(code, str) else None
    return entry[0] if entry else None


def _labels(vocabulary: dict, codes) -> list[str]:
    return [label for label in (_zh(vocabulary, c) for c in (codes or [])) if label]


def _list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _suggest(title, keywords=()) -> list:
    return [s for s in [title, *_list(keywords)] if s]


# Organisation data that listing documents depend on (see _holder and is_searchable), by attribute: how a document
# sees the value. A suspension is part of it: it takes every listing of the organisation out of the index.
HOLDER_VIEWS: dict[str, Callable[[Any], Any]] = {"name": lambda v: v, "org_type": lambda v: v, "region": province,
                                                 "status": lambda v: v == OrgStatus.SUSPENDED}
# Which of it each listing kind's documents carry (a listing with a region of its own ignores the organisation's,
# but may drop its own at any time, so every listing of a kind counts as carrying it).
HOLDER_FIELDS: dict[str, tuple[str, ...]] = {
    "achievement": ("name", "org_type", "region", "status"),
    "patent": ("org_type", "region", "status"),
    "demand": ("region", "status"),
    "challenge": ("org_type", "region", "status"),
}


def holder_counter(field_name: str) -> str:
    """The organisation column that counts the changes of ``field_name`` (``"name"`` → ``"name_version"``)."""
    return f"{field_name}_version"


def holder_version(kind: str, org) -> int:
    """What ``org`` adds to the document version of its listings of ``kind``: the number of changes of the data
    those documents copy from it. ``org`` is an Organization or a row with its counter columns."""
    if org is None:
        return 0
    return sum(getattr(org, holder_counter(name)) or 0 for name in HOLDER_FIELDS.get(kind, ()))


def document_version(record) -> int:
    """The external version of ``record``'s document.

    A listing's document carries data of its organisation, so its version is the listing's own version plus the
    organisation's change counters of that data. Both parts only ever grow (each is guarded by its row's
    optimistic lock), so the sum grows with every change of either, and two states of a document with the same
    version are the same state: an engine that keeps the highest version keeps the newest document, whatever
    order concurrent indexers push in. (A listing never moves to another organisation; if it ever could, the
    sum could shrink and this would need another scheme.) Other kinds: the record's version."""
    kind = kind_of(record)
    if kind not in HOLDER_FIELDS:
        return record.version
    return record.version + holder_version(kind, record.organization)


def _holder(record) -> tuple[str | None, str | None, str | None]:
    """(org name, org type, org region) of a listing's organisation (what HOLDER_FIELDS declares)."""
    org = record.organization
    if org is None:
        return None, None, None
    return org.name, org.org_type, org.region


def achievement_fields(record: Achievement) -> dict[str, Any]:
    org_name, org_type, org_region = _holder(record)
    price = _number(record.price_amount)
    published = record.published_at
    industries_text = [*_labels(taxonomy.INDUSTRIES, record.industries),
                       *([_zh(taxonomy.TECHNICAL_FIELDS, record.technical_field)] if
                         _zh(taxonomy.TECHNICAL_FIELDS, record.technical_field) else [])]
    return {
        "title": record.title,
        "keywords": _list(record.keywords),
        "summary": record.summary,
        "description": record.description,
        "industries_text": industries_text,
        "benefits": record.benefits,
        "org_name": org_name,
        "technical_field": record.technical_field,
        "discipline": record.discipline,
        "industries": _list(record.industries),
        "trl": record.trl,
        "trl_band": taxonomy.trl_band(record.trl) if isinstance(record.trl, int) else None,
        "ip_type": record.ip_type,
        "transfer_modes": _list(record.transfer_modes),
        "region": province(record.region or org_region),
        "holder_type": org_type,
        "org_id": record.org_id,
        "year": published.year if published else None,
        "price": price,
        "price_band": taxonomy.price_band(price) if price is None or isinstance(price, (int, float)) else None,
        "open_licence": any(p.has_open_licence for p in record.patents),
        "high_quality": record.quality_year is not None,
        "published_at": _iso(published),
        "suggest": _suggest(record.title, record.keywords),
    }


def patent_fields(record: Patent) -> dict[str, Any]:
    org_name, org_type, org_region = _holder(record)
    published = record.published_at
    ipc = [str(c).strip().replace(" ", "")[:4].upper() for c in _list(record.ipc_codes) if c]
    return {
        "title": record.title,
        "abstract": record.abstract,
        "applicant": record.applicant,
        "number": record.number,
        "ipc": list(dict.fromkeys(c for c in ipc if c)),
        "legal_status": record.legal_status,
        "patent_type": record.patent_type,
        "open_licence": record.has_open_licence,
        "region": province(record.region or org_region),
        "holder_type": org_type,
        "org_id": record.org_id,
        "year": published.year if published else None,
        "published_at": _iso(published),
        "suggest": _suggest(record.title),
    }


def demand_fields(record: Demand) -> dict[str, Any]:
    _org_name, _org_type, org_region = _holder(record)
    published = record.published_at
    budget_min, budget_max = _number(record.budget_min), _number(record.budget_max)
    band_basis = budget_max if budget_max is not None else budget_min
    return {
        "title": record.title,
        "problem": record.problem,
        "indicators": record.indicators,
        "keywords": _list(record.keywords),
        "industry": record.industry,
        "technical_field": record.technical_field,
        "cooperation_modes": _list(record.cooperation_modes),
        "region": province(record.region or org_region),
        "org_id": record.org_id,
        "budget_min": budget_min,
        "budget_max": budget_max,
        "budget_band": taxonomy.price_band(band_basis) if band_basis is None or isinstance(
            band_basis, (int, float)) else None,
        "trl_min": record.trl_min,
        "year": published.year if published else None,
        "deadline": _iso(record.deadline),
        "published_at": _iso(published),
        "suggest": _suggest(record.title, record.keywords),
    }


def _indicator_text(indicators) -> list[str]:
    """Each technical indicator as one line of text: metric, target and unit."""
    lines = []
    for item in _list(indicators):
        if isinstance(item, dict):
            line = " ".join(str(item.get(k) or "") for k in ("metric", "target", "unit")).strip()
            if line:
                lines.append(line)
    return lines


def challenge_fields(record: Challenge) -> dict[str, Any]:
    _org_name, org_type, org_region = _holder(record)
    reward = _number(record.reward_amount)
    return {
        "title": record.title,
        "problem": record.problem,
        "background": record.background,
        "indicators": _indicator_text(record.indicators),
        "technical_field": record.technical_field,
        "industry": record.industry,
        "region": province(record.region or org_region),
        "funding_mode": str(record.funding_mode) if record.funding_mode else None,
        "stage": str(record.stage) if record.stage else None,
        "reward_band": taxonomy.price_band(reward) if reward is None or isinstance(reward, (int, float)) else None,
        "org_type": org_type,
        "org_id": record.org_id,
        "reward_amount": reward,
        "application_deadline": _iso(record.application_deadline),
        "published_at": _iso(record.published_at),
        "suggest": _suggest(record.title),
    }


def organization_fields(record: Organization) -> dict[str, Any]:
    return {
        "name": record.name,
        "description": record.description,
        "org_type": record.org_type,
        "region": province(record.region),
        "suggest": _suggest(record.name),
    }


FIELD_MAPPERS = {
    "achievement": achievement_fields,
    "patent": patent_fields,
    "demand": demand_fields,
    "challenge": challenge_fields,
    "organization": organization_fields,
}


def is_searchable(record) -> bool:
    """Whether ``record`` belongs in the public index: public listings (published, their organisation not
    suspended), and organisations the platform has verified (the public directory)."""
    if isinstance(record, Organization):
        return record.status == OrgStatus.VERIFIED
    return bool(getattr(record, "is_public", False))


def to_document(record) -> Document:
    """The document of a searchable record (call :func:`is_searchable` first)."""
    kind = kind_of(record)
    return Document(kind=kind, id=record.id, version=document_version(record), fields=FIELD_MAPPERS[kind](record))


def to_change(record) -> Document | Deletion:
    """What the index should hold for ``record``: its document when searchable, else a deletion at its version."""
    if is_searchable(record):
        return to_document(record)
    return Deletion(kind=kind_of(record), id=record.id, version=document_version(record))
