"""Validation and analysis of documents before they reach any engine (shared by all engines, so a document that
one engine calls malformed is malformed for every engine, with the same reason).

A document is *malformed* when a value cannot be read as its field's type (``"abc"`` for an ``int`` field, a
dict for a ``keyword`` field, an unparsable date, ...), when its id/version are not non-negative integers or its
kind is unknown. Unknown field names are ignored (the schema may grow before every engine is reindexed).
Numeric strings are accepted for numbers ("12" → 12), as Elasticsearch/OpenSearch coerce them too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from . import analysis
from .engine import Document
from .schema import KINDS, FieldSpec

RAW_TEXT_LIMIT = 4000  # characters of original text kept for highlighting a field
MAX_KEYWORD_CHARS = 256


class MalformedDocument(ValueError):
    """A document that cannot be indexed; the message says which field and why."""


@dataclass
class Prepared:
    """A validated, analysed document: what every engine indexes."""

    kind: str
    id: int
    version: int
    tokens: dict[str, list[str]] = field(default_factory=dict)  # text field -> analysed tokens (search mode)
    raw: dict[str, str] = field(default_factory=dict)  # highlight field -> original text (truncated)
    keywords: dict[str, list[str]] = field(default_factory=dict)  # keyword and bool fields -> string values
    numbers: dict[str, int | float] = field(default_factory=dict)
    dates: dict[str, datetime] = field(default_factory=dict)  # UTC, naive
    suggest: list[str] = field(default_factory=list)

    def token_set(self) -> set[str]:
        """Every token of every text field."""
        out: set[str] = set()
        for toks in self.tokens.values():
            out.update(toks)
        return out


def highlight_fields(kind: str) -> list[str]:
    """Text fields highlighted in hits: the title/summary-like ones (default boost >= 1)."""
    return [f.name for f in KINDS[kind].values() if f.type == "text" and f.boost >= 1.0]


def _as_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "\n".join(_as_text(name, v) for v in value if v is not None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise MalformedDocument(f"field {name!r}: expected text, got {type(value).__name__}")


def _as_keyword(spec: FieldSpec, value: Any) -> list[str]:
    values = value if isinstance(value, (list, tuple, set)) else [value]
    out = []
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (str, int)) or (isinstance(v, float) and math.isfinite(v)):
            s = str(v)
            if len(s) > MAX_KEYWORD_CHARS:
                raise MalformedDocument(f"field {spec.name!r}: keyword longer than {MAX_KEYWORD_CHARS} characters")
            out.append(s)
        else:
            raise MalformedDocument(f"field {spec.name!r}: expected keyword value(s), got {type(v).__name__}")
    return out


def _as_bool(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower()
    raise MalformedDocument(f"field {spec.name!r}: expected true/false, got {value!r:.40}")


def as_number(spec: FieldSpec, value: Any) -> int | float:
    """Coerce a number (or numeric string) to the field's type; raise MalformedDocument otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise MalformedDocument(f"field {spec.name!r}: expected a number, got {type(value).__name__}")
    try:
        number = float(value) if isinstance(value, str) else value
    except ValueError:
        raise MalformedDocument(f"field {spec.name!r}: not a number: {value!r:.40}") from None
    if not math.isfinite(number):
        raise MalformedDocument(f"field {spec.name!r}: not a finite number")
    if spec.type == "int":
        if abs(number) > 2**53:
            raise MalformedDocument(f"field {spec.name!r}: integer out of range")
        return int(number)
    return float(number)


def as_datetime(name: str, value: Any) -> datetime:
    """An ISO date/datetime string (or date/datetime) as a naive UTC datetime."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise MalformedDocument(f"field {name!r}: not an ISO date: {value!r:.40}") from None
    else:
        raise MalformedDocument(f"field {name!r}: expected an ISO date, got {type(value).__name__}")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    if not 1 <= parsed.year <= 9999:
        raise MalformedDocument(f"field {name!r}: year out of range")
    return parsed


def _check_identity(doc: Document) -> None:
    if doc.kind not in KINDS:
        raise MalformedDocument(f"unknown kind {doc.kind!r}")
    for name in ("id", "version"):
        value = getattr(doc, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 2**63:
            raise MalformedDocument(f"{name} must be a non-negative integer, got {value!r:.40}")
    if not isinstance(doc.fields, dict):
        raise MalformedDocument("fields must be a dict")


def prepare(doc: Document) -> Prepared:
    """Validate and analyse ``doc``; raise :class:`MalformedDocument` with a reason when it cannot be indexed."""
    _check_identity(doc)
    specs = KINDS[doc.kind]
    out = Prepared(kind=doc.kind, id=doc.id, version=doc.version)
    wanted_raw = set(highlight_fields(doc.kind))
    for name, value in doc.fields.items():
        spec = specs.get(name)
        if spec is None or value is None:
            continue
        if spec.type == "text":
            text = _as_text(name, value)
            out.tokens[name] = analysis.index_tokens(text)  # search mode: long words also give their sub-words
            if name in wanted_raw and text:
                out.raw[name] = text[:RAW_TEXT_LIMIT]
        elif spec.type == "keyword":
            out.keywords[name] = _as_keyword(spec, value)
        elif spec.type == "bool":
            out.keywords[name] = [_as_bool(spec, value)]
        elif spec.type in ("int", "float"):
            if isinstance(value, str) and not value.strip():
                continue
            out.numbers[name] = as_number(spec, value)
        elif spec.type == "date":
            if isinstance(value, str) and not value.strip():
                continue
            out.dates[name] = as_datetime(name, value)
        elif spec.type == "stored" and name == "suggest":
            items = value if isinstance(value, (list, tuple)) else [value]
            out.suggest = [s.strip()[:100] for s in (_as_text(name, v) for v in items) if s and s.strip()]
    return out
