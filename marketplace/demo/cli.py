"""``flask demo load``: fill an empty instance with the fictional demo dataset."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from ..extensions import db

demo_cli = AppGroup("demo", help="演示数据")
LABELS = {"organizations": "机构", "users": "用户", "patents": "专利", "achievements": "成果", "demands": "需求",
          "challenges": "揭榜挂帅榜单", "inquiries": "洽谈", "deals": "技术合同", "opportunities": "商机",
          "licences": "专利许可"}


@demo_cli.command("load")
@click.option("--seed", default=2026, show_default=True, type=int, help="演示数据的随机种子")
@click.option("--if-empty", is_flag=True, help="已有机构时什么也不做")
def load_command(seed: int, if_empty: bool) -> None:
    """Load the demo dataset (organisations, users, patents, achievements, demands); existing records are kept."""
    from .loader import DemoDataError, database_is_empty, load_demo

    if if_empty and not database_is_empty():
        click.echo("已有机构数据，跳过演示数据加载")
        return
    started = time.perf_counter()
    try:
        counts = load_demo(seed=seed)
    except DemoDataError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    parts = "，".join(f"{LABELS.get(kind, kind)}新增 {c['created']}（已有 {c['skipped']}）" for kind, c in counts.items())
    click.echo(f"演示数据已加载：{parts}；用时 {time.perf_counter() - started:.1f} 秒")


def register(app: Flask) -> None:
    """Add the ``demo`` command group to ``app``."""
    app.cli.add_command(demo_cli)
