"""``flask deals import FILE`` (as the platform: SYSTEM) and ``flask deals export-registration FILE``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..workflow import SYSTEM
from .importer import FormatError, count_rows, detect_format, import_file, report_csv
from .registration_export import batch_deals, batch_filters, export_deals
from .vocabularies import CONTRACT_TYPES, REGISTRATION_STATUSES

deals_cli = AppGroup("deals", help="技术合同：登记表导出与批量导入")
MAX_SHOWN = 50


@deals_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "jsonl"]), help="默认按扩展名判断")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="把逐行问题写入此 CSV 文件")
def import_command(path: str, fmt: str | None, report_path: str | None) -> None:
    """导入技术合同记录（XLSX / CSV / JSON Lines，登记表的列），以登记编号或外部编号去重。"""
    try:
        fmt = detect_format(path, fmt)
    except FormatError as error:
        raise click.ClickException(str(error)) from None
    total = count_rows(path, fmt)
    with click.progressbar(length=total, label="导入", show_pos=True) as bar:
        try:
            report = import_file(SYSTEM, path, fmt, progress=bar.update)
        except FormatError as error:
            raise click.ClickException(str(error)) from None
    for issue in report.issues[:MAX_SHOWN]:
        kind = "跳过" if issue.skipped else "错误"
        click.echo(f"第 {issue.row} 行  {issue.column}（{issue.field}）  {kind}：{issue.message}")
    if len(report.issues) > MAX_SHOWN:
        click.echo(f"……另有 {len(report.issues) - MAX_SHOWN} 条（用 --report 写出全部）")
    if report_path:
        Path(report_path).write_text(report_csv(report), encoding="utf-8")
    click.echo(f"共 {report.rows} 行：新增 {report.created}，更新 {report.updated}，未变化 {report.unchanged}，"
               f"跳过 {report.skipped}，失败 {report.failed}")
    if report.failed:
        raise SystemExit(1)


@deals_cli.command("export-registration")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--year", type=int, help="签订年份")
@click.option("--contract-type", type=click.Choice(list(CONTRACT_TYPES)))
@click.option("--status", "registration_status", type=click.Choice(list(REGISTRATION_STATUSES)))
@click.option("--ids", help="合同编号，以逗号分隔")
def export_command(path: str, year: int | None, contract_type: str | None, registration_status: str | None,
                   ids: str | None) -> None:
    """导出技术合同登记表（按扩展名：.xlsx、.csv 或 .jsonl）。"""
    try:
        fmt = detect_format(path)
    except FormatError as error:
        raise click.ClickException(str(error)) from None
    filters = batch_filters({"year": year, "contract_type": contract_type,
                             "registration_status": registration_status, "ids": ids})
    count = export_deals(path, batch_deals(SYSTEM, filters), fmt)
    click.echo(f"已导出 {count} 份合同：{path}")


def register(app: Flask) -> None:
    """Add the commands to the ``flask deals`` group (created here unless another module made it first)."""
    group = app.cli.commands.get("deals")
    if group is None:
        app.cli.add_command(deals_cli)
        return
    for name, command in deals_cli.commands.items():
        group.add_command(command, name)
