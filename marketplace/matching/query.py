"""Query construction for matching: long demand (or achievement) text → weighted, already-analysed terms.

The steps, each a general method (nothing here knows any particular demand):

1. **Term weights** (:func:`weighted_terms`). Every analysed token of the text counts, weighted by its frequency in
   the text and a general-language IDF prior (jieba's table): a long demand mixes its subject with business prose
   ("我公司", "希望", "成本"), which is rare in research abstracts and would otherwise get a high corpus IDF.
   Words of the demand genre itself (:data:`GENRE_WORDS`: who is asking, how they want to cooperate) and common
   single characters (:data:`FUNCTION_CHAR_IDF`) are dropped.
   Tokens from the title, indicators and declared keywords of a record count extra.
2. **Compound decomposition** (:func:`add_subwords`). Documents are indexed in search mode (a long word also
   gives its dictionary sub-words, :func:`search.analysis.index_tokens`), so the demand's long words contribute
   their sub-words too ("纳米级" → "纳米"), weaker, and meet "纳米" wherever the index has it.
3. **Pseudo-relevance feedback** (:func:`feedback_terms`): the characteristic terms of the top first-pass hits
   (term share × IDF, RM3-style) can be added with a small weight before querying again. Off by default
   (``feedback_weight`` 0): with search-mode indexing and the rerank below it lowered nDCG@10 on the development
   benchmark (0.820 → 0.800) and it costs a query.
4. **Discipline prior** (:func:`discipline_prior`): the score-weighted distribution of the top hits' disciplines
   becomes an additive boost, so a record from the area the best hits share outranks a stray lexical match. It is
   added to the pool's scores after the one engine query (:func:`.ranking.rank`), not sent back to the engine as a
   boost in a second query: that query cost 10–20 ms on OpenSearch and brought nDCG@10 (all sets) 0.712 against
   0.711 with the prior on the pool (weight 0.5 → 0.75; 0.5 gives 0.705, and 0.75 / 1.0 with 10, 20 or 30 top hits
   0.705–0.714).
5. **Second-stage rerank** (:func:`bigram_scores`, :func:`fuse`): the candidates are scored again by BM25 over
   CJK character bigrams of the need's text against each candidate's text (segmentation-free, so words jieba cut
   differently on the two sides still meet), with document frequencies taken within the candidate pool; the two
   rankings are combined by reciprocal rank fusion with equal weights. Only the characters of the need's useful
   words count (:func:`focus_text`: the same stopwords and genre words as step 1).

Measured on the 44 development demands (2026-12-06, embedded engine; nDCG@10 original 12 / new 28 scored / all 40):
the defaults give 0.814 / 0.666 / 0.711 (plain BM25 0.710 / 0.625 / 0.651); with the second engine query before,
0.831 / 0.661 / 0.712. Each step pulls its weight on all 40
(without the rerank 0.655, without the discipline prior 0.699). Tried and not adopted (none raised the all-sets figure by more
than 0.007, within one standard error of the paired difference over 40 demands (≈ 0.008); most traded the
original set against the new one): single settings one at a time (discipline weight 0.25 / 1.0, discipline docs 10 /
30, sub-word weight 0 / 0.3 / 0.8 / 1.0, rerank weight 0.3 / 0.7 / 0.85 / 1.0, idf_mix 0 … 1, max terms 32 / 128, pool
100, feedback 0.3, title boost 0.5 / 1.5 / 2.0); the bigram BM25's k1 (0.9–2.0) and b (0.3–0.9), binary or √ query
frequencies, corpus-wide instead of pool document frequencies (0.690); RRF k 10 / 20 / 30 / 100; a third fused ranking
(plain BM25 0.706–0.708; the share of the record title's words found in the need 0.667–0.698: the FewCLUE records have
no title); a coordination factor (the need's covered weight share ^ α on the engine score: 0.705–0.713, original
−0.02…−0.05); scoring each sentence or clause of the need separately and summing the normalised scores (0.668–0.708);
corpus IDF instead of, or mixed with, jieba's IDF in the term weights (0.683–0.706: BM25 applies corpus IDF already);
the discipline prior with sharpened / flattened shares or rank weights (1/r: 0.719 but recall 0.941, 10 demands better
and 8 worse, and its neighbours 1/√r, 1/(r+3), 1/(r+10) lower). Short query-style demands (10 of 40) gain nothing over
plain BM25 (0.584 vs 0.582); statements gain 12 % (0.754 vs 0.674).

Semantic similarity learnt from the corpus itself (LSA of 100–400 dimensions, word2vec, fastText over its 15,864
records, fused with this ranking in the pool or by rank) leaves the new demands at 0.684 or below (0.666 without),
and so do static word vectors of a pretrained encoder (each word embedded alone, IDF-weighted mean: 0.651 or below).
The pretrained multilingual encoder run on whole texts does: :mod:`.semantic` (``MATCH_SEMANTIC``, on for stored
needs, whose vectors are embedded in the background; embedding a free-text need costs 60–90 ms on 2 cores).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
from search import analysis
from search.engine import WeightedTerm

# Words of the demand genre: who asks, what cooperation they want, how urgent. They say nothing about the subject.
GENRE_WORDS = frozenset("""
我公司 我司 我们 我厂 我矿 我院 本公司 公司 企业 单位 厂家 一家 希望 寻求 诚寻 寻找 需要 想 想要 打算 计划 拟 引进 获得
合作 合作开发 联合 联合开发 联合攻关 联合研发 攻关 技术转让 转让 许可 入股 作价 委托 团队 高校 院所 科研 科研院所 研发
技术 方案 项目 成熟 经验 工程应用 目前 现在 现有 主要 经常 往往 一直 已经 还 又 可 可以 能 能够 提供 包括 考虑 缺少 缺乏
达到 要求 目标 不足 明显 严重 问题 导致 提高 提升 降低 减少 实现 一套 一些 大量 相关 以上 以下 左右 约 多 较 很 非常 突出
""".split())


@dataclass
class MatchSettings:
    """Tunable parameters of the matcher (defaults chosen on the development benchmark, see bench/)."""

    idf_mix: float = 0.5  # 0: term frequency only; 1: frequency × normalised general-language IDF
    emphasis: float = 1.5  # extra weight of tokens from titles, indicators and declared keywords
    subword_weight: float = 0.6  # weight of a compound's sub-words relative to the compound
    max_terms: int = 64
    feedback_docs: int = 10
    feedback_terms: int = 15
    feedback_weight: float = 0.0  # PRF off: with search-mode indexing and the rerank it cost nDCG (bench/)
    discipline_docs: int = 20
    discipline_weight: float = 0.75  # boost (× top score) for a record in the discipline all top hits share
    field_weight: float = 0.15  # boost (× top score) for technical-field agreement
    industry_weight: float = 0.10  # boost (× top score) for industry agreement
    candidates: int = 50  # rerank pool, at least 2 × the results asked for (nDCG@10: pool 50 0.817, 100 0.818)
    rerank_focus: bool = True  # rerank on the useful words' characters only (see focus_text)
    rerank_weight: float = 0.5  # weight of the bigram ranking in the fusion (0: engine score only)
    field_boosts: dict[str, dict[str, float]] = field(default_factory=lambda: {
        "achievement": {"title": 1.0, "keywords": 1.0, "summary": 1.0, "description": 0.5, "industries_text": 0.3,
                        "benefits": 0.3, "org_name": 0.0},
        "patent": {"title": 1.0, "abstract": 1.0, "applicant": 0.0},
        "demand": {"title": 1.0, "keywords": 1.0, "problem": 1.0, "indicators": 0.8},
    })


DEFAULT_SETTINGS = MatchSettings()


# A single character more common than this in general Chinese (jieba's IDF) is a function character: 下 3.4, 不 2.6,
# 使 3.8, 自 4.7, 可 3.5, 高 4.2 say nothing of a subject and occur in a tenth of all abstracts; the names of elements
# and materials stay (锂 8.4, 硅 7.8, 铁 6.1, 水 5.4). On the development benchmark: nDCG@10 0.818 → 0.820.
FUNCTION_CHAR_IDF = 5.3


def _useful(term: str) -> bool:
    if term in GENRE_WORDS or term in analysis.STOPWORDS:
        return False
    if len(term) == 1 and (term.isascii() or analysis.idf_weight(term) < FUNCTION_CHAR_IDF):
        return False
    return not term.replace(".", "").isdigit()


def weighted_terms(text: str | None, emphasised: Iterable[str | None] = (),
                   settings: MatchSettings = DEFAULT_SETTINGS) -> dict[str, float]:
    """Analysed terms of ``text`` (plus the ``emphasised`` texts: title, indicators, keywords) with weights."""
    counts: Counter[str] = Counter(t for t in analysis.tokenize(text) if _useful(t))
    for extra in emphasised:
        for term in analysis.unique(t for t in analysis.tokenize(extra) if _useful(t)):
            counts[term] += settings.emphasis
    if not counts:
        return {}
    idf = {t: analysis.idf_weight(t) for t in counts}
    top_idf = max(idf.values()) or 1.0
    weights = {t: n * ((1 - settings.idf_mix) + settings.idf_mix * idf[t] / top_idf) for t, n in counts.items()}
    best = sorted(weights.items(), key=lambda kv: -kv[1])[:settings.max_terms]
    return normalise(dict(best))


def normalise(weights: dict[str, float]) -> dict[str, float]:
    """Weights scaled so that the largest is 1."""
    top = max(weights.values(), default=0.0)
    return {t: round(w / top, 4) for t, w in weights.items()} if top > 0 else {}


def subwords(term: str) -> list[str]:
    """Dictionary sub-words of a long token ("纳米级" → ["纳米"]), as the index has them (search mode, same
    dictionaries); [] for short or ASCII tokens."""
    return [part for part in analysis.subwords(term) if _useful(part)]


def add_subwords(weights: dict[str, float], settings: MatchSettings = DEFAULT_SETTINGS) -> dict[str, float]:
    """``weights`` plus the sub-words of its compounds at ``subword_weight`` × the compound's weight."""
    out = dict(weights)
    if settings.subword_weight <= 0:
        return out
    for term, weight in weights.items():
        for part in subwords(term):
            out[part] = max(out.get(part, 0.0), settings.subword_weight * weight)
    return out


