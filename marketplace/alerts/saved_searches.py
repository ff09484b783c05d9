"""Saved searches (订阅此搜索) over achievements, patents, demands and 揭榜挂帅 challenges.

A saved search watches one search kind (``Subscription.search_kind``): its filters are checked against that kind's
search-page facets (field and value: an investor's TRL band, technical field and 作价投资 transfer mode are stored as
the achievement page's ``trl_band``, ``technical_field`` and ``transfer_modes`` codes), and it is registered with the
engine's percolator (on the embedded engine: its saved-query store) of that kind under the subscription id.
:func:`matching` answers which active saved searches a newly indexed document matches;
:mod:`marketplace.alerts.services` turns those into notifications. :func:`describe` gives the filters' labels.
"""
from __future__ import annotations

import logging

from sqlalchemy import func

from search.engine import Document, SavedQuery, SearchUnavailable
from search.planning import plan_saved

from ..errors import ValidationFailed
from ..extensions import db
from ..indexing.runtime import get_engine
from ..search_pages.facets import PAGES
from ..web.messages import N_, tr
from .models import SEARCH, Subscription

log = logging.getLogger(__name__)

#: search kind -> its name on the subscriptions page and in messages
SEARCH_KINDS = {"achievement": N_("科技成果"), "patent": N_("专利"), "demand": N_("技术需求"),
                "challenge": N_("揭榜挂帅榜单")}
BAD_KIND = N_("订阅类型只能是 achievement（科技成果）、patent（专利）、demand（技术需求）或 challenge（揭榜挂帅榜单）")
BAD_FIELD = N_("不支持的筛选字段：%(name)s（%(kind)s订阅可用：%(fields)s）")
BAD_VALUE = N_("筛选条件「%(facet)s」的取值无效：%(value)s")
MAX_SUBSCRIPTIONS = 50
WORDLESS = "检索词中没有可检索的词语，请换用具体的技术词语或选择筛选条件"
WORDLESS_WITH_FILTERS = "检索词中没有可检索的词语，请换用具体的技术词语，或清空检索词、只按筛选条件订阅"


def require_user(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise ValidationFailed("请先登录")


def check_quota(user) -> None:
    count = db.session.execute(db.select(func.count()).select_from(Subscription).where(
        Subscription.user_id == user.id, Subscription.active.is_(True))).scalar_one()
    if count >= MAX_SUBSCRIPTIONS:
        raise ValidationFailed(f"每位用户最多保留 {MAX_SUBSCRIPTIONS} 个订阅，请先删除不用的订阅")


def clean_kind(kind: str | None) -> str:
    kind = "achievement" if kind is None or kind == "" else kind
    if not isinstance(kind, str) or kind not in SEARCH_KINDS:
        raise ValidationFailed(errors={"kind": [tr(BAD_KIND)]})
    return kind


def clean_filters(kind: str, filters: dict | None) -> dict[str, list]:
    """The filters of a saved search over ``kind``: only that kind's search-page facets, each value one the facet
    accepts (a code of its vocabulary), as strings."""
    filters = filters or {}
    if not isinstance(filters, dict):
        raise ValidationFailed(errors={"filters": [tr(N_("筛选条件应为对象"))]})
    page = PAGES[kind]
    out = {}
    for name, values in filters.items():
        facet = page.facet(name)
        if facet is None:
            raise ValidationFailed(errors={"filters": [tr(BAD_FIELD, name=name, kind=tr(SEARCH_KINDS[kind]),
                                                          fields=tr("、").join(f.field for f in page.facets))]})
        values = values if isinstance(values, list) else [values]
        values = list(dict.fromkeys(str(v).strip() for v in values if v not in (None, "") and str(v).strip()))[:20]
        for value in values:
            if not facet.accepts(value):
                raise ValidationFailed(errors={"filters": [tr(BAD_VALUE, facet=str(facet.title), value=value[:40])]})
        if values:
            out[name] = values
    return out


def describe(subscription: Subscription) -> list[tuple[str, list[str]]]:
    """A saved search's filters as (facet title, value labels) in the current language, in the page's facet
    order (a field no longer offered keeps its code)."""
    page = PAGES.get(subscription.search_kind or "achievement")
    filters = subscription.filters or {}
    out = []
    for facet in (page.facets if page else []):
        if filters.get(facet.field):
            out.append((str(facet.title), [facet.label(v) for v in filters[facet.field]]))
    out += [(name, list(values)) for name, values in filters.items() if page is None or page.facet(name) is None]
    return out


def save_search(user, text: str | None, filters: dict | None = None, name: str | None = None,
                email: bool = True, kind: str | None = "achievement") -> Subscription:
    """Save a search over ``kind`` (achievements, patents, demands or challenges) as an alert and register it with
    the percolator."""
    require_user(user)
    kind = clean_kind(kind)
    text = (text or "").strip()
    filters = clean_filters(kind, filters)
    if not text and not filters:
        raise ValidationFailed(errors={"query_text": ["请填写检索词或至少选择一个筛选条件"]})
    if len(text) > 500:
        raise ValidationFailed(errors={"query_text": ["检索词不能超过500个字符"]})
    if text and plan_saved(SavedQuery(id=0, kind=kind, text=text, filters=filters)).matches_nothing:
        # only punctuation or stopwords ("(", "的"): the engines match nothing with such text, filters or not,
        # so the saved search would never fire
        raise ValidationFailed(errors={"query_text": [WORDLESS_WITH_FILTERS if filters else WORDLESS]})
    check_quota(user)
    name = (name or "").strip()[:200] or text[:60] or "筛选条件订阅"
    subscription = Subscription(user_id=user.id, kind=SEARCH, search_kind=kind, name=name,
                                query_text=text or None, filters=filters, email=bool(email))
    db.session.add(subscription)
    db.session.flush()
    register(subscription)
    return subscription


def register(subscription: Subscription) -> bool:
    """Register a saved search with the percolator of its kind; False (logged) when the engine is down —
    :func:`sync_saved_queries` repairs that later."""
    try:
        get_engine().save_query(SavedQuery(id=subscription.id, kind=subscription.search_kind or "achievement",
                                           text=subscription.query_text, filters=subscription.filters or {}))
        return True
    except SearchUnavailable:
        log.warning("saved query %s not registered (engine unavailable)", subscription.id)
        return False


def sync_saved_queries(kind: str | None = None) -> int:
    """Register every active saved search (of ``kind``, or all) again, after an engine change, an outage or a
    rebuild. Returns how many."""
    query = db.select(Subscription).where(Subscription.kind == SEARCH, Subscription.active.is_(True))
    if kind is not None:
        query = query.where(Subscription.search_kind == kind)
    return sum(1 for s in db.session.execute(query).scalars() if register(s))


def oldest_subscription(kind: str):
    """When the oldest active subscription watching ``kind`` was made (None: nobody watches it)."""
    return db.session.execute(db.select(func.min(Subscription.created_at)).where(
        Subscription.active.is_(True), Subscription.search_kind == kind)).scalar_one()


def matching(engine, document: Document) -> list[Subscription]:
    """The active saved searches of ``document.kind`` that the document matches (percolated by ``engine``)."""
    ids = engine.percolate(document)
    if not ids:
        return []
    return list(db.session.execute(db.select(Subscription).where(
        Subscription.id.in_(ids), Subscription.kind == SEARCH, Subscription.search_kind == document.kind,
        Subscription.active.is_(True)).order_by(Subscription.id)).scalars())
