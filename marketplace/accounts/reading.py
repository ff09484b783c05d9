"""The organisation directory, one spec for the page (/orgs) and the API (GET /api/v1/organizations)."""
from __future__ import annotations

from sqlalchemy import func

from ..extensions import db
from ..listings import PUBLISHED
from ..pagination import PER_PAGE, Page
from ..reading import Filter, ListSpec, ReadArgs, Sort
from ..taxonomy import ORG_TYPES, REGIONS
from ..validation import Choice
from .models import Organization, OrgStatus

#: The public directory holds verified organisations only (pending ones wait for a platform admin).
PUBLIC = (Organization.status == OrgStatus.VERIFIED,)

ORGANIZATIONS = ListSpec(
    model=Organization,
    filters=[
        Filter("org_type", Choice(ORG_TYPES, label="机构类型"), lambda v: Organization.org_type == v, "机构类型"),
        Filter("region", Choice(REGIONS, label="地区代码"), lambda v: Organization.region == v, "地区代码（GB/T 2260）"),
    ],
    sorts={"name": Sort("按名称", (Organization.name,))},
    default_sort="name",
    tiebreak=lambda public: (Organization.id,),
)


def organizations_page(args: ReadArgs, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Verified organisations by name, with how many published achievements, demands and patents each has (one grouped
    query per kind) in ``Page.extra``."""
    from ..achievements.models import Achievement
    from ..demands.models import Demand
    from ..patents.models import Patent

    result = ORGANIZATIONS.read(args, scope=PUBLIC, page=page, per_page=per_page)
    ids = [org.id for org in result.items]
    counts = {org_id: {"achievements": 0, "demands": 0, "patents": 0} for org_id in ids}
    for model, key in ((Achievement, "achievements"), (Demand, "demands"), (Patent, "patents")):
        if not ids:
            break
        rows = db.session.execute(db.select(model.org_id, func.count()).where(
            model.org_id.in_(ids), model.status == PUBLISHED).group_by(model.org_id))
        for org_id, number in rows:
            counts[org_id][key] = number
    result.extra = [counts[org.id] for org in result.items]
    return result