def feedback_terms(texts: Iterable[str], settings: MatchSettings = DEFAULT_SETTINGS) -> dict[str, float]:
    """Characteristic terms of feedback documents: mean within-document share × IDF, top ``feedback_terms``,
    scaled to (0, 1]."""
    share: Counter[str] = Counter()
    for text in texts:
        tokens = [t for t in analysis.tokenize(text) if len(t) > 1 and _useful(t)]
        if not tokens:
            continue
        for term, n in Counter(tokens).items():
            share[term] += n / len(tokens)
    scored = sorted(((v * analysis.idf_weight(t), t) for t, v in share.items()), reverse=True)
    return normalise({t: s for s, t in scored[:settings.feedback_terms]})


def with_feedback(weights: dict[str, float], feedback: dict[str, float],
                  settings: MatchSettings = DEFAULT_SETTINGS) -> dict[str, float]:
    """Original weights plus ``feedback_weight`` × the feedback terms (added, so shared terms gain)."""
    out = dict(weights)
    for term, weight in feedback.items():
        out[term] = out.get(term, 0.0) + settings.feedback_weight * weight
    return out


def discipline_prior(scored: Iterable[tuple[str | None, float]], top_score: float,
                     settings: MatchSettings = DEFAULT_SETTINGS) -> dict[str, float]:
    """``{discipline: boost}`` from (discipline, score) pairs of the top hits: each discipline's share of the
    summed score × ``discipline_weight`` × the top score."""
    totals: Counter[str] = Counter()
    for discipline, score in scored:
        if discipline:
            totals[discipline] += max(score, 0.0)
    grand = sum(totals.values())
    if grand <= 0 or settings.discipline_weight <= 0:
        return {}
    return {d: round(settings.discipline_weight * top_score * v / grand, 4) for d, v in totals.items()}


