"""What the statistics pages show around the tables: the dashboard's sections, the headline figures, each chart's
series, the filter form's choices and how a cell reads. Every figure comes from :func:`tables.build` (or
:func:`public.public_table`): nothing here computes one, so the pages, the API and the exports agree cell for cell.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import select

from ..accounts.models import Organization
from ..deals.models import DealParty
from ..deals.vocabularies import CONTRACT_FIELDS
from ..extensions import db
from ..taxonomy import REGIONS, choices
from ..web.messages import N_
from .filters import INSTITUTION_TYPES, SIDES, StatsFilter
from .tables import AMOUNT, BUILDERS, COUNT, TEXT, Table, build

#: the dashboard's sections, in order; a table belongs to the first whose key is its id or its id's prefix
SECTIONS: list[tuple[str, str]] = [
    ("contracts", N_("技术合同")), ("funnel", N_("转化漏斗")),
    ("annual_report", N_("年度报告（高等院校与科研院所篇）")),
    ("programmes", N_("开放许可、揭榜挂帅与优质成果")), ("brokers", N_("技术经纪人")),
]
#: the columns a table's chart draws, when not the default (its amount; line charts add the contract count)
CHART_SERIES = {"brokers": ("opportunities", "won", "contracts")}
CHART_LIBRARY = "vendor/chart.umd.min.js"  # under the static folder; copied there by `make setup` (npm ci)
WITHHELD = "<3"
NOT_APPLICABLE = "—"


def section_of(table_id: str) -> str:
    return next(key for key, _title in SECTIONS if table_id == key or table_id.startswith(key + "_"))


@dataclass
class Section:
    key: str
    title: str  # msgid
    tables: list[Table]


def dashboard_sections(stats: StatsFilter) -> list[Section]:
    """Every table of the catalogue, in its order, grouped into the dashboard's sections."""
    sections = {key: Section(key, title, []) for key, title in SECTIONS}
    for table_id in BUILDERS:
        sections[section_of(table_id)].tables.append(build(table_id, stats))
    return [section for section in sections.values() if section.tables]


@dataclass(frozen=True)
class Headline:
    key: str
    title: str  # msgid
    value: object  # int, Decimal 万元 or None (withheld)
    kind: str


def headlines(contracts: Table, summary: Table | None = None, part: str = "all") -> list[Headline]:
    """The figures at the top of a page, read from the total row of a contract table (and the 当年到账 cell of the
    annual report's summary: universities and institutes together, or one ``part``)."""
    total = dict(zip([column.key for column in contracts.columns], contracts.total or []))
    figures = [Headline("contracts", N_("技术合同"), total.get("contracts"), COUNT),
               Headline("total_amount", N_("合同成交额"), total.get("total_amount"), AMOUNT),
               Headline("technical_amount", N_("技术交易额"), total.get("technical_amount"), AMOUNT)]
    if summary is not None:
        title = N_("当年到账（高校院所）") if part == "all" else N_("当年到账")
        figures.append(Headline("received", title, cell(summary, "received", part), AMOUNT))
    return figures


def cell(table: Table, row_key, column_key: str):
    """The cell of row ``row_key`` (its key) and column ``column_key``."""
    column = [column.key for column in table.columns].index(column_key)
    return table.rows[table.keys.index(row_key)][column]


def project(table: Table, row_keys=None, column_keys=None) -> Table:
    """A copy of ``table`` with only the rows and columns asked for (the label column always kept)."""
    table = copy.deepcopy(table)
    if column_keys is not None:
        keep = [0] + [i for i, column in enumerate(table.columns) if column.key in column_keys]
        table.columns = [table.columns[i] for i in keep]
        table.rows = [[row[i] for i in keep] for row in table.rows]
        table.total = [table.total[i] for i in keep] if table.total else None
    if row_keys is not None:
        pairs = [(key, row) for key, row in zip(table.keys, table.rows) if key in row_keys]
        table.keys, table.rows = [key for key, _row in pairs], [row for _key, row in pairs]
        table.total = None
    return table


