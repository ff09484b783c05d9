"""The score shown with a match: an absolute, calibrated estimate in [0, 1] of how likely a person reading the need and
the record would call the record relevant to the need. It reads the pair only, so it means the same for every need,
for both directions (a demand's achievements, an achievement's demands: always scored from the demand's side) and
whatever else is in the result list (a pinned record scores as it would ranked). Its band: :data:`BANDS`.

The ranking (engine score, agreement boosts, bigram rerank, fused by rank: :mod:`.ranking`) orders the candidates of
one need; its fused values say nothing across needs (the first is always ≈ 1) and are not shown.

Features of a pair (:data:`FEATURES`), each comparable across needs:

- ``bigrams``: the share of the need's useful character bigrams (:func:`.query.focus_text`) found in the record's text
  (segmentation-free: words cut differently on the two sides still count);
- ``coverage``: the share of the need's term weight found in the record's text, each term weighted by its weight in
  the need (:func:`.query.weighted_terms`) × its general-language IDF (jieba's table), so rare subject words count
  more than common ones;
- ``title``: the same share found in the record's title alone;
- ``need_terms``: ln(1 + the number of the need's weighted terms): the same share means more of a long need.

:data:`COEFFICIENTS` are a logistic regression of "graded relevant (≥ 1)" on these features over the matcher's top 50
results for the 44 development demands (``../shared/bench`` and ``bench/dev``: 2,165 results, unjudged ones counted
as not relevant, as the benchmark's metrics do); ``bench/fit_match_score.py`` refits them and reports the
leave-one-demand-out AUC. Technical-field and industry agreement are not features: the development demands are free
text without them (the explanation states them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from search import analysis

FEATURES = ("bigrams", "coverage", "title", "need_terms")

#: Intercept, then one coefficient per feature of :data:`FEATURES`. Fitted by ``bench/fit_match_score.py``
#: (2026-12-06, embedded engine; L2 0.01 on the slopes). Leave-one-demand-out ROC AUC 0.76 (in-sample 0.77).
COEFFICIENTS = (-10.846, 3.223, 10.469, 1.899, 2.059)

#: Bands by the calibrated score, highest first: (lowest score, code). On the development demands about three in
#: four results banded high were judged relevant, about half of the medium ones, about one in eight of the low ones;
#: no demand with nothing relevant in the corpus got a result above 0.12.
BANDS = ((0.5, "high"), (0.2, "medium"), (0.0, "low"))


@dataclass(frozen=True)
class NeedProfile:
    """What the score reads of the need side: its terms with weight × IDF, and its useful character bigrams."""

    terms: tuple[tuple[str, float], ...]
    bigrams: frozenset[str]

    @classmethod
    def of(cls, weights: dict[str, float], focused_text: str) -> NeedProfile:
        """``weights``: :func:`.query.weighted_terms` of the need; ``focused_text``: :func:`.query.focus_text` of
        its text."""
        terms = tuple((t, w * analysis.idf_weight(t)) for t, w in weights.items() if w > 0)
        return cls(terms, frozenset(analysis.char_bigrams(focused_text)))


def _share(terms: tuple[tuple[str, float], ...], text: str) -> float:
    total = sum(w for _, w in terms)
    if not total:
        return 0.0
    words = set(analysis.char_bigrams(text)) if any(t.isascii() for t, _ in terms) else set()
    return sum(w for t, w in terms if (t in words if t.isascii() else t in text)) / total


def features(profile: NeedProfile, record_text: str, title: str | None) -> list[float]:
    """The pair's features, in the order of :data:`FEATURES`."""
    doc = analysis.ascii_lower(record_text or "")
    pieces = set(analysis.char_bigrams(doc))
    bigrams = (sum(1 for b in profile.bigrams if (b in pieces if len(b) > 1 or b.isascii() else b in doc))
               / len(profile.bigrams)) if profile.bigrams else 0.0
    return [bigrams, _share(profile.terms, doc), _share(profile.terms, analysis.ascii_lower(title or "")),
            math.log1p(len(profile.terms))]


def calibrated(values: list[float], coefficients: tuple[float, ...] = COEFFICIENTS) -> float:
    """The logistic model's probability for a feature vector."""
    z = coefficients[0] + sum(c * v for c, v in zip(coefficients[1:], values))
    return 1.0 / (1.0 + math.exp(-z))


def score(profile: NeedProfile, record_text: str, title: str | None) -> float:
    """The calibrated score of one pair, in [0, 1], rounded to 4 places."""
    return round(calibrated(features(profile, record_text, title)), 4)


def band(value: float | None) -> str:
    """"high", "medium" or "low" for a calibrated score."""
    for lowest, code in BANDS:
        if (value or 0.0) >= lowest:
            return code
    return "low"
