"""Search pages: /search (achievements), /search/patents, /search/demands, /search/challenges, /search/orgs, and
/search/suggest."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, jsonify, render_template, request, url_for

from ..pagination import Page
from .facets import BY_SLUG, PAGES, KindPage
from . import service

bp = Blueprint("search_pages", __name__, url_prefix="/search", static_folder="static",
               static_url_path="/assets")

PER_PAGE = 20
MAX_FACET_VALUES = 30  # per facet, most frequent first; chosen values are always shown


@dataclass
class FacetValue:
    value: str
    label: str
    count: int | None
    selected: bool
    url: str


@dataclass
class FacetGroup:
    field: str
    title: str
    values: list[FacetValue]


def _toggle_url(filters: dict[str, list[str]], name: str, value: str) -> str:
    current = list(filters.get(name, []))
    current = [v for v in current if v != value] if value in current else [*current, value]
    return _url(filters, name, current)


def _url(filters: dict[str, list[str]], name: str, values: list[str] | None) -> str:
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    for key, chosen in filters.items():
        args[key] = list(chosen)
    if values:
        args[name] = values
    else:
        args.pop(name, None)
    return _here(**args)


def _here(**args) -> str:
    """This search page's URL with these query arguments."""
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _facet_groups(config: KindPage, outcome: service.SearchOutcome) -> list[FacetGroup]:
    """Facet values with counts plus every selected value, each with the link that toggles it in or out of the
    selection. The engine counts a field without its own filter (multi-select), so the values not chosen keep
    their counts; a degraded (database) answer has no counts."""
    filters = outcome.request.filters
    groups = []
    for facet in config.facets:
        counts = outcome.facets.get(facet.field)
        chosen = filters.get(facet.field, [])
        ordered = sorted((counts or {}).items(), key=lambda kv: (-kv[1], str(kv[0])))
        if facet.field == "year":
            ordered = sorted((counts or {}).items(), key=lambda kv: str(kv[0]), reverse=True)
        shown = [(str(v), n) for v, n in ordered if facet.accepts(str(v))][:MAX_FACET_VALUES]
        listed = {v for v, _ in shown}
        shown += [(v, None if counts is None else counts.get(v, 0)) for v in chosen if v not in listed]
        values = [FacetValue(v, facet.label(v), n, v in chosen, _toggle_url(filters, facet.field, v))
                  for v, n in shown]
        if values:
            groups.append(FacetGroup(facet.field, str(facet.title), values))
    return groups


def _active_filters(config: KindPage, filters: dict[str, list[str]]) -> list[dict]:
    chips = []
    for name, values in filters.items():
        facet = config.facet(name)
        for value in values:
            chips.append({"title": str(facet.title), "label": facet.label(value),
                          "url": _toggle_url(filters, name, value)})
    return chips


def _carried_sort(config: KindPage, search_request) -> str | None:
    """The sort the search form passes on with the next keyword: only one the user chose, never the default of a
    page without keyword (最新发布), which would otherwise override relevance once a keyword is typed."""
    default = "relevance" if search_request.q else config.default_sort_without_text
    return None if search_request.sort == default else search_request.sort


def _render(config: KindPage):
    filters = service.parse_filters(config, request.args)
    search_request = service.make_request(config.kind, request.args.get("q", ""), filters,
                                          request.args.get("sort"), request.args.get("page", 1), PER_PAGE)
    outcome = service.search(search_request)
    page = Page(items=outcome.records, total=min(outcome.total, service.MAX_RESULT_WINDOW),
                page=search_request.page, per_page=search_request.page_size)
    return render_template(
        "search/search.html", config=config, pages=PAGES, outcome=outcome, page=page, q=search_request.q,
        total=outcome.total, sort=search_request.sort, carried_sort=_carried_sort(config, search_request),
        filters=filters,
        facet_groups=_facet_groups(config, outcome), active_filters=_active_filters(config, filters),
        clear_filters_url=_here(q=search_request.q or None),
        clear_query_url=_here(**filters),
        truncated=len(request.args.get("q", "")) > service.MAX_QUERY_CHARS,
    )


@bp.get("", endpoint="index")
def index():
    """科技成果检索."""
    return _render(PAGES["achievement"])


@bp.get("/<any(patents, demands, challenges, orgs):slug>")
def kind_page(slug: str):
    """专利 / 技术需求 / 揭榜挂帅 / 机构检索."""
    return _render(BY_SLUG[slug])


@bp.get("/suggest")
def suggest():
    """Suggestions as you type: ``{"suggestions": [...], "degraded": bool}``."""
    kind = request.args.get("kind", "achievement")
    if kind not in PAGES:
        kind = "achievement"
    suggestions, degraded = service.suggest(kind, request.args.get("q", ""))
    response = jsonify({"suggestions": suggestions, "degraded": degraded})
    response.headers["Cache-Control"] = "public, max-age=30"
    return response
