"""Pagination on HTML pages: the page number from the query string, around the one paginator
(:mod:`marketplace.pagination`, which the JSON API uses too), and the one rule for a page past the end.

A list page asked for a page past its last one (``?page=99999`` on a list of 15 pages, or a stale link after
records went away) is redirected to its last page, with a notice, instead of showing an empty page that claims
"第 1000 / 15 页" with a live 下一页 link. The rule lives here once: :func:`register` hooks it into template
rendering, where every list page's :class:`~marketplace.pagination.Page` passes.
"""
from __future__ import annotations

from flask import Flask, abort, before_render_template, flash, redirect, request, url_for
from flask_babel import gettext as _

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


def _past_the_end(context: dict) -> Page | None:
    return next((value for value in context.values() if isinstance(value, Page) and value.page > value.pages), None)


def _redirect_past_the_end(sender, template, context, **extra) -> None:
    """Before a GET list page renders a page past its last one: redirect to the last page, saying so."""
    if request.method not in ("GET", "HEAD") or "page" not in request.args:
        return
    page = _past_the_end(context)
    if page is None:
        return
    args = request.args.to_dict(flat=False)
    args.pop("page")
    if page.pages > 1:
        args["page"] = [str(page.pages)]
    flash(_("没有第 %(asked)s 页：共 %(pages)s 页，已显示最后一页", asked=request.args.get("page"), pages=page.pages),
          "info")
    abort(redirect(url_for(request.endpoint, **(request.view_args or {}), **args)))


def register(app: Flask) -> None:
    before_render_template.connect(_redirect_past_the_end, app)
