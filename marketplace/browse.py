"""Database queries behind the public list pages: filters, sorting and pagination over indexed columns.

These pages read the database directly (the faceted search pages use the search engine). Filters come from the
query string; unknown values are ignored rather than answered with an error, so a stale bookmark still works.
"""
from __future__ import annotations

from flask import request
from sqlalchemy import func
from sqlalchemy.orm import defer, joinedload

from . import taxonomy
from .accounts.models import Organization
from .achievements.models import Achievement
from .demands.models import Demand
from .extensions import db
from .filters import BAND_RANGES, amount_in_band, json_list_contains
from .listings import PUBLISHED
from .patents.models import OpenLicence, Patent
from .web.pagination import Page, count_of, paginate, paginate_ids

TRL_BANDS = {"1-3": (1, 3), "4-6": (4, 6), "7-9": (7, 9)}
UNINDEXED_COUNT_CAP = 1000


def _arg(name: str, vocabulary) -> str | None:
    value = request.args.get(name) or None
    return value if value is not None and value in vocabulary else None


def _orgs_of_type(org_type: str):
    # A subquery rather than a join: the planner can then answer it from the (…, org_id) index entries.
    return db.select(Organization.id).where(Organization.org_type == org_type).scalar_subquery()


def achievement_filters() -> dict[str, str]:
    """The active achievement filters from the query string (only valid values)."""
    return {key: value for key, value in {
        "technical_field": _arg("technical_field", taxonomy.TECHNICAL_FIELDS),
        "trl": _arg("trl", TRL_BANDS),
        "ip_type": _arg("ip_type", taxonomy.IP_TYPES),
        "transfer_mode": _arg("transfer_mode", taxonomy.TRANSFER_MODES),
        "region": _arg("region", taxonomy.REGIONS),
        "price": _arg("price", [*BAND_RANGES, "negotiable"]),
        "org_type": _arg("org_type", taxonomy.ORG_TYPES),
    }.items() if value}


ACHIEVEMENT_SORTS = ("newest", "trl", "price_asc", "price_desc")


def browse_achievements(filters: dict[str, str], sort: str, page: int | None = None) -> Page:
    """Published achievements matching ``filters``, sorted, one page."""
    conditions = [Achievement.status == PUBLISHED]
    if "technical_field" in filters:
        conditions.append(Achievement.technical_field == filters["technical_field"])
    if "trl" in filters:
        low, high = TRL_BANDS[filters["trl"]]
        conditions.append(Achievement.trl.between(low, high))
    if "ip_type" in filters:
        conditions.append(Achievement.ip_type == filters["ip_type"])
    if "transfer_mode" in filters:
        conditions.append(json_list_contains(Achievement.transfer_modes, filters["transfer_mode"]))
    if "region" in filters:
        conditions.append(Achievement.region == filters["region"])
    if "price" in filters:
        conditions.append(amount_in_band(Achievement.price_amount, filters["price"]))
    if "org_type" in filters:
        conditions.append(Achievement.org_id.in_(_orgs_of_type(filters["org_type"])))
    order = {
        "trl": [Achievement.trl.desc().nulls_last(), Achievement.published_at.desc()],
        "price_asc": [Achievement.price_amount.asc().nulls_last(), Achievement.published_at.desc()],
        "price_desc": [Achievement.price_amount.desc().nulls_last(), Achievement.published_at.desc()],
    }.get(sort, [Achievement.published_at.desc(), Achievement.id.desc()])
    options = (joinedload(Achievement.organization), defer(Achievement.description), defer(Achievement.benefits),
               defer(Achievement.team))
    # No index can serve "list contains" on a JSON column, so that count stops at UNINDEXED_COUNT_CAP.
    cap = UNINDEXED_COUNT_CAP if "transfer_mode" in filters else None
    return paginate_ids(Achievement, conditions, order, options=options, page=page, count_cap=cap)


def patent_filters() -> dict[str, str]:
    return {key: value for key, value in {
        "type": _arg("type", taxonomy.PATENT_TYPES),
        "legal": _arg("legal", taxonomy.LEGAL_STATUSES),
        "open": _arg("open", ("yes", "no")),
        "region": _arg("region", taxonomy.REGIONS),
    }.items() if value}


