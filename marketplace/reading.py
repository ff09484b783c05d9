"""One read path per kind: the list filters and sorts of a kind, declared once, read by its page and its API.

A :class:`ListSpec` is a set of named filters (the query parameter, the marshmallow field that validates it, the SQL
condition it stands for, old names kept as aliases) and named sorts (ORDER BY columns). From one spec come

* :meth:`ListSpec.api_args` — the query-argument schema of the JSON API list (documented in OpenAPI; an invalid
  value answers 422; old names are accepted and documented as deprecated);
* :meth:`ListSpec.parse_page` — the lenient reading of a page's query string: each parameter is validated with the
  same field, and what does not validate is dropped (a stale bookmark still works);
* :meth:`ListSpec.query` — the WHERE conditions and ORDER BY for parsed arguments, the same for both;
* :meth:`ListSpec.read` — one page of records through the ids-first paginator (:mod:`marketplace.pagination`).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from marshmallow import Schema, ValidationError, post_load, validates_schema
from marshmallow.fields import Field
from sqlalchemy.orm import joinedload

from .extensions import db
from .listings import PUBLISHED
from .pagination import PER_PAGE, Page, count_of, paginate
from .records import public_listing_clause, suspended_org_ids
from .validation import Choice

DEPRECATED = "旧参数名，保留一个版本"
UNINDEXED_COUNT_CAP = 1000  # a page's count stops here when a filter no index serves is active ("1,000+")
SORT_PARAM = "sort"


@dataclass(frozen=True)
class Filter:
    """A list filter: ``?name=value`` validated by ``field``; ``condition(value)`` is its SQL condition.

    ``aliases`` are old parameter names still accepted everywhere; ``api_aliases`` are the ones the API had, which
    its documentation lists as deprecated. ``unindexed`` marks a filter no index can serve (the page's count stops
    at a cap)."""

    name: str
    field: Field
    condition: Callable[[Any], Any]
    description: str = ""
    aliases: tuple[str, ...] = ()
    api_aliases: tuple[str, ...] = ()
    unindexed: bool = False

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.api_aliases, *self.aliases)


@dataclass(frozen=True)
class Sort:
    """A named order: ``columns`` first, then the spec's tie-break (newest first for listings)."""

    description: str
    columns: tuple = ()


@dataclass(frozen=True)
class RangeCheck:
    """``low`` must not exceed ``high`` when both are given: a 422 on the API (on ``high``); dropped on pages."""

    low: str
    high: str
    message: str


@dataclass(frozen=True)
class ReadArgs:
    """Parsed list arguments: the active filters (canonical names → validated values) and the sort."""

    filters: dict
    sort: str

    def query_string(self, spec: ListSpec) -> dict[str, str]:
        """The active filters as canonical query parameters (strings), for page links and filter forms."""
        return spec.query_values(self.filters)


def newest(model, public: bool = True) -> tuple:
    """Newest first. Public lists hold only published records, which all have a publication date: the plain order,
    which the (status, published_at, id) indexes serve on SQLite and PostgreSQL alike. Lists that may include
    unpublished records (an organisation's own, reviewers') put those (no date) after, newest first."""
    if public:
        return (model.published_at.desc(), model.id.desc())
    return (model.published_at.desc().nulls_last(), model.id.desc())


