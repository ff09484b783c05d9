"""Page-number pagination over a SELECT, with an efficient separate COUNT."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import request
from sqlalchemy import func

from ..extensions import db

PER_PAGE = 20
MAX_PAGE = 1000  # deep OFFSETs get slow; nobody pages past 20,000 rows by hand (search exists for that)


@dataclass
class Page:
    """One page of results plus what the template needs to draw page links."""

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


def page_arg() -> int:
    """The ``page`` query argument, clamped to 1..MAX_PAGE."""
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, MAX_PAGE))


def paginate(query, count_query, page: int | None = None, per_page: int = PER_PAGE, scalars: bool = True) -> Page:
    """Run ``query`` with LIMIT/OFFSET and ``count_query`` (a ``SELECT count(*)``) for the total."""
    page = page or page_arg()
    total = db.session.execute(count_query).scalar_one()
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = list(result.unique().scalars() if scalars else result)
    return Page(items=items, total=total, page=page, per_page=per_page)


def paginate_ids(model, conditions, order, *, joins=(), options=(), page: int | None = None,
                 per_page: int = PER_PAGE, count_cap: int | None = None) -> Page:
    """Page through ``model`` the cheap way: pick the page's ids first (an index-only scan when an index covers the
    filter and sort), then load just those rows with ``options`` (eager loads). Large text columns of skipped rows
    are never read, which matters on SQLite where they sit in overflow pages.

    ``count_cap`` bounds the COUNT for filters no index serves (the page then says "1,000+").
    """
    page = page or page_arg()
    ids_query = db.select(model.id)
    for target, onclause in joins:
        ids_query = ids_query.join(target, onclause)
    ids_query = ids_query.where(*conditions).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ids = list(db.session.execute(ids_query).scalars())
    items: list = []
    if ids:
        rows = db.session.execute(db.select(model).options(*options).where(model.id.in_(ids))).unique().scalars()
        by_id = {row.id: row for row in rows}
        items = [by_id[record_id] for record_id in ids if record_id in by_id]
    count_query = count_of(model, *conditions, joins=joins)
    capped = False
    if count_cap is not None:
        inner = db.select(model.id)
        for target, onclause in joins:
            inner = inner.join(target, onclause)
        count_query = db.select(func.count()).select_from(inner.where(*conditions).limit(count_cap + 1).subquery())
    total = db.session.execute(count_query).scalar_one()
    if count_cap is not None and total > count_cap:
        total, capped = count_cap, True
    return Page(items=items, total=total, page=page, per_page=per_page, capped=capped)


def count_of(model, *conditions, joins=()):
    """``SELECT count(*) FROM model [JOIN ...] WHERE conditions`` without wrapping the ordered query."""
    query = db.select(func.count()).select_from(model)
    for target, onclause in joins:
        query = query.join(target, onclause)
    return query.where(*conditions)
