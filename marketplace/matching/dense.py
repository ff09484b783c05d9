"""Dense retrieval (语义召回) for the semantic rerank: the records nearest to a need by the encoder's cosine, over
every stored vector of a kind, so that a record the need's words miss (柑桔 for 柑橘, an English title) can still join
the candidate pool (:func:`.ranking.rank`).

The vectors of each kind are held in this process's memory as float32 (1.5 kB a record: 154 MB at 100,000), read
from ``semantic_vectors`` on the first match of the kind and kept current from the rows written since (one indexed
query at most every :data:`CHECK_EVERY` seconds); a search is one matrix-vector product (about 16 ms at 100,000 on
2 cores). The memory copy only nominates: the ranking reads the nominees' vectors again from the database
(:func:`.semantic.vectors`) and loads them as public rows, so a vector deleted, or a record unpublished, since
it was read here never reaches a result.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime

import numpy as np
from flask import current_app

from ..extensions import db
from .models import SemanticVector

CHECK_EVERY = 5.0  # seconds between two looks for vectors written since (a new record becomes findable this late)
EXTENSION_KEY = "matching_dense"


class _Vectors:
    """One kind's vectors: ``matrix[:size]`` rows, ``ids[:size]`` their records; capacity doubles as it fills."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.size = 0
        self.row_of: dict[int, int] = {}
        self.seen: datetime | None = None
        self.checked = -CHECK_EVERY
        self.lock = threading.Lock()

    def _put(self, record_id: int, vector: np.ndarray) -> None:
        row = self.row_of.get(record_id)
        if row is None:
            if self.size == len(self.ids):
                capacity = max(1024, 2 * len(self.ids))
                matrix = np.zeros((capacity, len(vector)), dtype=np.float32)
                ids = np.zeros(capacity, dtype=np.int64)
                if self.size:
                    matrix[:self.size], ids[:self.size] = self.matrix[:self.size], self.ids[:self.size]
                self.matrix, self.ids = matrix, ids
            row = self.row_of[record_id] = self.size
            self.ids[row] = record_id
            self.size += 1
        self.matrix[row] = vector

    def update(self, kind: str) -> None:
        """Read the vectors written since the last look (all of them the first time)."""
        now = time.monotonic()
        if now - self.checked < CHECK_EVERY:
            return
        self.checked = now
        query = db.select(SemanticVector.record_id, SemanticVector.vector, SemanticVector.updated_at).where(
            SemanticVector.kind == kind)
        if self.seen is not None:
            query = query.where(SemanticVector.updated_at > self.seen)
        for record_id, blob, updated_at in db.session.execute(query):
            self._put(record_id, np.frombuffer(blob, dtype=np.float16))
            if self.seen is None or updated_at > self.seen:
                self.seen = updated_at

    def nearest(self, need: np.ndarray, k: int, exclude: set[int]) -> list[int]:
        if self.size == 0 or k <= 0:
            return []
        cosines = self.matrix[:self.size] @ need
        wanted = min(self.size, k + len(exclude))
        top = np.argpartition(-cosines, wanted - 1)[:wanted] if wanted < self.size else np.arange(self.size)
        ranked = [int(self.ids[i]) for i in top[np.argsort(-cosines[top], kind="stable")]]
        return [i for i in ranked if i not in exclude][:k]


def _vectors(kind: str) -> _Vectors:
    indexes = current_app.extensions.setdefault(EXTENSION_KEY, {})
    return indexes.get(kind) or indexes.setdefault(kind, _Vectors())


def nearest(kind: str, need: np.ndarray, k: int, exclude: set[int] = frozenset()) -> list[int]:
    """Ids of the ``k`` records of ``kind`` whose stored vectors are nearest to ``need`` (not in ``exclude``), nearest
    first; public or not (the caller loads public rows only)."""
    vectors = _vectors(kind)
    with vectors.lock:
        vectors.update(kind)
        return vectors.nearest(need, k, exclude)


def preload(kinds: tuple[str, ...] = ("achievement", "patent", "demand")) -> int:
    """Read every stored vector now (gunicorn's ``post_worker_init`` does, before the worker takes requests: at
    100,000 achievements the first read takes seconds); returns how many are held."""
    held = 0
    for kind in kinds:
        vectors = _vectors(kind)
        with vectors.lock:
            vectors.checked = -CHECK_EVERY
            vectors.update(kind)
            held += vectors.size
    return held