def focus_text(text: str | None) -> str:
    """``text`` with everything but its useful words blanked out (stopwords, punctuation and the words of the
    demand genre, :data:`GENRE_WORDS`), so bigrams of "我公司希望合作" do not count in the rerank."""
    text = text or ""
    chars = [" "] * len(text)
    for term, start, end in analysis.segments(text):
        if _useful(term):
            chars[start:end] = text[start:end]
    return "".join(chars)


_ASCII_WORD = re.compile(r"[0-9a-z]+")


def bigram_scores(text: str | None, candidates: list[str], k1: float = 1.2, b: float = 0.75,
                  focus: bool = True) -> list[float]:
    """BM25 of ``text``'s character bigrams (:func:`search.analysis.char_bigrams`) against each candidate text,
    with document frequencies and average length taken over the candidates themselves (the pool is what is being
    reordered: a bigram every candidate shares says nothing about their order). A candidate's length is its number
    of characters; its bigram frequencies are counts of adjacent character pairs (ASCII words: whole-word counts).

    The CJK part is counted for the whole pool at once (:func:`_cjk_counts`, numpy): per-candidate Python loops
    cost 1–3 ms for a pool of 50, a third of a long demand's matching time."""
    query = Counter(analysis.char_bigrams(focus_text(text) if focus else text))
    if not query or not candidates:
        return [0.0] * len(candidates)
    docs = [analysis.ascii_lower(c or "") for c in candidates]
    cjk = [t for t in query if not t.isascii()]  # pairs, and lone characters (unigrams)
    words = [t for t in query if t.isascii()]
    terms = cjk + words
    tf = np.zeros((len(docs), len(terms)))
    if cjk:
        tf[:, :len(cjk)] = _cjk_counts(docs, cjk)
    if words:
        for i, doc in enumerate(docs):
            found = Counter(_ASCII_WORD.findall(doc))
            tf[i, len(cjk):] = [found.get(word, 0) for word in words]
    n_docs = len(docs)
    df = (tf > 0).sum(axis=0)
    idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    lengths = np.array([len(doc) for doc in docs], dtype=float)
    norm = k1 * (1 - b + b * lengths / (lengths.mean() or 1.0))
    weights = np.array([query[t] for t in terms], dtype=float) * idf
    return (tf * (k1 + 1) / (tf + norm[:, None]) @ weights).tolist()


