"""Pagination on HTML pages: the page number from the query string, around the one paginator
(:mod:`marketplace.pagination`, which the JSON API uses too)."""
from __future__ import annotations

from flask import request

from ..pagination import MAX_PAGE, PER_PAGE, Page
from ..pagination import paginate as paginate_rows


def page_arg() -> int:
    """The ``page`` query argument, clamped to 1..MAX_PAGE (anything unreadable is page 1)."""
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, MAX_PAGE))


def paginate_ids(model, conditions, order, *, joins=(), options=(), page: int | None = None,
                 per_page: int = PER_PAGE, count_cap: int | None = None) -> Page:
    """:func:`marketplace.pagination.paginate` on the page the query string asks for."""
    return paginate_rows(model, conditions, order, page=page or page_arg(), per_page=per_page, options=options,
                         joins=joins, count_cap=count_cap)
