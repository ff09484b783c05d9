"""What matching reads of a record: one text per kind (the rerank, the calibrated score, the encoder)."""
from __future__ import annotations


def record_text(kind: str, record) -> str:
    """The text of a record that matching reads (feedback terms, matched terms of pinned records, the bigram rerank,
    the calibrated score, the encoder's passage)."""
    if kind == "achievement":
        parts = [record.title, " ".join(record.keywords or []), record.summary]
    elif kind == "patent":
        parts = [record.title, record.abstract]
    else:
        parts = [record.title, " ".join(record.keywords or []), record.problem, record.indicators]
    return "。".join(p for p in parts if p)
