"""The statistics pages: the staff dashboard (brokers and admins), the public summary (everyone) and an institution's
own figures (its members). Each shows tables from :mod:`.tables` — with a chart where the table has a chart kind —
and never computes a figure itself."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import ValidationFailed
from ..permissions import require_statistics_viewer
from ..timeutil import utcnow
from . import pages
from .filters import StatsFilter, parse
from .public import MIN_GROUP, PUBLIC_TABLES, public_table
from .tables import build

bp = Blueprint("statistics", __name__, url_prefix="/statistics")

#: the public summary covers the last five years unless a year is asked for
PUBLIC_YEARS = 5
#: what an institution's page shows of the annual report, by the organisation's type
INSTITUTION_PARTS = {"university": "university", "institute": "institute"}
INSTITUTION_SUMMARY_ROWS = ("received", "reward_cash_amount", "reward_cash_persons", "reward_equity_amount",
                            "reward_equity_persons")
YEAR_ARGS = ("year", "year_from", "year_to")


def _parse(args, **defaults) -> tuple[StatsFilter | None, dict]:
    """The filter, or None and the errors naming each bad parameter (the page answers 422 with its form)."""
    try:
        return parse(args, **defaults), {}
    except ValidationFailed as error:
        return None, error.errors


def _page(template: str, stats: StatsFilter | None, errors: dict, **context):
    common = {"stats": stats, "errors": errors, "as_of": utcnow(), "values": pages.filter_values(stats, request.args),
              "chart_library": pages.chart_library_url(), "cell_text": pages.cell_text}
    return render_template(template, **common, **context), (422 if errors else 200)


@bp.get("")
@login_required
def dashboard():
    """Every figure for staff and government: filters, headline figures, then each table with its chart."""
    require_statistics_viewer(current_user)
    stats, errors = _parse(request.args)
    sections = pages.dashboard_sections(stats) if stats else []
    tables = {table.id: table for section in sections for table in section.tables}
    return _page("statistics/dashboard.html", stats, errors, sections=sections,
                 headlines=pages.headlines(tables["contracts_by_contract_type"], tables["annual_report_summary"])
                 if stats else [],
                 charts=[spec for spec in map(pages.chart_spec, tables.values()) if spec],
                 choices=pages.filter_choices(stats), export_links=pages.export_links,
                 report_url=url_for("statistics_exports.annual_report", **stats.as_args()) if stats else None)


@bp.get("/public")
def public():
    """The published summary: only the public tables, groups of fewer than three contracts withheld."""
    args = {key: request.args[key] for key in YEAR_ARGS if request.args.get(key)}
    if not args:
        this_year = date.today().year
        args = {"year_from": str(this_year - PUBLIC_YEARS + 1), "year_to": str(this_year)}
    stats, errors = _parse(args)
    tables = [public_table(table_id, stats) for table_id in PUBLIC_TABLES] if stats else []
    contracts = next((table for table in tables if table.id == "contracts_by_contract_type"), None)
    return _page("statistics/public.html", stats, errors, tables=tables, min_group=MIN_GROUP,
                 headlines=pages.headlines(contracts) if contracts else [],
                 charts=[spec for spec in map(pages.chart_spec, tables) if spec], years=pages.year_choices(stats))


@bp.get("/institution")
@login_required
def institution():
    """The signed-in member's organisation as the seller: its contracts, its part of the annual report, money
    received and rewards — pre-filled for its yearly submission."""
    org = current_user.organization
    if org is None:
        return _page("statistics/institution.html", None, {}, org=None, tables=[], charts=[], years=[])
    stats, errors = _parse({key: request.args[key] for key in YEAR_ARGS if request.args.get(key)})
    tables, summary, part = [], None, INSTITUTION_PARTS.get(org.org_type)
    if stats:
        stats = stats.with_(institution_id=org.id)
        tables = [build("contracts_by_contract_type", stats), build("contracts_by_year", stats)]
        if part:
            summary = pages.project(build("annual_report_summary", stats), INSTITUTION_SUMMARY_ROWS, (part,))
            tables += [build(f"annual_report_{part}", stats), summary]
    return _page("statistics/institution.html", stats, errors, org=org, tables=tables, part=part,
                 headlines=pages.headlines(tables[0], summary, part) if tables else [],
                 charts=[spec for spec in map(pages.chart_spec, tables) if spec], years=pages.year_choices(stats),
                 report_url=url_for("statistics_exports.institution_report", year=stats.year_to)
                 if stats else None)
