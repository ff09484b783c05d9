"""``flask achievements import`` and ``flask achievements export``."""
from __future__ import annotations

import csv
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..accounts.models import Organization
from ..accounts.services import create_organization, find_organization_by_name
from ..errors import ValidationFailed
from ..extensions import db
from ..taxonomy import LISTING_STATUSES, ORG_TYPES, REGIONS
from . import io_formats
from .exporter import EXPORT_COLUMNS, count_achievements, export_achievements
from .importer import BATCH_SIZE, ImportReport, import_achievements

achievements_cli = AppGroup("achievements", help="科技成果批量导入与导出")

MAX_ERRORS_SHOWN = 50


@contextmanager
def progress(total: int | None, label: str):
    """A click progress bar on a terminal; elsewhere a plain line every tenth of the way (or 10,000 rows)."""
    if sys.stdout.isatty():
        with click.progressbar(length=total or 0, label=label, show_pos=True, show_eta=True,
                               update_min_steps=max(1, (total or 0) // 500)) as bar:
            yield bar.update
        return
    done = 0
    step = max(1, (total // 10) if total else 10_000)
    started = time.perf_counter()

    def update(n: int) -> None:
        nonlocal done
        before, done = done, done + n
        if before // step != done // step:
            rate = done / max(time.perf_counter() - started, 1e-9)
            shown = f"{done}/{total}" if total else str(done)
            click.echo(f"{label} {shown} 行（{rate:,.0f} 行/秒）")

    yield update


def _resolve_org(name: str | None, create_type: str | None, region: str) -> Organization | None:
    if not name:
        if create_type:
            raise click.UsageError("--create-org 需要同时用 --org 指定机构名称")
        return None
    org = find_organization_by_name(name)
    if org is not None:
        return org
    if not create_type:
        raise click.ClickException(f"机构不存在：{name}（可加 --create-org 机构类型 自动创建）")
    try:
        org = create_organization(name, create_type, region)
    except ValidationFailed as error:
        raise click.ClickException(f"无法创建机构：{error.errors or error.message}") from None
    db.session.commit()
    click.echo(f"已创建机构：{org.name}（{ORG_TYPES[create_type][0]}）")
    return org


def _print_report(report: ImportReport, elapsed: float) -> None:
    if report.errors:
        click.echo()
        click.echo(f"{'行号':>6}  {'字段':<28}  错误信息")
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"{error.row:>8}  {error.field_label:<30}  {error.message}")
        if len(report.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"……另有 {len(report.errors) - MAX_ERRORS_SHOWN} 条错误未显示（用 --report 导出全部）")
    rate = report.rows / elapsed if elapsed > 0 else 0
    verb = "试运行（未写入）：" if report.dry_run else ""
    click.echo(f"{verb}共 {report.rows} 行：新增 {report.created}，更新 {report.updated}，未变化 {report.unchanged}，"
               f"失败 {report.failed_rows} 行；用时 {elapsed:.1f} 秒（{rate:,.0f} 行/秒）")


def write_error_report(path: str | Path, report: ImportReport) -> None:
    """The per-row errors as CSV (UTF-8 with BOM): 行号, 字段, 错误信息."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["行号", "字段", "错误信息"])
        for error in report.errors:
            writer.writerow([error.row, error.field, error.message])


@achievements_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", "org_name", help="导入到该机构（不指定时按文件中的 org 列）")
@click.option("--create-org", "create_type", type=click.Choice(list(ORG_TYPES)), help="机构不存在时按此类型创建")
@click.option("--region", default="220000", show_default=True, type=click.Choice(list(REGIONS)),
              help="新建机构的所在地区")
@click.option("--publish", is_flag=True, help="导入后直接发布（系统导入，免审核）")
@click.option("--format", "fmt", type=click.Choice(io_formats.FORMATS), help="文件格式（默认按扩展名）")
@click.option("--dry-run", is_flag=True, help="只校验，不写入")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="把错误明细写入 CSV 文件")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1, 100_000))
def import_command(file, org_name, create_type, region, publish, fmt, dry_run, report_path, batch_size):
    """Import achievements from FILE (JSON Lines, CSV or XLSX)."""
    try:
        fmt = io_formats.detect_format(file, fmt)
    except io_formats.FormatError as error:
        raise click.ClickException(str(error)) from None
    org = _resolve_org(org_name, create_type, region)
    total = io_formats.count_records(file, fmt)
    started = time.perf_counter()
    try:
        with progress(total, "导入") as update:
            report = import_achievements(io_formats.read_records(file, fmt), org, publish=publish, dry_run=dry_run,
                                         batch_size=batch_size, source=Path(file).name, progress=update)
    except io_formats.FormatError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    _print_report(report, time.perf_counter() - started)
    if report_path:
        write_error_report(report_path, report)
        click.echo(f"错误明细已写入 {report_path}")
    if report.errors and not report.saved:
        click.get_current_context().exit(1)


@achievements_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(io_formats.FORMATS), help="文件格式（默认按扩展名）")
@click.option("--org", "org_name", help="只导出该机构的成果")
@click.option("--status", default="published", show_default=True,
              type=click.Choice([*LISTING_STATUSES, "all"]), help="按状态筛选，all 为全部")
def export_command(file, fmt, org_name, status):
    """Export achievements to FILE in the import format."""
    try:
        fmt = io_formats.detect_format(file, fmt)
    except io_formats.FormatError as error:
        raise click.ClickException(str(error)) from None
    org = None
    if org_name:
        org = find_organization_by_name(org_name)
        if org is None:
            raise click.ClickException(f"机构不存在：{org_name}")
    total = count_achievements(org, status)
    started = time.perf_counter()
    with progress(total, "导出") as update:
        def rows():
            for row in export_achievements(org, status):
                update(1)
                yield row

        written = io_formats.write_records(file, fmt, EXPORT_COLUMNS, rows())
    elapsed = time.perf_counter() - started
    click.echo(f"已导出 {written} 条成果到 {file}；用时 {elapsed:.1f} 秒（{written / max(elapsed, 1e-9):,.0f} 行/秒）")


def register(app: Flask) -> None:
    """Add the ``achievements`` command group to ``app``."""
    app.cli.add_command(achievements_cli)