@dataclass
class ListSpec:
    """The filters and sorts of one kind of record (see the module docstring)."""

    model: Any
    filters: list[Filter]
    sorts: dict[str, Sort]
    default_sort: str
    sort_aliases: dict[str, str] = field(default_factory=dict)  # old sort value → current one (API: price)
    checks: tuple[RangeCheck, ...] = ()
    tiebreak: Callable[[bool], tuple] | None = None  # public → ORDER BY tail; default: newest(model, public)

    def __post_init__(self) -> None:
        assert self.default_sort in self.sorts
        self.by_name = {f.name: f for f in self.filters}

    # -- reading arguments ---------------------------------------------------------------------------------------

    def parse_page(self, args) -> ReadArgs:
        """Read a page's query string (a MultiDict) leniently: each filter is validated with its field and dropped
        when it does not validate; a failed range check drops both ends; an unknown sort is the default."""
        values: dict = {}
        for spec_filter in self.filters:
            for name in spec_filter.all_names():
                raw = args.get(name)
                if raw is None or raw == "":
                    continue
                try:
                    value = spec_filter.field.deserialize(raw)
                except ValidationError:
                    continue
                if value is not None:
                    values[spec_filter.name] = value
                    break
        for check in self.checks:
            if _range_fails(check, values):
                values.pop(check.low, None)
                values.pop(check.high, None)
        sort = args.get(SORT_PARAM)
        sort = self.sort_aliases.get(sort, sort)
        return ReadArgs(values, sort if sort in self.sorts else self.default_sort)

    def from_api(self, data: dict) -> ReadArgs:
        """The :class:`ReadArgs` in arguments loaded by :meth:`api_args` (aliases are already folded in)."""
        values = {name: data[name] for name in self.by_name if data.get(name) is not None}
        return ReadArgs(values, data.get(SORT_PARAM) or self.default_sort)

    def query_values(self, filters: dict) -> dict[str, str]:
        return {name: _query_value(value) for name, value in filters.items()}

    def api_args(self, base: type[Schema], name: str) -> type[Schema]:
        """A query-argument schema class named ``name`` (subclass of ``base``, which brings paging and scope
        arguments) with every filter, its deprecated API aliases and ``sort``."""
        attrs: dict[str, Any] = {}
        folds: list[tuple[str, str]] = []
        for spec_filter in self.filters:
            attrs[spec_filter.name] = _with_metadata(spec_filter.field, description=spec_filter.description)
            for alias in spec_filter.api_aliases:
                attrs[alias] = _with_metadata(
                    spec_filter.field, deprecated=True,
                    description=f"{DEPRECATED}：请改用 {spec_filter.name}。{spec_filter.description}".rstrip("。"))
                folds.append((alias, spec_filter.name))
        sort_lines = [f"{code}：{sort.description}" for code, sort in self.sorts.items()]
        sort_lines += [f"{old}：{DEPRECATED}，同 {new}" for old, new in self.sort_aliases.items()]
        attrs[SORT_PARAM] = Choice([*self.sorts, *self.sort_aliases], label="排序方式", load_default=self.default_sort,
                                   metadata={"description": "排序：" + "；".join(sort_lines)})
        checks, sort_aliases = self.checks, dict(self.sort_aliases)

        @validates_schema
        def _check_ranges(schema, data, **kwargs):
            for check in checks:
                if _range_fails(check, data):
                    raise ValidationError(check.message, field_name=check.high)

        @post_load
        def _fold_aliases(schema, data, **kwargs):
            for alias, canonical in folds:
                value = data.pop(alias, None)
                if value is not None and data.get(canonical) is None:
                    data[canonical] = value
            if data.get(SORT_PARAM) in sort_aliases:
                data[SORT_PARAM] = sort_aliases[data[SORT_PARAM]]
            return data

        attrs["_check_ranges"] = _check_ranges
        attrs["_fold_aliases"] = _fold_aliases
        attrs["__doc__"] = f"List arguments of {self.model.__name__}: filters and sort (see marketplace.reading)."
        return type(name, (base,), attrs)

    # -- building the query --------------------------------------------------------------------------------------

    def query(self, args: ReadArgs, public: bool = True) -> tuple[list, list, bool]:
        """``(conditions, order, unindexed)`` for ``args``: the WHERE conditions of the active filters, the ORDER BY
        of the sort, and whether an active filter is one no index serves. ``public`` = only published records are
        in scope (see :func:`newest`)."""
        conditions, unindexed = [], False
        for name, value in args.filters.items():
            spec_filter = self.by_name[name]
            conditions.append(spec_filter.condition(value))
            unindexed = unindexed or spec_filter.unindexed
        sort = self.sorts.get(args.sort) or self.sorts[self.default_sort]
        tail = self.tiebreak(public) if self.tiebreak else newest(self.model, public)
        return conditions, [*sort.columns, *tail], unindexed

    def read(self, args: ReadArgs, *, scope=(), public: bool = True, page: int = 1, per_page: int = PER_PAGE,
             options=(), count_cap: int | None = None, withheld_orgs=()) -> Page:
        """One page of records in ``scope`` (conditions: visibility) matching ``args``, without the records of the
        organisations ``withheld_orgs``. ``count_cap`` bounds the total only when a filter no index serves is
        active."""
        conditions, order, unindexed = self.query(args, public)
        return paginate(self.model, [*scope, *conditions], order, page=page, per_page=per_page, options=options,
                        count_cap=count_cap if unindexed else None, withheld_orgs=withheld_orgs)

    def public_page(self, args: ReadArgs, *, page: int = 1, per_page: int = PER_PAGE, options=()) -> Page:
        """The public list page: public records only (published, of no suspended organisation: what
        :func:`~marketplace.records.public_listing_clause` selects); the count is capped for filters no index
        serves."""
        return self.read(args, scope=[self.model.status == PUBLISHED], page=page, per_page=per_page, options=options,
                         count_cap=UNINDEXED_COUNT_CAP, withheld_orgs=suspended_org_ids())


def _range_fails(check: RangeCheck, values: dict) -> bool:
    low, high = values.get(check.low), values.get(check.high)
    return low is not None and high is not None and low > high


def _query_value(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _with_metadata(source: Field, **metadata) -> Field:
    clone = copy.deepcopy(source)
    clone.metadata = {**source.metadata, **{key: value for key, value in metadata.items() if value}}
    return clone


# -- listing helpers shared by the kinds ----------------------------------------------------------------------------

def orgs_of_type(org_type: str):
    """The ids of organisations of ``org_type``, as a subquery rather than a join: the planner can then answer
    ``org_id IN (...)`` from the (…, org_id) index entries."""
    from .accounts.models import Organization

    return db.select(Organization.id).where(Organization.org_type == org_type).scalar_subquery()


def latest_published(model, limit: int = 6) -> list:
    """The newest public records of ``model`` (home page)."""
    return list(db.session.execute(
        db.select(model).options(joinedload(model.organization)).where(public_listing_clause(model))
        .order_by(*newest(model)).limit(limit)).scalars())


def published_count(model) -> int:
    """How many records of ``model`` are public: all published ones minus those of suspended organisations (two
    counts from indexes, see :func:`~marketplace.pagination.paginate`)."""
    published = db.session.execute(count_of(model, model.status == PUBLISHED)).scalar_one()
    if withheld := suspended_org_ids():
        published -= db.session.execute(
            count_of(model, model.status == PUBLISHED, model.org_id.in_(withheld))).scalar_one()
    return published
