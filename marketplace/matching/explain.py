"""Why a pair matches, in words a person can check: shared terms, field and industry agreement, TRL fit, price
against budget, region. The same facts drive the structured rerank (:func:`structured_factor`).

A pair always has a *need* side (a demand, or free text with optional filters) and an *offer* side (an
achievement or an open-licence patent); matching an achievement to demands just swaps which record is which.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from search import analysis

from .. import taxonomy
from ..web.messages import N_

MAX_TERMS_SHOWN = 8


@dataclass
class Need:
    """What the asking side wants (every field optional: free text has none of them)."""

    technical_field: str | None = None
    industries: list[str] = field(default_factory=list)
    trl_min: int | None = None
    budget_min: float | None = None
    budget_max: float | None = None
    region: str | None = None


@dataclass
class Offer:
    """What the offering side has."""

    technical_field: str | None = None
    industries: list[str] = field(default_factory=list)
    trl: int | None = None
    price: float | None = None  # 万元; None = negotiable / not stated
    region: str | None = None
    price_label: str = "报价"  # "报价" for achievements, "许可费" for open licences


def _num(value) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (Decimal, int, float)) else None


def need_of_demand(demand) -> Need:
    return Need(technical_field=demand.technical_field, industries=[demand.industry] if demand.industry else [],
                trl_min=demand.trl_min, budget_min=_num(demand.budget_min), budget_max=_num(demand.budget_max),
                region=_province(demand.region or getattr(demand.organization, "region", None)))


def offer_of_achievement(achievement) -> Offer:
    return Offer(technical_field=achievement.technical_field, industries=list(achievement.industries or []),
                 trl=achievement.trl, price=_num(achievement.price_amount),
                 region=_province(achievement.region or getattr(achievement.organization, "region", None)))


def offer_of_patent(patent) -> Offer:
    licence = patent.open_licence
    return Offer(price=_num(licence.annual_fee) if licence is not None else None, price_label="年许可费",
                 region=_province(patent.region or getattr(patent.organization, "region", None)))


def need_of_filters(filters: dict[str, list]) -> Need:
    """The structured part of a free-text request: single-valued facet filters become preferences."""
    def one(name):
        values = filters.get(name) or []
        return values[0] if len(values) == 1 else None

    return Need(technical_field=one("technical_field"), industries=list(filters.get("industries") or []),
                region=one("region"))


def _province(code: str | None) -> str | None:
    return code[:2] + "0000" if code and len(code) >= 2 and code[:2].isdigit() else code


def budget_fit(price: float, low: float | None, high: float | None) -> str:
    """Where a price falls against a budget: "below" its lower bound, "within" it, or "above" its upper bound."""
    if low is not None and price < low:
        return "below"
    if high is not None and price > high:
        return "above"
    return "within"


# Words that occur in any research abstract or company text whatever its subject: shared, they say nothing about
# why two records match, so the explanation does not list them (the ranking still reads them, weighted low).
BOILERPLATE = frozenset("""
用户 开展 应用 低于 高于 大于 小于 进行 通过 采用 利用 基于 具有 具备 实现 提供 方法 研究 系统 结果 表明 显著 有效 良好
问题 领域 行业 产品 市场 生产 企业 公司 需求 需要 能力 水平 方面 过程 情况 条件 作用 影响 效果 特点 优势 国内 国外 国际
首次 新型 一种 以及 其中 同时 主要 重要 关键 核心 相关 有关 开发 设计 分析 建立 形成 解决 满足 达到 保证 确保 支持 推广
测试 新人 示范 演示 样例
""".split())

#: a term that is a number, a percentage or a measurement ("92%", "20", "3.5", "10kV")
_NUMERIC = re.compile(r"^[\d.,%％+\-~～]+[a-zA-Z%℃°μ]*$")


def shown_terms(terms: list[str]) -> list[str]:
    """The shared terms worth showing a person: words of two characters or more that name something — no single
    characters, numbers, percentages, stopwords, genre or boilerplate words — and no fragment of a longer term shown
    ("轻量" and "量化" go when "轻量化" is there). Order kept (heaviest first)."""
    from .query import GENRE_WORDS  # query imports nothing of this module; kept local to stay a leaf

    kept = [t for t in dict.fromkeys(terms)
            if len(t) >= 2 and not _NUMERIC.match(t) and t not in BOILERPLATE and t not in GENRE_WORDS
            and t.lower() not in analysis.STOPWORDS]
    return [t for t in kept if not any(t != other and t in other for other in kept)]


def _number(amount: float) -> str:
    if _english():
        return f"¥{amount * 10:,.0f}k"
    return f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"


def _money(amount: float) -> str:
    """万元 amounts as users read them (¥…k in English)."""
    return _number(amount) if _english() else _number(amount) + " 万元"


def _english() -> bool:
    locale = get_locale()  # the request's, or the one forced for a notification's recipient
    return locale is not None and locale.language == "en"


def _budget_text(need: Need) -> str:
    low, high = need.budget_min, need.budget_max
    if low is not None and high is not None:
        return f"{_number(low)}–{_money(high)}"
    if high is not None:
        return _("%(amount)s以内", amount=_money(high))
    return _("%(amount)s以上", amount=_money(low))


def _join(items) -> str:
    return (", " if _english() else "、").join(items)


def facts(need: Need, offer: Offer, matched_terms: list[str]) -> dict[str, Any]:
    """The explanation as data (the API's ``explanation`` object, minus ``reasons``)."""
    field_agrees = (need.technical_field == offer.technical_field
                    if need.technical_field and offer.technical_field else None)
    common = [c for c in offer.industries if c in need.industries]
    trl_fit = offer.trl >= need.trl_min if need.trl_min is not None and offer.trl is not None else None
    within = fit = None
    if (need.budget_min is not None or need.budget_max is not None) and offer.price is not None:
        within = need.budget_max is None or offer.price <= need.budget_max  # affordable
        fit = budget_fit(offer.price, need.budget_min, need.budget_max)
    same_region = need.region == offer.region if need.region and offer.region else None
    return {
        "matched_terms": shown_terms(matched_terms)[:MAX_TERMS_SHOWN],
        "technical_field": {"value": offer.technical_field, "wanted": need.technical_field, "agrees": field_agrees},
        "industry": {"common": common, "wanted": need.industries, "agrees": bool(common) if need.industries and
                     offer.industries else None},
        "trl": {"value": offer.trl, "required_min": need.trl_min, "fit": trl_fit},
        "price": {"amount": offer.price, "negotiable": offer.price is None, "budget_min": need.budget_min,
                  "budget_max": need.budget_max, "within_budget": within, "budget_fit": fit},
        "region": {"value": offer.region, "wanted": need.region, "same": same_region},
    }


#: how each side's price is called in an explanation (translated when shown)
PRICE_LABELS = {"报价": N_("报价"), "年许可费": N_("年许可费")}


def reasons(data: dict[str, Any], price_label: str = "报价") -> list[str]:
    """Sentences for a page, from :func:`facts`, in the user's language (record data stays as written). Only what is
    known is said."""
    out = []
    if data["matched_terms"]:
        out.append(_("共同关键词：%(terms)s", terms=_join(data["matched_terms"])))
    tf = data["technical_field"]
    if tf["agrees"] is True:
        out.append(_("技术领域一致：%(field)s", field=_label(taxonomy.TECHNICAL_FIELDS, tf["value"])))
    elif tf["agrees"] is False:
        out.append(_("技术领域不同：%(field)s（需求为%(wanted)s）",
                     field=_label(taxonomy.TECHNICAL_FIELDS, tf["value"]),
                     wanted=_label(taxonomy.TECHNICAL_FIELDS, tf["wanted"])))
    ind = data["industry"]
    if ind["agrees"]:
        out.append(_("应用行业契合：%(industries)s",
                     industries=_join(_label(taxonomy.INDUSTRIES, c) for c in ind["common"])))
    trl = data["trl"]
    if trl["fit"] is True:
        out.append(_("技术成熟度 TRL %(trl)s，满足需求要求的 TRL ≥ %(required)s", trl=trl["value"],
                     required=trl["required_min"]))
    elif trl["fit"] is False:
        out.append(_("技术成熟度 TRL %(trl)s，低于需求要求的 TRL %(required)s", trl=trl["value"],
                     required=trl["required_min"]))
    elif trl["required_min"] is not None:
        out.append(_("未标注技术成熟度（需求要求 TRL ≥ %(required)s）", required=trl["required_min"]))
    price = data["price"]
    if price["budget_min"] is not None or price["budget_max"] is not None:
        budget = _budget_text(Need(budget_min=price["budget_min"], budget_max=price["budget_max"]))
        what = _(PRICE_LABELS.get(price_label, price_label))
        fit = price.get("budget_fit")
        if fit is None and price["amount"] is not None:  # an explanation stored before budget_fit existed
            fit = budget_fit(price["amount"], price["budget_min"], price["budget_max"])
        if price["amount"] is None:
            out.append(_("价格面议，可按预算 %(budget)s 洽谈", budget=budget))
        elif fit == "below":
            out.append(_("%(what)s %(amount)s，低于预算 %(budget)s", what=what, amount=_money(price["amount"]),
                         budget=budget))
        elif fit == "within":
            out.append(_("%(what)s %(amount)s，在预算 %(budget)s 范围内", what=what,
                         amount=_money(price["amount"]), budget=budget))
        else:
            out.append(_("%(what)s %(amount)s，超出预算 %(budget)s", what=what, amount=_money(price["amount"]),
                         budget=budget))
    region = data["region"]
    if region["same"] is True:
        out.append(_("同在%(region)s", region=_label(taxonomy.REGIONS, region["value"])))
    elif region["same"] is False:
        out.append(_("成果所在地：%(region)s（需求方在%(wanted)s）", region=_label(taxonomy.REGIONS, region["value"]),
                     wanted=_label(taxonomy.REGIONS, region["wanted"])))
    return out


def _label(vocabulary: dict, code) -> str:
    return _("未注明") if code is None else taxonomy.label(vocabulary, code)


def explanation(need: Need, offer: Offer, matched_terms: list[str]) -> dict[str, Any]:
    """Facts plus ``reasons`` (sentences in the user's language)."""
    data = facts(need, offer, matched_terms)
    data["reasons"] = reasons(data, offer.price_label)
    return data


def found_by_meaning(data: dict[str, Any]) -> dict[str, Any]:
    """Mark an explanation as one of a record the keyword search missed and the encoder found (:mod:`.dense`)."""
    data["found_by_meaning"] = True
    data["reasons"].insert(0, _("语义相近：关键词检索未找到，由语义模型找到"))
    return data


def structured_factor(data: dict[str, Any]) -> float:
    """A multiplier for the relevance score from the structured facts: misfits sink, agreement rises a little.
    Relevance stays the main signal: the factor lies between 0.75 and 1.1."""
    factor = 1.0
    if data["trl"]["fit"] is False:
        factor *= 0.85
    if data["price"]["within_budget"] is False:
        factor *= 0.9
    elif data["price"]["within_budget"] is True:  # within or below the budget: affordable
        factor *= 1.03
    if data["region"]["same"] is True:
        factor *= 1.03
    if data["technical_field"]["agrees"] is True:
        factor *= 1.02
    return factor
