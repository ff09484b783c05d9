"""Every statistics figure as a :class:`Table` — the one shape the dashboard, the JSON API and the XLSX/CSV exports
all render, so they agree cell for cell. Column titles and definitions are msgids (N_), translated when shown; row
labels come from the vocabularies in the user's language; cells are ints, Decimals (万元 or %) or None.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask_babel import gettext

from ..taxonomy import label
from ..web.messages import N_
from . import annual_report, contracts, funnel, programmes
from .filters import StatsFilter

COUNT, AMOUNT, PERCENT, DAYS, TEXT = "count", "amount", "percent", "days", "text"


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # msgid
    kind: str  # COUNT, AMOUNT (万元), PERCENT, DAYS or TEXT


@dataclass
class Table:
    id: str
    title: str  # msgid
    definition: str  # msgid: what the figures count
    columns: list[Column]
    rows: list[list] = field(default_factory=list)  # first cell: the row's label (TEXT)
    keys: list = field(default_factory=list)  # each row's code (e.g. "licence", 2025), for charts and the API
    total: list | None = None  # the total row, when the rows add up
    chart: str | None = None  # "bar", "line", "doughnut" or None (no chart)
    public: bool = False  # may appear on the public summary (with small groups suppressed)


CONTRACT_COLUMNS = [Column("label", N_("类别"), TEXT), Column("contracts", N_("合同数"), COUNT),
                    Column("total_amount", N_("合同成交额（万元）"), AMOUNT),
                    Column("technical_amount", N_("技术交易额（万元）"), AMOUNT),
                    Column("average_amount", N_("平均合同额（万元）"), AMOUNT)]
CONTRACTS_DEFINITION = N_("平台登记的技术合同（不含不予登记的合同），按签订日期计入所选年份；金额单位为万元。"
                          "输出按卖方所在地区统计，吸纳按买方所在地区统计。")
CONTRACT_TABLES: dict[str, tuple[str, str | None]] = {
    "contract_type": (N_("按合同类别"), "doughnut"), "contract_kind": (N_("按合同类别及子类"), None),
    "technical_field": (N_("按技术领域"), "bar"), "ip_type": (N_("按知识产权类型"), "bar"),
    "plan_source": (N_("按计划来源"), None), "seller_type": (N_("按卖方类型"), "bar"),
    "buyer_type": (N_("按买方类型"), None), "outflow_region": (N_("技术输出（按卖方地区）"), "bar"),
    "inflow_region": (N_("技术吸纳（按买方地区）"), "bar"), "flow": (N_("省内与跨省"), "doughnut"),
    "year": (N_("按签订年份"), "line"), "month": (N_("按签订月份"), "line"),
}


def _row_label(dimension: str, key) -> str:
    vocabulary = contracts.DIMENSIONS[dimension].vocabulary
    if dimension == "month":
        return f"{key // 100}-{key % 100:02d}"
    return label(vocabulary, key) if vocabulary is not None else str(key)


def contract_table(stats: StatsFilter, dimension: str) -> Table:
    title, chart = CONTRACT_TABLES[dimension]
    table = Table(f"contracts_by_{dimension}", title, CONTRACTS_DEFINITION, CONTRACT_COLUMNS, chart=chart,
                  public=dimension in ("contract_type", "technical_field", "year", "flow", "outflow_region"))
    rows = contracts.breakdown(stats, dimension)
    for row in rows:
        table.keys.append(row.key)
        table.rows.append([_row_label(dimension, row.key), row.contracts, row.total_amount, row.technical_amount,
                           row.average_amount])
    total = contracts.total_of(rows)
    table.total = [N_("合计"), total.contracts, total.total_amount, total.technical_amount, total.average_amount]
    return table


FUNNEL_DEFINITION = N_("当期发布的成果和专利（一个批次）在发布后 12 个月内到达各环节的数量：收到洽谈、进入洽谈（洽谈已回复或商机进入洽谈）、"
                       "签约（关联的技术合同签订）、登记（该合同已登记）。转化率 = 12 个月内签约的数量 ÷ 当期发布数量；"
                       "签约用时 = 从发布到首份关联合同签订的天数（中位数和 90 分位）。")


def funnel_table(stats: StatsFilter) -> Table:
    columns = [Column("label", N_("发布年份"), TEXT)] + [Column(stage, label(funnel.STAGES, stage), COUNT)
                                                       for stage in funnel.STAGES]
    columns += [Column("conversion_rate", N_("转化率（%）"), PERCENT), Column("median_days", N_("签约用时中位数（天）"), DAYS),
                Column("p90_days", N_("签约用时 90 分位（天）"), DAYS)]
    table = Table("funnel", N_("转化漏斗"), FUNNEL_DEFINITION, columns, chart="bar")
    for row in funnel.funnel(stats):
        cells = [row.counts[stage] for stage in funnel.STAGES]
        values = [*cells, row.rate("signed"), row.median_days, row.p90_days]
        if row.period is None:
            table.total = [N_("合计"), *values]
        else:
            table.keys.append(row.period)
            table.rows.append([str(row.period), *values])
    return table


REPORT_DEFINITION = N_("按《中国科技成果转化年度报告（高等院校与科研院所篇）》的口径：卖方为高等院校或科研院所的技术合同，按签订年份计入；"
                       "作价投资为标注技术入股的技术转让合同（不再计入转让）；当年到账金额为当年实际收到的款项（不论合同签订年份）；"
                       "个人奖励按奖励年份计入（未填日期的按合同签订年份）。")


def report_category_table(stats: StatsFilter, part: str) -> Table:
    rows = annual_report.categories(stats.with_(institution_type=None), part)
    columns = [Column("label", N_("合同类型"), TEXT), Column("contracts", N_("合同数"), COUNT),
               Column("total_amount", N_("合同金额（万元）"), AMOUNT),
               Column("average_amount", N_("平均合同金额（万元）"), AMOUNT)]
    table = Table(f"annual_report_{part}", label(annual_report.PARTS, part), REPORT_DEFINITION, columns,
                  chart="bar" if part == "all" else None)
    for row in rows:
        table.keys.append(row.key)
        table.rows.append([label(annual_report.REPORT_CATEGORIES, row.key), row.contracts, row.total_amount,
                           row.average_amount])
    total = contracts.total_of(rows)
    table.total = [N_("合计"), total.contracts, total.total_amount, total.average_amount]
    return table


def report_summary_table(stats: StatsFilter) -> Table:
    columns = [Column("label", N_("指标"), TEXT)] + [Column(part, label(annual_report.PARTS, part), AMOUNT)
                                                    for part in annual_report.PARTS]
    table = Table("annual_report_summary", N_("到账、奖励与合同规模"), REPORT_DEFINITION, columns)
    reports = list(annual_report.annual_report(stats, with_ranking=False).values())

    def add(key: str, title: str, value: Callable, kind: str = AMOUNT) -> None:
        table.keys.append(key)
        table.rows.append([title, *[value(report) for report in reports]])

    add("received", N_("当年到账金额（万元）"), lambda r: r.received)
    for index, form in enumerate(annual_report.REWARD_FORMS):
        add(f"reward_{form}_amount", N_("现金奖励金额（万元）") if form == "cash" else N_("股权奖励金额（万元）"),
            lambda r, i=index: r.rewards[i].amount)
        add(f"reward_{form}_persons", N_("现金奖励人次") if form == "cash" else N_("股权奖励人次"),
            lambda r, i=index: r.rewards[i].persons)
    for index, code in enumerate(annual_report.BANDS):
        big = code == "gte_10000"
        add(f"{code}_contracts", N_("1亿元及以上合同数") if big else N_("100万元及以上合同数"),
            lambda r, i=index: r.bands[i].contracts)
        add(f"{code}_count_share", N_("1亿元及以上合同数占比（%）") if big else N_("100万元及以上合同数占比（%）"),
            lambda r, i=index: r.bands[i].count_share)
        add(f"{code}_amount", N_("1亿元及以上合同金额（万元）") if big else N_("100万元及以上合同金额（万元）"),
            lambda r, i=index: r.bands[i].amount)
        add(f"{code}_amount_share", N_("1亿元及以上合同金额占比（%）") if big else N_("100万元及以上合同金额占比（%）"),
            lambda r, i=index: r.bands[i].amount_share)
    return table


def ranking_table(stats: StatsFilter) -> Table:
    columns = [Column("label", N_("机构"), TEXT), Column("contracts", N_("合同数"), COUNT),
               Column("total_amount", N_("合同金额（万元）"), AMOUNT)]
    table = Table("annual_report_ranking", N_("高校院所排名（按合同金额）"), REPORT_DEFINITION, columns)
    for rank in annual_report.ranking(stats.with_(institution_type=None), "all"):
        table.keys.append(rank.org_id)
        table.rows.append([rank.name, rank.contracts, rank.total_amount])
    return table


PROGRAMME_DEFINITION = N_("开放许可：当期作出的声明、期末仍有效的声明、当期通过开放许可取得的许可。"
                          "揭榜挂帅：当期发布的榜单；每榜申请数 = 已提交的申请 ÷ 发布榜单数；揭榜率 = 已确定揭榜方的榜单 ÷ 已截止征集的榜单；"
                          "验收通过率 = 验收通过 ÷ 实施已结束；已承诺资金 = 已签约协议的资助额；已拨付 = 当期拨付的里程碑款项和验收后支付的奖励。"
                          "优质成果：当年名单上已发布的成果，目标 200 项。")


def programme_table(stats: StatsFilter) -> Table:
    licences, challenge, quality = (programmes.open_licences(stats), programmes.challenges(stats),
                                    programmes.quality_list(stats))
    columns = [Column("label", N_("指标"), TEXT), Column("value", N_("数值"), AMOUNT)]
    table = Table("programmes", N_("开放许可、揭榜挂帅与优质成果"), PROGRAMME_DEFINITION, columns, public=True)
    items = [
        ("open_licences_declared", N_("开放许可声明（当期）"), licences.declared),
        ("open_licences_in_force", N_("有效的开放许可声明"), licences.in_force),
        ("open_licences_granted", N_("通过开放许可取得的许可"), licences.granted),
        ("challenges_published", N_("发布的榜单"), challenge.published),
        ("applications_per_challenge", N_("每榜申请数"), challenge.applications_per_challenge),
        ("award_rate", N_("揭榜率（%）"), challenge.award_rate),
        ("acceptance_rate", N_("验收通过率（%）"), challenge.acceptance_rate),
        ("funding_committed", N_("已承诺资金（万元）"), challenge.committed),
        ("funding_paid", N_("已拨付资金（万元）"), challenge.paid),
    ]
    items += [(f"quality_{q.year}", gettext("%(year)s 年优质成果（目标 200 项）", year=q.year), q.listed)
              for q in quality]
    for key, title, value in items:
        table.keys.append(key)
        table.rows.append([title, value])
    return table


BROKER_DEFINITION = N_("归属到技术经纪人的商机（当期新建）、当期成交和未成交结案的商机，以及当期签订且注明该经纪人的技术合同。")


def broker_table(stats: StatsFilter) -> Table:
    columns = [Column("label", N_("技术经纪人"), TEXT), Column("agency", N_("所属机构"), TEXT),
               Column("opportunities", N_("新建商机"), COUNT), Column("won", N_("成交"), COUNT),
               Column("lost", N_("未成交"), COUNT), Column("contracts", N_("合同数"), COUNT),
               Column("contract_amount", N_("合同成交额（万元）"), AMOUNT)]
    table = Table("brokers", N_("技术经纪人业绩"), BROKER_DEFINITION, columns, chart="bar")
    for row in programmes.brokers(stats):
        table.keys.append(row.broker_id)
        table.rows.append([row.name or N_("未归属"), row.agency or "", row.opportunities, row.won, row.lost,
                           row.contracts, row.contract_amount])
    return table


#: table id → builder; the order of the dashboard and the annual-report workbook
BUILDERS: dict[str, Callable[[StatsFilter], Table]] = {
    **{f"contracts_by_{dimension}": (lambda stats, d=dimension: contract_table(stats, d))
       for dimension in CONTRACT_TABLES},
    "funnel": funnel_table,
    **{f"annual_report_{part}": (lambda stats, p=part: report_category_table(stats, p))
       for part in annual_report.PARTS},
    "annual_report_summary": report_summary_table,
    "annual_report_ranking": ranking_table,
    "programmes": programme_table,
    "brokers": broker_table,
}
ANNUAL_REPORT_TABLES = ("annual_report_all", "annual_report_university", "annual_report_institute",
                        "annual_report_summary", "annual_report_ranking")


def localize(table: Table) -> Table:
    """Titles, the definition, column titles and msgid row labels in the user's language."""
    table.title, table.definition = gettext(table.title), gettext(table.definition)
    table.columns = [Column(column.key, gettext(column.title), column.kind) for column in table.columns]
    for row in [*table.rows, *([table.total] if table.total else [])]:
        if isinstance(row[0], str) and row[0]:
            row[0] = gettext(row[0])
    return table


def build(table_id: str, stats: StatsFilter) -> Table:
    """Table ``table_id`` for ``stats``, in the user's language (KeyError for an unknown id)."""
    return localize(BUILDERS[table_id](stats))
