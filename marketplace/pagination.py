"""The one paginator of the application: page-number pagination that picks a page's ids first.

Both the HTML list pages and the JSON API page through records with :func:`paginate`; the web layer adds the page
links (``marketplace.web.pagination``), the API turns the :class:`Page` into its envelope
(``marketplace.api_common.paginate``). Nothing here reads the request.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func

from .extensions import db

PER_PAGE = 20
MAX_PAGE = 1000  # page links stop here: deep OFFSETs get slow; nobody pages past 20,000 rows by hand


@dataclass
class Page:
    """One page of results plus what a template needs to draw page links."""

    items: list
    total: int
    page: int
    per_page: int = PER_PAGE
    extra: list = field(default_factory=list)  # per-item extras (e.g. counts)
    capped: bool = False  # the total is a lower bound ("1,000+")

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.per_page)))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """Page links to show: first, last and a window around the current page; None marks a gap."""
        shown: list[int | None] = []
        last = 0
        for number in range(1, self.pages + 1):
            if number in (1, self.pages) or abs(number - self.page) <= around:
                if last and number - last > 1:
                    shown.append(None)
                shown.append(number)
                last = number
        return shown


def paginate(model, conditions, order, *, page: int = 1, per_page: int = PER_PAGE, options=(), joins=(),
             count_cap: int | None = None, withheld_orgs: Sequence[int] = ()) -> Page:
    """One page of ``model`` rows matching ``conditions`` in ``order``, leaving out the rows of the organisations
    ``withheld_orgs`` (suspended ones: :func:`marketplace.records.suspended_org_ids`).

    The page's ids are picked first (an index-only scan when an index covers the filter and the order), then just
    those rows are loaded by primary key with ``options`` (eager loads, deferred columns): rows of skipped pages, and
    their long texts, are never read, which matters on SQLite where they sit in overflow pages. The total is a plain
    COUNT over the same WHERE clause; ``count_cap`` bounds it for filters no index serves (``Page.capped`` is then
    set and the total is a lower bound). With withheld organisations the total is the count without them minus
    their own rows (read from the organisation index): a ``NOT IN`` tested on every row of the count cost ~5 ms
    more at 100,000 achievements on SQLite (bench/web_list_pages.py --suspended 2)."""
    shown = [*conditions, model.org_id.not_in(withheld_orgs)] if withheld_orgs else list(conditions)
    ids_query = db.select(model.id)
    for target, onclause in joins:
        ids_query = ids_query.join(target, onclause)
    ids_query = ids_query.where(*shown).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ids = list(db.session.execute(ids_query).scalars())
    items: list = []
    if ids:
        rows = db.session.execute(db.select(model).options(*options).where(model.id.in_(ids))).unique().scalars()
        by_id = {row.id: row for row in rows}
        items = [by_id[record_id] for record_id in ids if record_id in by_id]
    if count_cap is None:
        total = db.session.execute(count_of(model, *conditions, joins=joins)).scalar_one()
        if withheld_orgs:
            total -= db.session.execute(count_of(model, *conditions, model.org_id.in_(withheld_orgs),
                                                 joins=joins)).scalar_one()
    else:
        inner = db.select(model.id)
        for target, onclause in joins:
            inner = inner.join(target, onclause)
        total = db.session.execute(db.select(func.count()).select_from(
            inner.where(*shown).limit(count_cap + 1).subquery())).scalar_one()
    capped = count_cap is not None and total > count_cap
    if capped:
        total = count_cap
    return Page(items=items, total=total, page=page, per_page=per_page, capped=capped)


def paginate_select(query, *, page: int = 1, per_page: int = PER_PAGE, count_cap: int | None = None) -> Page:
    """:func:`paginate` for a ready-made ``select(Model).where(...).order_by(...).options(...)`` (no joins)."""
    model = query.column_descriptions[0]["entity"]
    conditions = [] if query.whereclause is None else [query.whereclause]
    return paginate(model, conditions, list(query._order_by_clauses), page=page, per_page=per_page,
                    options=query._with_options, count_cap=count_cap)


def count_of(model, *conditions, joins=()):
    """``SELECT count(*) FROM model [JOIN ...] WHERE conditions`` without wrapping the ordered query."""
    query = db.select(func.count()).select_from(model)
    for target, onclause in joins:
        query = query.join(target, onclause)
    return query.where(*conditions)
