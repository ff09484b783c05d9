"""``flask matching ...``: the semantic rerank's vectors (:mod:`.semantic`).

    flask matching embed    embed every public record not embedded yet, or edited since (MATCH_SEMANTIC on)

Importing :mod:`.semantic` also subscribes its refresh to the drain loops' tick (a batch at most every
MATCH_SEMANTIC_INTERVAL seconds)."""
from __future__ import annotations

import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup

from ..extensions import db
from . import semantic

matching_cli = AppGroup("matching", help="Matching: the semantic rerank's vectors.")


@matching_cli.command("embed")
@click.option("--batch", default=64, show_default=True, help="Records embedded per commit.")
def embed_command(batch: int) -> None:
    """Embed every public achievement, patent and demand that has no vector yet or was edited since."""
    if not semantic.enabled():
        click.echo("MATCH_SEMANTIC is off: nothing to embed", err=True)
        sys.exit(1)
    started, total = time.perf_counter(), 0
    while True:
        looked = semantic.refresh(batch)
        db.session.commit()
        total += looked
        if looked < batch:
            break
        click.echo(f"{total} records embedded or checked")
    click.echo(f"{total} records embedded or checked in {time.perf_counter() - started:.1f}s")


def register(app: Flask) -> None:
    app.cli.add_command(matching_cli)
