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

What limits the AUC (measured 2026-12-06 over the matcher's top 50 of the 44 demands, judged results only): the
judged records that were not relevant are the pooled rankers' near misses, lexically close to the need, so the task
is ranking, not calibration: the mean AUC within one demand (0.760) equals the pooled one, and the matcher's own rank
order separates no better (0.763; added to the features, leave-one-demand-out 0.775). Extra pair features tried
(leave-one-demand-out AUC, the current four: 0.761): share of the record title's useful bigrams / IDF-weighted words
found in the need 0.772 / 0.775 (but a nothing-relevant demand then reaches 0.23, medium); coverage weighted by corpus
IDF 0.755; coverage of the need's five heaviest terms 0.760; the best-covered need sentence's bigram share 0.758;
record length 0.760; all of them together 0.763. None was adopted.
With the encoder (:mod:`.semantic`) the pair's cosine is a fifth feature (:data:`SEMANTIC_COEFFICIENTS`), used when
the need and the record both have a stored vector that describes their current text (a stored need's matches, both
directions; free text only with ``MATCH_SEMANTIC_FREE_TEXT``); otherwise the four above score the pair. Over the
matcher's top 50 with the semantic rerank (``bench/fit_match_score.py --semantic``, 2026-12-06) the cosine alone
gives 0.801, the four features 0.754 and the five 0.809 leave-one-demand-out (0.820 in-sample); the high band stays
at about three in four judged relevant, and no nothing-relevant demand gets above 0.13. The first probe
(``bench/semantic_probe.py``: 0.789 alone, 0.794 with the score) embedded the need as a query; a stored need is
embedded as a passage, like the records. Other encoder features tried on the same results (leave-one-demand-out):
the need's focused text or the need as a query in place of the whole need, 0.799–0.814; the record's title embedded
alone, added to the five, 0.812; the cosine squared, added, 0.813. None was adopted (an extra vector per record, or a
gain within the noise). word2vec, fastText or LSA trained on the corpus itself give 0.69 or less. A cross-encoder,
which reads the two texts together and is what would separate near misses, is not available offline here.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from search import analysis

FEATURES = ("bigrams", "coverage", "title", "need_terms")

#: Intercept, then one coefficient per feature of :data:`FEATURES`. Fitted by ``bench/fit_match_score.py``
#: (2026-12-06, embedded engine; L2 0.01 on the slopes). Leave-one-demand-out ROC AUC 0.76 (in-sample 0.77).
COEFFICIENTS = (-10.846, 3.223, 10.469, 1.899, 2.059)

#: The same model with the encoder's cosine of the pair (:mod:`.semantic`: the need's and the record's stored passage
#: vectors) as a fifth feature, used when both have one that describes their current text. Fitted by
#: ``bench/fit_match_score.py --semantic`` (2026-12-06) over the matcher's top 50 with the semantic rerank.
SEMANTIC_COEFFICIENTS = (-50.651, 0.45, 9.287, 1.419, 1.204, 48.394)

#: Bands by the calibrated score, highest first: (lowest score, code). On the development demands about three in
#: four results banded high were judged relevant, about half of the medium ones, about one in eight of the low ones;
#: no demand with nothing relevant in the corpus got a result above 0.12.
BANDS = ((0.5, "high"), (0.2, "medium"), (0.0, "low"))

_ASCII_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class NeedProfile:
    """What the score reads of the need side: its terms with weight × IDF and its useful character bigrams, each
    split into CJK ones (looked up as substrings of the record's text) and ASCII words (looked up as whole words)."""

    terms: tuple[tuple[str, float], ...]
    words: tuple[tuple[str, float], ...]
    bigrams: tuple[str, ...]
    ascii_bigrams: frozenset[str]

    @classmethod
    def of(cls, weights: dict[str, float], focused_text: str) -> NeedProfile:
        """``weights``: :func:`.query.weighted_terms` of the need; ``focused_text``: :func:`.query.focus_text` of
        its text."""
        weighted = [(t, w * analysis.idf_weight(t)) for t, w in weights.items() if w > 0]
        bigrams = set(analysis.char_bigrams(focused_text))
        return cls(tuple((t, w) for t, w in weighted if not t.isascii()),
                   tuple((t, w) for t, w in weighted if t.isascii()),
                   tuple(b for b in bigrams if not b.isascii()), frozenset(b for b in bigrams if b.isascii()))

    @property
    def size(self) -> int:
        return len(self.terms) + len(self.words)

    def share(self, text: str) -> float:
        """The share of the need's term weight (weight × IDF) found in ``text`` (ASCII-lowered)."""
        total = sum(w for _, w in self.terms) + sum(w for _, w in self.words)
        if not total:
            return 0.0
        found = sum(w for t, w in self.terms if t in text)
        if self.words:
            words = set(_ASCII_WORD.findall(text))
            found += sum(w for t, w in self.words if t in words)
        return found / total

    def bigram_share(self, text: str) -> float:
        """The share of the need's useful bigrams found in ``text`` (ASCII-lowered)."""
        count = len(self.bigrams) + len(self.ascii_bigrams)
        if not count:
            return 0.0
        found = sum(1 for b in self.bigrams if b in text)
        if self.ascii_bigrams:
            found += len(self.ascii_bigrams & set(_ASCII_WORD.findall(text)))
        return found / count


def features(profile: NeedProfile, record_text: str, title: str | None) -> list[float]:
    """The pair's features, in the order of :data:`FEATURES`."""
    doc = analysis.ascii_lower(record_text or "")
    return [profile.bigram_share(doc), profile.share(doc), profile.share(analysis.ascii_lower(title or "")),
            math.log1p(profile.size)]


def calibrated(values: list[float], coefficients: tuple[float, ...] = COEFFICIENTS) -> float:
    """The logistic model's probability for a feature vector."""
    z = coefficients[0] + sum(c * v for c, v in zip(coefficients[1:], values))
    return 1.0 / (1.0 + math.exp(-z))


def score(profile: NeedProfile, record_text: str, title: str | None, cosine: float | None = None) -> float:
    """The calibrated score of one pair, in [0, 1], rounded to 4 places: with the encoder's ``cosine`` of the pair
    when both sides have a current vector (:data:`SEMANTIC_COEFFICIENTS`), else from the words alone."""
    values = features(profile, record_text, title)
    if cosine is None:
        return round(calibrated(values), 4)
    return round(calibrated(values + [cosine], SEMANTIC_COEFFICIENTS), 4)


def band(value: float | None) -> str:
    """"high", "medium" or "low" for a calibrated score."""
    for lowest, code in BANDS:
        if (value or 0.0) >= lowest:
            return code
    return "low"
