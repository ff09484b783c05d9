"""SQL filter clauses shared by the list pages, the JSON API and the search fallback."""
from __future__ import annotations

from sqlalchemy import String, and_, cast

from .taxonomy import PRICE_BANDS

BAND_RANGES = {code: (low, high) for code, low, high, *_ in PRICE_BANDS}


def amount_in_band(column, band: str):
    """``column`` (万元) within the price band ``band`` (a code of taxonomy.PRICE_BANDS); "negotiable" = no amount.
    Comparisons exclude NULL amounts by themselves."""
    if band == "negotiable":
        return column.is_(None)
    low, high = BAND_RANGES[band]
    clauses = []
    if low is not None:
        clauses.append(column >= low)
    if high is not None:
        clauses.append(column < high)
    return and_(*clauses)


def json_list_contains(column, code: str):
    """A portable test (SQLite and PostgreSQL) for ``code`` in a JSON list of vocabulary codes. Callers pass codes
    validated against a vocabulary, so no LIKE wildcard can sneak in."""
    return cast(column, String).like(f'%"{code}"%')
