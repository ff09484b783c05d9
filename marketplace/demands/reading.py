"""The demand list, one spec for the page (/demands) and the API (GET /api/v1/demands)."""
from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import defer, joinedload

from ..extensions import db
from ..filters import BAND_RANGES, json_list_contains
from ..reading import Filter, ListSpec, Sort, orgs_of_type
from ..taxonomy import INDUSTRIES, ORG_TYPES, REGIONS, TECHNICAL_FIELDS, TRANSFER_MODES
from ..validation import Choice, Int
from .models import Demand

MAX_ID = 2**31 - 1
def page_options() -> tuple:
    """What the page loads of each row: the organisation, not the long texts."""
    return (joinedload(Demand.organization), defer(Demand.indicators))


def budget_overlaps(band: str):
    """Demands whose budget range [min, max] overlaps the band; 面议 (negotiable) means no budget given at all."""
    if band == "negotiable":
        return db.and_(Demand.budget_min.is_(None), Demand.budget_max.is_(None))
    low, high = BAND_RANGES[band]
    floor = func.coalesce(Demand.budget_min, Demand.budget_max)
    ceiling = func.coalesce(Demand.budget_max, Demand.budget_min)
    clauses = [floor.is_not(None)]
    if high is not None:
        clauses.append(floor < high)
    if low is not None:
        clauses.append(ceiling >= low)
    return db.and_(*clauses)


DEMANDS = ListSpec(
    model=Demand,
    filters=[
        Filter("industry", Choice(INDUSTRIES, label="所属行业"), lambda v: Demand.industry == v, "所属行业"),
        Filter("technical_field", Choice(TECHNICAL_FIELDS, label="技术领域"), lambda v: Demand.technical_field == v,
               "技术领域"),
        Filter("region", Choice(REGIONS, label="地区代码"), lambda v: Demand.region == v, "地区代码（GB/T 2260）"),
        Filter("budget", Choice([*BAND_RANGES, "negotiable"], label="预算区间"), budget_overlaps,
               "预算区间（与需求的预算范围有交集）：lt10 / 10-50 / 50-200 / 200-1000 / gte1000（万元）或 negotiable（面议）"),
        Filter("cooperation_mode", Choice(TRANSFER_MODES, label="合作方式"),
               lambda v: json_list_contains(Demand.cooperation_modes, v), "合作方式"),
        Filter("org_type", Choice(ORG_TYPES, label="机构类型"), lambda v: Demand.org_id.in_(orgs_of_type(v)),
               "发布机构的类型"),
        Filter("org_id", Int(1, MAX_ID), lambda v: Demand.org_id == v, "发布机构"),
    ],
    sorts={
        "newest": Sort("最新发布"),
        "budget": Sort("预算从高到低（面议在后）",
                       (func.coalesce(Demand.budget_max, Demand.budget_min).desc().nulls_last(),)),
        "deadline": Sort("截止日期从近到远（无截止日期在后）", (Demand.deadline.asc().nulls_last(),)),
    },
    default_sort="newest",
)
