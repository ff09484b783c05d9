"""``flask backup FILE`` (while the server runs) and ``flask restore FILE`` (into a fresh instance)."""
from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask_migrate import upgrade

from ..search_admin.dictionaries import configure_analysis
from .manifest import BackupError
from .services import create_backup, restore_backup


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已存在的备份文件")
def backup_command(path: str, force: bool) -> None:
    """备份数据库、附件文件和搜索词典到一个 tar 文件（以 .gz/.tgz 结尾时压缩）；服务运行时也可以做。"""
    started = time.perf_counter()
    try:
        report = create_backup(current_app._get_current_object(), path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = report.manifest
    click.echo(f"已备份到 {report.path}（{_mib(report.size)}，用时 {time.perf_counter() - started:.1f} 秒）：")
    click.echo(f"  数据库 {manifest.database_kind}（{manifest.tool}），迁移版本 {manifest.migration_revision}，"
               f"{len(manifest.tables)} 张表共 {sum(manifest.tables.values())} 行")
    click.echo(f"  文件 {len(manifest.files)} 个")
    if manifest.missing_files:
        click.echo(f"警告：{len(manifest.missing_files)} 个附件在备份时已没有文件（已记入清单）："
                   + "，".join(manifest.missing_files[:10]), err=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True,
              help="目标数据库或附件目录已有数据时仍然恢复：数据库中的全部数据被备份替换")
@click.option("--reindex", is_flag=True,
              help="恢复后重建搜索索引（即 flask search reindex；备份的迁移版本较旧时先 flask db upgrade）")
def restore_command(path: str, force: bool, reindex: bool) -> None:
    """把 flask backup 做的备份恢复到本实例（应是新的、空的实例；恢复时请停止服务）。"""
    app = current_app._get_current_object()
    started = time.perf_counter()
    try:
        report = restore_backup(app, path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = report.manifest
    click.echo(f"已恢复 {path}（{manifest.created_at} 的备份，用时 {time.perf_counter() - started:.1f} 秒）：")
    click.echo(f"  {len(manifest.tables)} 张表共 {sum(manifest.tables.values())} 行、{len(manifest.files)} 个文件，"
               "行数和校验和都与清单一致")
    if report.replaced:
        click.echo(f"  替换了原有数据（{sum(report.replaced.values())} 行）")
    if manifest.missing_files:
        click.echo(f"警告：{len(manifest.missing_files)} 个附件在备份时就没有文件，下载它们会显示“附件文件已丢失”", err=True)
    if not reindex:
        steps = "flask db upgrade，再运行 flask search reindex" if report.needs_upgrade else "flask search reindex"
        click.echo(f"下一步：运行 {steps}（搜索索引不在备份里，须从数据库重建）")
        if report.needs_upgrade:
            click.echo(f"  备份的迁移版本 {manifest.migration_revision} 比本程序的 {report.head} 旧")
        return
    if report.needs_upgrade:
        click.echo(f"备份的迁移版本 {manifest.migration_revision} 比本程序的 {report.head} 旧：先升级数据库（flask db upgrade）")
        upgrade()
    configure_analysis(app)  # the restored search dictionaries
    ctx = click.get_current_context()
    ctx.invoke(app.cli.commands["search"].commands["reindex"])


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