_LONE = (1 << 21) - 1  # the low bits of a single character's key
_BMP = 1 << 16


def _cjk_counts(docs: list[str], terms: list[str]) -> np.ndarray:
    """``counts[i, j]``: occurrences of ``terms[j]`` (a CJK character pair or a single CJK character) in
    ``docs[i]``. The docs are joined by NUL into one array of code points; a pair is the code point of its first
    character shifted left by 21 bits (Unicode's range) plus the second's, a single character its code point
    shifted with all 21 low bits set (beyond Unicode, so no pair has it), so pairs and characters share one sorted
    key space that ``searchsorted`` looks up."""
    text = "\0".join(doc.replace("\0", " ") for doc in docs)
    joined = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    doc_of = np.cumsum(joined == 0)  # the separator belongs to the next doc; it is in no term
    wanted = np.zeros(_BMP, dtype=bool)  # the terms' first characters (CJK, in the Basic Multilingual Plane)
    wanted[[min(ord(t[0]), _BMP - 1) for t in terms]] = True  # beyond the plane: checked exactly below
    starts = np.flatnonzero(wanted[np.minimum(joined, _BMP - 1)])  # where a term can begin: a few percent
    following = np.append(joined, 0)[starts + 1]
    keys = np.concatenate([(joined[starts] << 21) | following, (joined[starts] << 21) | _LONE])
    positions = np.concatenate([doc_of[starts], doc_of[starts]])
    codes = np.array([(ord(t[0]) << 21) | (ord(t[1]) if len(t) == 2 else _LONE) for t in terms], dtype=np.int64)
    order = np.argsort(codes)
    found = np.minimum(np.searchsorted(codes[order], keys), len(codes) - 1)
    hit = codes[order][found] == keys
    counts = np.bincount(positions[hit] * len(terms) + order[found[hit]], minlength=len(docs) * len(terms))
    return counts.reshape(len(docs), len(terms))


RRF_K = 60  # the constant of Cormack, Clarke and Büttcher (2009), used as published


def ranks(values: list[float]) -> list[int]:
    """1-based rank of each value, highest first (ties keep their order)."""
    ranks = [0] * len(values)
    for rank, i in enumerate(sorted(range(len(values)), key=lambda i: -values[i]), start=1):
        ranks[i] = rank
    return ranks


def fuse(first: list[float], second: list[float], weight: float, k: int = RRF_K) -> list[float]:
    """Weighted reciprocal rank fusion of two scorings of the same candidates:
    ``(1 - weight) / (k + rank in first) + weight / (k + rank in second)``, scaled by ``k + 1`` so that a candidate
    first in both scores 1. It reads ranks only, so the two scales (engine BM25 with boosts, bigram BM25 over the
    pool) need no normalising; min-max linear fusion, used before, let one outlying score squeeze the others
    (nDCG@10 on the development benchmark: 0.820 linear, 0.831 with RRF)."""
    if weight <= 0:
        return list(first)
    return [(k + 1) * ((1 - weight) / (k + a) + weight / (k + b)) for a, b in zip(ranks(first), ranks(second))]


def as_query_terms(weights: dict[str, float]) -> list[WeightedTerm]:
    """Weights → the engine's weighted terms, heaviest first."""
    return [WeightedTerm(t, w) for t, w in sorted(weights.items(), key=lambda kv: -kv[1]) if w > 0]
