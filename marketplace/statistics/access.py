"""Who sees which statistics table, for which contracts — checked here once for the JSON API and the exports:

* staff (brokers and admins, :func:`~marketplace.permissions.can_see_statistics`): every table, every filter;
* anyone: the public tables (:data:`~marketplace.statistics.public.PUBLIC_TABLES`), small groups withheld, and not
  filtered to one institution (a single institution's figures are for its members);
* an institution's members: the tables that follow the seller institution (:data:`INSTITUTION_TABLES`), always for
  their own organisation; staff name the institution with ``institution_id``.

Order of refusals: an unknown table id is 404, then 403 (not allowed), then 422 (a bad filter, naming it).
"""
from __future__ import annotations

from datetime import datetime

from ..accounts.models import Organization
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import can_see_institution_statistics, can_see_statistics, require
from ..timeutil import display_now
from ..web.messages import N_
from .filters import StatsFilter, parse
from .public import PUBLIC_TABLES, public_table
from .tables import BUILDERS, Table, build

STAFF_ONLY = N_("只有技术经纪人或平台管理员可以查看统计分析")
MEMBERS_ONLY = N_("只有本机构成员或平台工作人员可以查看机构的统计数据")
#: the tables an institution's own figures are made of (broker and programme figures do not follow the seller)
INSTITUTION_TABLES = tuple(table_id for table_id in BUILDERS
                           if table_id.startswith(("contracts_by_", "annual_report_")) or table_id == "funnel")


def data_as_of() -> datetime:
    """Now, in the platform's time zone (figures are computed at request time: they are as of now)."""
    return display_now()


def _known(table_id: str, allowed) -> None:
    if table_id not in allowed:
        raise NotFound(N_("没有这张统计表"))


def staff_filter(user, args) -> StatsFilter:
    """The filters of ``args`` for a staff member (403 for anyone else, 422 for a bad filter)."""
    require(can_see_statistics(user), STAFF_ONLY)
    return parse(args)


def staff_table(user, table_id: str, args) -> tuple[Table, StatsFilter]:
    """Table ``table_id`` with every figure, for staff."""
    _known(table_id, BUILDERS)
    stats = staff_filter(user, args)
    return build(table_id, stats), stats


def public_filter(args) -> StatsFilter:
    """The filters of ``args`` for the public tables: anything but one institution (422 naming institution_id)."""
    stats = parse(args)
    if stats.institution_id is not None:
        raise ValidationFailed(errors={"institution_id": [N_("公开统计不按单个机构筛选")]})
    return stats


def public(table_id: str, args) -> tuple[Table, StatsFilter]:
    """Public table ``table_id`` for anyone, groups of fewer than 3 contracts withheld."""
    _known(table_id, PUBLIC_TABLES)
    stats = public_filter(args)
    return public_table(table_id, stats), stats


def institution_filter(user, args) -> tuple[StatsFilter, Organization]:
    """The filters of ``args`` for an institution's own figures, and the institution: a member's own organisation
    (whatever ``institution_id`` says); staff must name one (422), which must exist (404). 403 for a signed-in user
    without an organisation."""
    stats = parse(args)
    if can_see_statistics(user):
        if stats.institution_id is None:
            raise ValidationFailed(errors={"institution_id": [N_("请指定机构（institution_id）")]})
    else:
        stats = stats.with_(institution_id=getattr(user, "org_id", None))
    require(stats.institution_id is not None and can_see_institution_statistics(user, stats.institution_id),
            MEMBERS_ONLY)
    org = db.session.get(Organization, stats.institution_id)
    if org is None:
        raise NotFound(N_("机构不存在"))
    return stats, org


def institution_table(user, table_id: str, args) -> tuple[Table, StatsFilter]:
    """Table ``table_id`` for the institution :func:`institution_filter` gives."""
    _known(table_id, INSTITUTION_TABLES)
    stats, _org = institution_filter(user, args)
    return build(table_id, stats), stats
