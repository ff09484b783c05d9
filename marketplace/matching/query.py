"""Query construction for matching: long demand (or achievement) text → weighted, already-analysed terms.

The steps, each a general method (nothing here knows any particular demand):

1. **Term weights** (:func:`weighted_terms`). Every analysed token of the text counts, weighted by its frequency in
   the text and a general-language IDF prior (jieba's table): a long demand mixes its subject with business prose
   ("我公司", "希望", "成本"), which is rare in research abstracts and would otherwise get a high corpus IDF.
   Words of the demand genre itself (:data:`GENRE_WORDS`: who is asking, how they want to cooperate) are dropped.
   Tokens from the title, indicators and declared keywords of a record count extra.
2. **Compound decomposition** (:func:`add_subwords`). Segmentation is greedy, so "纳米级" in a demand never meets
   "纳米" in an abstract; long tokens also contribute their dictionary sub-words (jieba's search mode), weaker.
3. **Pseudo-relevance feedback** (:func:`feedback_terms`): the characteristic terms of the top first-pass hits
   (term share × IDF, RM3-style) are added with a small weight, then the engine is queried again.
4. **Discipline prior** (:func:`discipline_prior`): the score-weighted distribution of the top hits' disciplines
   becomes an additive boost, so a record from the area the best hits share outranks a stray lexical match.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import rjieba

from search import analysis
from search.engine import WeightedTerm

# Words of the demand genre: who asks, what cooperation they want, how urgent. They say nothing about the subject.
GENRE_WORDS = frozenset("""
我公司 我司 我们 我厂 我矿 我院 本公司 公司 企业 单位 厂家 一家 希望 寻求 诚寻 寻找 需要 想 想要 打算 计划 拟 引进 获得
合作 合作开发 联合 联合开发 联合攻关 联合研发 攻关 技术转让 转让 许可 入股 作价 委托 团队 高校 院所 科研 科研院所 研发
技术 方案 项目 成熟 经验 工程应用 目前 现在 现有 主要 经常 往往 一直 已经 还 又 可 可以 能 能够 提供 包括 考虑 缺少 缺乏
达到 要求 目标 不足 明显 严重 问题 导致 提高 提升 降低 减少 实现 一套 一些 大量 相关 以上 以下 左右 约 多 较 很 非常 突出
""".split())

_subword_jieba: rjieba.Jieba | None = None


@dataclass
class MatchSettings:
    """Tunable parameters of the matcher (defaults chosen on the development benchmark, see bench/)."""

    idf_mix: float = 0.5  # 0: term frequency only; 1: frequency × normalised general-language IDF
    emphasis: float = 1.5  # extra weight of tokens from titles, indicators and declared keywords
    subword_weight: float = 0.6  # weight of a compound's sub-words relative to the compound
    max_terms: int = 64
    feedback_docs: int = 10
    feedback_terms: int = 15
    feedback_weight: float = 0.15
    discipline_docs: int = 20
    discipline_weight: float = 0.5  # boost (× top score) for a record in the discipline all top hits share
    field_weight: float = 0.15  # boost (× top score) for technical-field agreement
    industry_weight: float = 0.10  # boost (× top score) for industry agreement
    candidates: int = 100
    field_boosts: dict[str, dict[str, float]] = field(default_factory=lambda: {
        "achievement": {"title": 1.0, "keywords": 1.0, "summary": 1.0, "description": 0.5, "industries_text": 0.3,
                        "benefits": 0.3, "org_name": 0.0},
        "patent": {"title": 1.0, "abstract": 1.0, "applicant": 0.0},
        "demand": {"title": 1.0, "keywords": 1.0, "problem": 1.0, "indicators": 0.8},
    })


DEFAULT_SETTINGS = MatchSettings()


def _useful(term: str) -> bool:
    if term in GENRE_WORDS or term in analysis.STOPWORDS:
        return False
    if len(term) == 1 and term.isascii():
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
    """Dictionary sub-words of a long token ("纳米级" → ["纳米"]), canonicalised; [] for short or ASCII tokens."""
    global _subword_jieba
    if len(term) < 3 or term.isascii():
        return []
    if _subword_jieba is None:
        _subword_jieba = rjieba.Jieba()
    out = []
    for part in _subword_jieba.cut_for_search(term):
        part = analysis.canonical(part)
        if len(part) >= 2 and part != term and _useful(part):
            out.append(part)
    return analysis.unique(out)


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


def as_query_terms(weights: dict[str, float]) -> list[WeightedTerm]:
    """Weights → the engine's weighted terms, heaviest first."""
    return [WeightedTerm(t, w) for t, w in sorted(weights.items(), key=lambda kv: -kv[1]) if w > 0]
