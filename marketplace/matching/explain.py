"""Why a pair matches, in words a person can check: shared terms, field and industry agreement, TRL fit, price
against budget, region. The same facts drive the structured rerank (:func:`structured_factor`).

A pair always has a *need* side (a demand, or free text with optional filters) and an *offer* side (an
achievement or an open-licence patent); matching an achievement to demands just swaps which record is which.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import taxonomy

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


def _money(amount: float) -> str:
    return f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"


def _budget_text(need: Need) -> str:
    low, high = need.budget_min, need.budget_max
    if low is not None and high is not None:
        return f"{_money(low)}–{_money(high)} 万元"
    if high is not None:
        return f"{_money(high)} 万元以内"
    return f"{_money(low)} 万元以上"


def facts(need: Need, offer: Offer, matched_terms: list[str]) -> dict[str, Any]:
    """The explanation as data (the API's ``explanation`` object, minus ``reasons``)."""
    field_agrees = (need.technical_field == offer.technical_field
                    if need.technical_field and offer.technical_field else None)
    common = [c for c in offer.industries if c in need.industries]
    trl_fit = offer.trl >= need.trl_min if need.trl_min is not None and offer.trl is not None else None
    within = None
    if need.budget_min is not None or need.budget_max is not None:
        if offer.price is not None:
            within = need.budget_max is None or offer.price <= need.budget_max
    same_region = need.region == offer.region if need.region and offer.region else None
    return {
        "matched_terms": matched_terms[:MAX_TERMS_SHOWN],
        "technical_field": {"value": offer.technical_field, "wanted": need.technical_field, "agrees": field_agrees},
        "industry": {"common": common, "wanted": need.industries, "agrees": bool(common) if need.industries and
                     offer.industries else None},
        "trl": {"value": offer.trl, "required_min": need.trl_min, "fit": trl_fit},
        "price": {"amount": offer.price, "negotiable": offer.price is None, "budget_min": need.budget_min,
                  "budget_max": need.budget_max, "within_budget": within},
        "region": {"value": offer.region, "wanted": need.region, "same": same_region},
    }


def reasons(data: dict[str, Any], price_label: str = "报价") -> list[str]:
    """Chinese sentences for a page, from :func:`facts`. Only what is known is said."""
    out = []
    if data["matched_terms"]:
        out.append("共同关键词：" + "、".join(data["matched_terms"]))
    tf = data["technical_field"]
    if tf["agrees"] is True:
        out.append(f"技术领域一致：{_label(taxonomy.TECHNICAL_FIELDS, tf['value'])}")
    elif tf["agrees"] is False:
        out.append(f"技术领域不同：{_label(taxonomy.TECHNICAL_FIELDS, tf['value'])}"
                   f"（需求为{_label(taxonomy.TECHNICAL_FIELDS, tf['wanted'])}）")
    ind = data["industry"]
    if ind["agrees"]:
        out.append("应用行业契合：" + "、".join(_label(taxonomy.INDUSTRIES, c) for c in ind["common"]))
    trl = data["trl"]
    if trl["fit"] is True:
        out.append(f"技术成熟度 TRL {trl['value']}，满足需求要求的 TRL ≥ {trl['required_min']}")
    elif trl["fit"] is False:
        out.append(f"技术成熟度 TRL {trl['value']}，低于需求要求的 TRL {trl['required_min']}")
    elif trl["required_min"] is not None:
        out.append(f"未标注技术成熟度（需求要求 TRL ≥ {trl['required_min']}）")
    price = data["price"]
    if price["budget_min"] is not None or price["budget_max"] is not None:
        budget = _budget_text(Need(budget_min=price["budget_min"], budget_max=price["budget_max"]))
        if price["within_budget"] is True:
            out.append(f"{price_label} {_money(price['amount'])} 万元，在预算 {budget} 范围内")
        elif price["within_budget"] is False:
            out.append(f"{price_label} {_money(price['amount'])} 万元，超出预算 {budget}")
        else:
            out.append(f"价格面议，可按预算 {budget} 洽谈")
    region = data["region"]
    if region["same"] is True:
        out.append(f"同在{_label(taxonomy.REGIONS, region['value'])}")
    elif region["same"] is False:
        out.append(f"成果所在地：{_label(taxonomy.REGIONS, region['value'])}"
                   f"（需求方在{_label(taxonomy.REGIONS, region['wanted'])}）")
    return out


def _label(vocabulary: dict, code) -> str:
    entry = vocabulary.get(code)
    return entry[0] if entry else ("未注明" if code is None else str(code))


def explanation(need: Need, offer: Offer, matched_terms: list[str]) -> dict[str, Any]:
    """Facts plus ``reasons`` (Chinese sentences)."""
    data = facts(need, offer, matched_terms)
    data["reasons"] = reasons(data, offer.price_label)
    return data


def structured_factor(data: dict[str, Any]) -> float:
    """A multiplier for the relevance score from the structured facts: misfits sink, agreement rises a little.
    Relevance stays the main signal: the factor lies between 0.75 and 1.1."""
    factor = 1.0
    if data["trl"]["fit"] is False:
        factor *= 0.85
    if data["price"]["within_budget"] is False:
        factor *= 0.9
    elif data["price"]["within_budget"] is True:
        factor *= 1.03
    if data["region"]["same"] is True:
        factor *= 1.03
    if data["technical_field"]["agrees"] is True:
        factor *= 1.02
    return factor
