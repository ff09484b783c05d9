"""The achievement list, one spec for the page (/achievements) and the API (GET /api/v1/achievements)."""
from __future__ import annotations

from sqlalchemy.orm import defer, joinedload

from ..filters import BAND_RANGES, amount_in_band, json_list_contains
from ..reading import Filter, ListSpec, RangeCheck, Sort, orgs_of_type
from ..taxonomy import IP_TYPES, ORG_TYPES, REGIONS, TECHNICAL_FIELDS, TRANSFER_MODES, TRL_BAND_RANGES
from ..validation import Choice, Int
from .models import Achievement

PRICE_CODES = [*BAND_RANGES, "negotiable"]
MAX_ID = 2**31 - 1

def page_options() -> tuple:
    """What the page loads of each row: the organisation, not the long texts."""
    return (joinedload(Achievement.organization), defer(Achievement.description), defer(Achievement.benefits),
            defer(Achievement.team))


def _trl_band(band: str):
    low, high = TRL_BAND_RANGES[band]
    return Achievement.trl.between(low, high)


ACHIEVEMENTS = ListSpec(
    model=Achievement,
    filters=[
        Filter("technical_field", Choice(TECHNICAL_FIELDS, label="技术领域"),
               lambda v: Achievement.technical_field == v, "技术领域"),
        Filter("trl", Choice(TRL_BAND_RANGES, label="技术成熟度区间"), _trl_band, "技术成熟度区间：1-3 / 4-6 / 7-9"),
        Filter("trl_min", Int(1, 9), lambda v: Achievement.trl >= v, "技术成熟度下限（GB/T 22900，1–9）"),
        Filter("trl_max", Int(1, 9), lambda v: Achievement.trl <= v, "技术成熟度上限（1–9）"),
        Filter("ip_type", Choice(IP_TYPES, label="知识产权类型"), lambda v: Achievement.ip_type == v, "知识产权类型"),
        Filter("transfer_mode", Choice(TRANSFER_MODES, label="转化方式"),
               lambda v: json_list_contains(Achievement.transfer_modes, v), "转化方式", unindexed=True),
        Filter("region", Choice(REGIONS, label="地区代码"), lambda v: Achievement.region == v, "地区代码（GB/T 2260）"),
        Filter("price", Choice(PRICE_CODES, label="价格区间"), lambda v: amount_in_band(Achievement.price_amount, v),
               "价格区间：lt10 / 10-50 / 50-200 / 200-1000 / gte1000（万元）或 negotiable（面议）",
               api_aliases=("price_band",)),
        Filter("org_type", Choice(ORG_TYPES, label="机构类型"), lambda v: Achievement.org_id.in_(orgs_of_type(v)),
               "发布机构的类型"),
        Filter("org_id", Int(1, MAX_ID), lambda v: Achievement.org_id == v, "发布机构"),
    ],
    sorts={
        "newest": Sort("最新发布"),
        "trl": Sort("技术成熟度从高到低", (Achievement.trl.desc().nulls_last(),)),
        "price_asc": Sort("价格从低到高（面议在后）", (Achievement.price_amount.asc().nulls_last(),)),
        "price_desc": Sort("价格从高到低（面议在后）", (Achievement.price_amount.desc().nulls_last(),)),
    },
    default_sort="newest",
    sort_aliases={"price": "price_asc"},
    checks=(RangeCheck("trl_min", "trl_max", "技术成熟度下限不能高于上限"),),
)
