"""The patent list, one spec for the page (/patents) and the API (GET /api/v1/patents)."""
from __future__ import annotations

from marshmallow import fields
from sqlalchemy.orm import defer, joinedload

from ..extensions import db
from ..reading import Filter, ListSpec, Sort, orgs_of_type
from ..taxonomy import LEGAL_STATUSES, ORG_TYPES, PATENT_TYPES, REGIONS
from ..validation import Choice, Int
from .models import OpenLicence, Patent

MAX_ID = 2**31 - 1
def page_options() -> tuple:
    """What the page loads of each row: the organisation, not the long texts."""
    return (joinedload(Patent.organization), joinedload(Patent.open_licence), defer(Patent.abstract))


def _open_licence(declared: bool):
    """Patents with an active open licence declaration (``declared``), or the others."""
    has_licence = db.select(OpenLicence.id).where(OpenLicence.patent_id == Patent.id,
                                                    OpenLicence.active.is_(True)).exists()
    return has_licence if declared else ~has_licence


PATENTS = ListSpec(
    model=Patent,
    filters=[
        Filter("patent_type", Choice(PATENT_TYPES, label="专利类型"), lambda v: Patent.patent_type == v, "专利类型",
               aliases=("type",)),
        Filter("legal_status", Choice(LEGAL_STATUSES, label="法律状态"), lambda v: Patent.legal_status == v,
               "法律状态", aliases=("legal",)),
        Filter("open_licence", fields.Bool(truthy={"1", "true", "yes"}, falsy={"0", "false", "no"},
                                           allow_none=True, error_messages={"invalid": "应为 1 或 0"}),
               _open_licence, "1 = 只看有生效中开放许可声明的专利，0 = 只看没有的", aliases=("open",)),
        Filter("region", Choice(REGIONS, label="地区代码"), lambda v: Patent.region == v, "地区代码（GB/T 2260）"),
        Filter("org_type", Choice(ORG_TYPES, label="机构类型"), lambda v: Patent.org_id.in_(orgs_of_type(v)),
               "发布机构的类型"),
        Filter("org_id", Int(1, MAX_ID), lambda v: Patent.org_id == v, "发布机构"),
    ],
    sorts={
        "newest": Sort("最新发布"),
        "expiry": Sort("到期日从晚到早（无到期日在后）", (Patent.expiry_date.desc().nulls_last(),)),
    },
    default_sort="newest",
)
