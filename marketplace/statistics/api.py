"""JSON API of the conversion statistics, /api/v1/statistics: the catalogue of tables, every table for staff, the
public tables for anyone and an institution's own tables for its members. Each table is the one
:class:`~marketplace.statistics.tables.Table` the dashboard and the exports render, so all agree cell for cell.

Amounts are JSON strings with 4 decimals (万元) and percents strings with 1 decimal, as amounts are everywhere else
in this API (exact decimals, never floats); counts and days are integers; null is withheld or not applicable.
Who may see what: :mod:`marketplace.statistics.access`."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from flask.views import MethodView
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint

from ..api_common import read_endpoint
from . import access
from .filters import FIRST_YEAR, StatsFilter
from .schemas import StatsQuery, TableCatalogue, TableOut
from .tables import BUILDERS, Table

blp = Blueprint("api_statistics", __name__, description="科技成果转化统计：统计表目录、各统计表（工作人员）、公开统计、本机构统计")

TABLE_ID = "<string(maxlength=64):table_id>"
_CATALOGUE: list[tuple[str, str, str, bool, str | None]] = []


def catalogue() -> list[dict]:
    """Every table's id, title, definition, public flag and chart kind, in the dashboard's order (the msgids are
    read once per process from an empty period; shown in the user's language)."""
    if not _CATALOGUE:
        empty = StatsFilter(FIRST_YEAR, FIRST_YEAR)
        for table_id, builder in BUILDERS.items():
            table = builder(empty)
            _CATALOGUE.append((table_id, table.title, table.definition, table.public, table.chart))
    return [{"id": table_id, "title": gettext(title), "definition": gettext(definition), "public": public,
             "chart": chart} for table_id, title, definition, public, chart in _CATALOGUE]


def cell(value):
    """A cell as JSON: Decimals as exact strings, the rest as they are."""
    return f"{value:f}" if isinstance(value, Decimal) else value


def table_json(table: Table, stats: StatsFilter, as_of: datetime) -> dict:
    """``table`` as the API answers it: rows as objects keyed by column key, plus each row's code as ``key``."""
    keys = [column.key for column in table.columns]
    return {
        "id": table.id, "title": table.title, "definition": table.definition, "filters": asdict(stats),
        "data_as_of": as_of.isoformat(timespec="seconds"), "chart": table.chart,
        "columns": [{"key": column.key, "title": column.title, "kind": column.kind} for column in table.columns],
        "rows": [{"key": key, **{name: cell(value) for name, value in zip(keys, row)}}
                 for key, row in zip(table.keys, table.rows)],
        "total": {name: cell(value) for name, value in zip(keys, table.total)} if table.total is not None else None,
    }


@blp.route("/statistics/tables")
class Catalogue(MethodView):
    @read_endpoint(blp, TableCatalogue)
    def get(self):
        """统计表目录：每张表的编号、标题、口径说明、是否公开（公开统计中小于 3 份合同的组不显示）和建议的图表类型"""
        return {"items": catalogue()}


@blp.route(f"/statistics/tables/{TABLE_ID}")
class StaffTable(MethodView):
    @read_endpoint(blp, TableOut, query=StatsQuery, errors=(403, 404, 422), login=True)
    def get(self, args, table_id):
        """一张统计表的全部数据（技术经纪人和平台管理员）：按年份或年份范围、地区（卖方输出 / 买方吸纳）、技术领域、卖方机构或机构类型筛选；
        未知的表 404，其他用户 403，筛选条件有误 422（errors 指明参数）"""
        table, stats = access.staff_table(current_user, table_id, args)
        return table_json(table, stats, access.data_as_of())


@blp.route(f"/statistics/public/tables/{TABLE_ID}")
class PublicTable(MethodView):
    @read_endpoint(blp, TableOut, query=StatsQuery, errors=(404, 422))
    def get(self, args, table_id):
        """公开统计表（任何人）：只有目录中 public 为 true 的表；少于 3 份合同的组（以及可由合计反推出它们的组）的数值为 null；
        不能按单个机构筛选（422）"""
        table, stats = access.public(table_id, args)
        return table_json(table, stats, access.data_as_of())


@blp.route(f"/statistics/institution/tables/{TABLE_ID}")
class InstitutionTable(MethodView):
    @read_endpoint(blp, TableOut, query=StatsQuery, errors=(403, 404, 422), login=True)
    def get(self, args, table_id):
        """本机构的统计表（机构成员）：合同、年度报告和转化漏斗各表，institution_id 固定为本机构；平台工作人员须用 institution_id
        指定机构。没有所属机构的用户 403"""
        table, stats = access.institution_table(current_user, table_id, args)
        return table_json(table, stats, access.data_as_of())