def browse_patents(filters: dict[str, str], sort: str, page: int | None = None) -> Page:
    """Published patents; ``open=yes`` keeps those with an active open licence, ``open=no`` the others."""
    conditions = [Patent.status == PUBLISHED]
    if "type" in filters:
        conditions.append(Patent.patent_type == filters["type"])
    if "legal" in filters:
        conditions.append(Patent.legal_status == filters["legal"])
    if "region" in filters:
        conditions.append(Patent.region == filters["region"])
    if "open" in filters:
        has_licence = db.select(OpenLicence.id).where(OpenLicence.patent_id == Patent.id,
                                                        OpenLicence.active.is_(True)).exists()
        conditions.append(has_licence if filters["open"] == "yes" else ~has_licence)
    order = {
        "expiry": [Patent.expiry_date.desc().nulls_last(), Patent.id.desc()],
    }.get(sort, [Patent.published_at.desc(), Patent.id.desc()])
    options = (joinedload(Patent.organization), joinedload(Patent.open_licence), defer(Patent.abstract))
    return paginate_ids(Patent, conditions, order, options=options, page=page)




def _budget_overlaps(band: str):
    """Demands whose budget range [min, max] overlaps the band; 面议 means no budget given at all."""
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


def demand_filters() -> dict[str, str]:
    return {key: value for key, value in {
        "industry": _arg("industry", taxonomy.INDUSTRIES),
        "technical_field": _arg("technical_field", taxonomy.TECHNICAL_FIELDS),
        "region": _arg("region", taxonomy.REGIONS),
        "budget": _arg("budget", [*BAND_RANGES, "negotiable"]),
        "cooperation_mode": _arg("cooperation_mode", taxonomy.TRANSFER_MODES),
        "org_type": _arg("org_type", taxonomy.ORG_TYPES),
    }.items() if value}


def browse_demands(filters: dict[str, str], sort: str, page: int | None = None) -> Page:
    """Published demands; a budget band matches demands whose budget range overlaps it."""
    conditions = [Demand.status == PUBLISHED]
    if "industry" in filters:
        conditions.append(Demand.industry == filters["industry"])
    if "technical_field" in filters:
        conditions.append(Demand.technical_field == filters["technical_field"])
    if "region" in filters:
        conditions.append(Demand.region == filters["region"])
    if "cooperation_mode" in filters:
        conditions.append(json_list_contains(Demand.cooperation_modes, filters["cooperation_mode"]))
    if "budget" in filters:
        conditions.append(_budget_overlaps(filters["budget"]))
    if "org_type" in filters:
        conditions.append(Demand.org_id.in_(_orgs_of_type(filters["org_type"])))
    order = {
        "budget": [func.coalesce(Demand.budget_max, Demand.budget_min).desc().nulls_last(),
                   Demand.published_at.desc()],
        "deadline": [Demand.deadline.asc().nulls_last(), Demand.published_at.desc()],
    }.get(sort, [Demand.published_at.desc(), Demand.id.desc()])
    options = (joinedload(Demand.organization), defer(Demand.indicators))
    return paginate_ids(Demand, conditions, order, options=options, page=page)


def org_filters() -> dict[str, str]:
    return {key: value for key, value in {
        "org_type": _arg("org_type", taxonomy.ORG_TYPES),
        "region": _arg("region", taxonomy.REGIONS),
    }.items() if value}


def browse_organizations(filters: dict[str, str], page: int | None = None) -> Page:
    """Organisations by name, with how many published achievements/demands each has (one grouped query)."""
    conditions = []
    if "org_type" in filters:
        conditions.append(Organization.org_type == filters["org_type"])
    if "region" in filters:
        conditions.append(Organization.region == filters["region"])
    query = db.select(Organization).where(*conditions).order_by(Organization.name)
    result = paginate(query, count_of(Organization, *conditions), page)
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


def latest_published(model, limit: int = 6) -> list:
    """The newest published records of ``model`` for the home page."""
    return list(db.session.execute(
        db.select(model).options(joinedload(model.organization)).where(model.status == PUBLISHED)
        .order_by(model.published_at.desc()).limit(limit)).scalars())


def published_count(model) -> int:
    return db.session.execute(count_of(model, model.status == PUBLISHED)).scalar_one()
