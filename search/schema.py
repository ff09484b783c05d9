"""The fields of each kind of document. Engines derive their index mappings from this table; the application
fills documents with exactly these fields (missing ones are empty).

- ``text``: analysed with :mod:`search.analysis` (Chinese words + synonyms); ``boost`` is the default weight.
- ``keyword``: exact values (a list is allowed); used for filters and facets.
- ``int`` / ``float``: numbers (a single value); filters, ranges and sorting.
- ``date``: ISO date/datetime string; sortable.
- ``bool``: true/false; filters and facets (facet values are "true"/"false").
- ``stored``: kept for display/suggestions only, not searched.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # text | keyword | int | float | date | bool | stored
    boost: float = 1.0
    facet: bool = False
    sortable: bool = False


def _spec(*fields: FieldSpec) -> dict[str, FieldSpec]:
    return {f.name: f for f in fields}


KINDS: dict[str, dict[str, FieldSpec]] = {
    "achievement": _spec(
        FieldSpec("title", "text", boost=3.0),
        FieldSpec("keywords", "text", boost=2.5),
        FieldSpec("summary", "text", boost=1.0),
        FieldSpec("description", "text", boost=0.5),
        FieldSpec("industries_text", "text", boost=1.0),
        FieldSpec("benefits", "text", boost=0.5),
        FieldSpec("org_name", "text", boost=0.5),
        FieldSpec("technical_field", "keyword", facet=True),
        FieldSpec("discipline", "keyword", facet=True),
        FieldSpec("industries", "keyword", facet=True),
        FieldSpec("trl", "int", sortable=True),
        FieldSpec("trl_band", "keyword", facet=True),  # "1-3" | "4-6" | "7-9"
        FieldSpec("ip_type", "keyword", facet=True),
        FieldSpec("transfer_modes", "keyword", facet=True),
        FieldSpec("region", "keyword", facet=True),  # province-level GB/T 2260 code, e.g. "220000"
        FieldSpec("holder_type", "keyword", facet=True),
        FieldSpec("org_id", "int"),
        FieldSpec("year", "int", facet=True, sortable=True),
        FieldSpec("price", "float", sortable=True),  # 万元; absent when negotiable
        FieldSpec("price_band", "keyword", facet=True),
        FieldSpec("open_licence", "bool", facet=True),
        FieldSpec("high_quality", "bool", facet=True),
        FieldSpec("published_at", "date", sortable=True),
        FieldSpec("suggest", "stored"),  # list of strings: title and keywords, for suggestions
    ),
    "patent": _spec(
        FieldSpec("title", "text", boost=3.0),
        FieldSpec("abstract", "text", boost=1.0),
        FieldSpec("applicant", "text", boost=0.5),
        FieldSpec("number", "keyword"),
        FieldSpec("ipc", "keyword", facet=True),  # IPC subclass, e.g. "H01M"
        FieldSpec("legal_status", "keyword", facet=True),
        FieldSpec("patent_type", "keyword", facet=True),
        FieldSpec("open_licence", "bool", facet=True),
        FieldSpec("region", "keyword", facet=True),
        FieldSpec("holder_type", "keyword", facet=True),
        FieldSpec("org_id", "int"),
        FieldSpec("year", "int", facet=True, sortable=True),
        FieldSpec("published_at", "date", sortable=True),
        FieldSpec("suggest", "stored"),
    ),
    "demand": _spec(
        FieldSpec("title", "text", boost=3.0),
        FieldSpec("problem", "text", boost=1.0),
        FieldSpec("indicators", "text", boost=1.0),
        FieldSpec("keywords", "text", boost=2.0),
        FieldSpec("industry", "keyword", facet=True),
        FieldSpec("technical_field", "keyword", facet=True),
        FieldSpec("cooperation_modes", "keyword", facet=True),
        FieldSpec("region", "keyword", facet=True),
        FieldSpec("org_id", "int"),
        FieldSpec("budget_min", "float", sortable=True),
        FieldSpec("budget_max", "float", sortable=True),
        FieldSpec("budget_band", "keyword", facet=True),
        FieldSpec("trl_min", "int"),
        FieldSpec("year", "int", facet=True, sortable=True),
        FieldSpec("deadline", "date", sortable=True),
        FieldSpec("published_at", "date", sortable=True),
        FieldSpec("suggest", "stored"),
    ),
    "challenge": _spec(
        FieldSpec("title", "text", boost=3.0),
        FieldSpec("problem", "text", boost=1.0),
        FieldSpec("background", "text", boost=0.5),
        FieldSpec("indicators", "text", boost=1.0),  # metric, target, unit of each technical indicator
        FieldSpec("technical_field", "keyword", facet=True),
        FieldSpec("industry", "keyword", facet=True),
        FieldSpec("region", "keyword", facet=True),  # province of the challenge, else of the issuer
        FieldSpec("funding_mode", "keyword", facet=True),
        FieldSpec("stage", "keyword", facet=True),  # execution stage: open, reviewing, awarded, ...
        FieldSpec("reward_band", "keyword", facet=True),  # taxonomy.PRICE_BANDS on reward_amount
        FieldSpec("org_type", "keyword", facet=True),  # the issuer's
        FieldSpec("org_id", "int"),
        FieldSpec("reward_amount", "float", sortable=True),  # 万元
        FieldSpec("application_deadline", "date", sortable=True),
        FieldSpec("published_at", "date", sortable=True),
        FieldSpec("suggest", "stored"),
    ),
    "organization": _spec(
        FieldSpec("name", "text", boost=3.0),
        FieldSpec("description", "text", boost=1.0),
        FieldSpec("org_type", "keyword", facet=True),
        FieldSpec("region", "keyword", facet=True),
        FieldSpec("suggest", "stored"),
    ),
}


def text_fields(kind: str) -> dict[str, float]:
    """Text field -> default boost."""
    return {f.name: f.boost for f in KINDS[kind].values() if f.type == "text"}


def facet_fields(kind: str) -> list[str]:
    return [f.name for f in KINDS[kind].values() if f.facet]