def cell_text(value, kind: str, *, withheld: bool = False) -> str:
    """A cell as it reads: thousands separators, amounts to at least two decimals (exact: up to the four stored),
    None as "<3" where small groups are withheld, else as not applicable."""
    if value is None:
        return WITHHELD if withheld else NOT_APPLICABLE
    if kind == TEXT or isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        text = f"{value:,}"
        if "." in text:
            whole, fraction = text.split(".")
            if len(fraction) > 2:
                fraction = fraction.rstrip("0").ljust(2, "0")
            text = f"{whole}.{fraction}"
        return text
    return str(value)


def _number(value):
    return None if value is None else float(value) if isinstance(value, Decimal) else value


def _axis(kind: str) -> str:
    return "amount" if kind == AMOUNT else "count" if kind == COUNT else kind


def chart_spec(table: Table) -> dict | None:
    """What static/js/statistics.js draws for ``table`` (None: the table has no chart): the labels and, per series,
    its title, axis (count, amount, percent, days) and values — the table's own cells."""
    if table.chart is None or not table.rows or (table.chart == "line" and len(table.rows) < 2):
        return None  # a line needs two points
    columns = {column.key: column for column in table.columns}
    if table.id == "funnel":  # the stages of the whole range, top to bottom
        stages = [column for column in table.columns if column.kind == COUNT]
        positions = [table.columns.index(column) for column in stages]
        return {"id": table.id, "kind": table.chart, "horizontal": True,
                "labels": [column.title for column in stages],
                "series": [{"label": table.total[0], "axis": "count",
                            "data": [_number(table.total[i]) for i in positions]}]}
    keys = CHART_SERIES.get(table.id)
    if keys is None:
        amount = next((c.key for c in table.columns if c.kind == AMOUNT and c.key != "average_amount"), None)
        keys = (amount,) if amount else tuple(c.key for c in table.columns if c.kind == COUNT)[:1]
        if table.chart == "line" and "contracts" in columns:
            keys = ("contracts", *keys)
    series = []
    for key in keys:
        index = table.columns.index(columns[key])
        series.append({"label": columns[key].title, "axis": _axis(columns[key].kind),
                       "data": [_number(row[index]) for row in table.rows]})
    return {"id": table.id, "kind": table.chart, "labels": [str(row[0]) for row in table.rows], "series": series}


def chart_library_url() -> str | None:
    """The chart library's URL when `make setup` has installed it (else the pages show their tables only)."""
    if Path(current_app.static_folder, CHART_LIBRARY).is_file():
        return url_for("static", filename=CHART_LIBRARY)
    return None


def export_links(table_id: str, stats: StatsFilter) -> list[tuple[str, str]]:
    """(format, URL) of the table's CSV and XLSX exports."""
    return [(name, url_for(f"statistics_exports.table_{name.lower()}", table_id=table_id, **stats.as_args()))
            for name in ("CSV", "XLSX")]


def seller_institutions() -> list[tuple[str, str]]:
    """Organisations that are the seller on some contract, by name: the institution filter's choices."""
    statement = (select(Organization.id, Organization.name)
                 .where(Organization.id.in_(select(DealParty.org_id).where(DealParty.role == "seller")))
                 .order_by(Organization.name))
    return [(str(org_id), name) for org_id, name in db.session.execute(statement)]


def year_choices(stats: StatsFilter | None, today: date | None = None) -> list[int]:
    """The last ten years, newest first, with the years of the current filter."""
    this_year = (today or date.today()).year
    years = set(range(this_year - 9, this_year + 1))
    if stats is not None:
        years.update((stats.year_from, stats.year_to))
    return sorted(years, reverse=True)


def filter_choices(stats: StatsFilter | None) -> dict:
    return {"years": year_choices(stats), "regions": choices(REGIONS), "sides": choices(SIDES),
            "fields": choices(CONTRACT_FIELDS), "institution_types": choices(INSTITUTION_TYPES),
            "institutions": seller_institutions()}


def filter_values(stats: StatsFilter | None, args) -> dict:
    """What the filter form shows: the parsed filter, or the raw arguments when they did not parse."""
    if stats is None:
        values = {key: (args.get(key) or "").strip() for key in
                  ("year_from", "year_to", "region", "side", "field", "institution_id", "institution_type")}
        if args.get("year") and not values["year_from"]:
            values["year_from"] = values["year_to"] = args.get("year").strip()
        return values
    values = {key: "" if value is None else str(value) for key, value in stats.as_args().items()}
    values.setdefault("side", stats.side)
    return values

