"""``flask search ...``: run the indexer, rebuild, verify and inspect the search index.

    flask search worker              drain the outbox until SIGTERM/SIGINT
    flask search drain               one drain (every due row), then exit
    flask search reindex [--kind K]  rebuild index(es) from the database while searches keep working
    flask search verify [--repair]   compare the database with the index; repair re-queues / deletes
    flask search status              counts (database vs index), outbox backlog, failures, engine health
"""
from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from search.engine import SearchUnavailable

from . import indexer, reconcile, worker
from .documents import KINDS
from .records import count_searchable
from .runtime import get_engine

search_cli = AppGroup("search", help="Search index: indexer worker, rebuild, verification.")

kind_option = click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS),
                           help="Only this kind (repeatable); default: every kind.")


def _print_report(report: indexer.DrainReport, prefix: str = "") -> None:
    rate = (report.indexed + report.deleted) / report.seconds if report.seconds else 0.0
    click.echo(f"{prefix}claimed {report.claimed} rows: {report.indexed} indexed, {report.deleted} deleted, "
               f"{report.failed} failed in {report.seconds:.2f}s ({rate:.0f} docs/s)"
               + (f"; {report.queued} listings queued after organisation changes" if report.queued else ""))
    for (kind, record_id), error in list(report.failures.items())[:20]:
        click.echo(f"  failed {kind} {record_id}: {error}", err=True)
    if report.unavailable:
        click.echo(f"{prefix}search engine unavailable: {report.error}; rows left pending", err=True)


@search_cli.command("worker")
@click.option("--tick", default=worker.TICK_SECONDS, show_default=True, help="Seconds between idle passes.")
def worker_command(tick: float) -> None:
    """Drain the outbox continuously (exits cleanly on SIGTERM/SIGINT)."""
    app = current_app._get_current_object()
    click.echo(f"search worker started (pid {os.getpid()}, engine {get_engine(app).name})")

    def report(r: indexer.DrainReport) -> None:
        if r.claimed or r.unavailable:
            _print_report(r)

    worker.run_worker(app, tick=tick, on_report=report)
    click.echo("search worker stopped")


@search_cli.command("drain")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait for the drain lock when another process is draining.")
def drain_command(wait: bool) -> None:
    """Drain every due outbox row once."""
    app = current_app._get_current_object()
    report = worker.drain_pass(app, time_budget=None, blocking=wait)
    if report is None:
        click.echo("another process is draining; nothing done")
        return
    _print_report(report)
    if report.unavailable:
        sys.exit(1)


@search_cli.command("reindex")
@kind_option
def reindex_command(kinds: tuple[str, ...]) -> None:
    """Rebuild the index of each kind from the database (searches keep working; writes made meanwhile are
    replayed from the outbox afterwards)."""
    engine = get_engine()
    try:
        engine.ensure_indices()
        for kind in kinds or KINDS:
            with click.progressbar(length=count_searchable(kind), label=f"{kind:<12}", show_pos=True) as bar:
                count, replayed = reconcile.rebuild_kind(engine, kind, progress=bar.update)
            click.echo(f"{kind}: {count} documents indexed; {replayed.claimed} later changes replayed")
    except SearchUnavailable as exc:
        click.echo(f"search engine unavailable: {exc}", err=True)
        sys.exit(1)


@search_cli.command("verify")
@kind_option
@click.option("--repair", is_flag=True, help="Re-queue missing/stale records and delete extra documents.")
def verify_command(kinds: tuple[str, ...], repair: bool) -> None:
    """Compare published records (ids and versions) with the index."""
    engine = get_engine()
    problems = 0
    problems_left = False
    try:
        for kind in kinds or KINDS:
            diff = reconcile.compare(engine, kind)
            problems += diff.problems
            click.echo(f"{kind}: database {diff.expected}, index {diff.indexed}; missing {len(diff.missing)}, "
                       f"stale {len(diff.stale)}, extra {len(diff.extra)}")
            for label, ids in (("missing", diff.missing), ("stale", diff.stale), ("extra", diff.extra)):
                if ids:
                    sample = ", ".join(str(i) for i in sorted(ids)[:10])
                    click.echo(f"  {label}: {sample}{' …' if len(ids) > 10 else ''}")
            if diff.ahead:
                click.echo(f"  {len(diff.ahead)} indexed versions are newer than the database (restored backup?): "
                           "run `flask search reindex` to rebuild from the database")
            if repair and diff.problems:
                report, remaining, rebuilt = reconcile.repair_fully(engine, diff)
                if report.unavailable:
                    click.echo(f"  search engine unavailable: {report.error}", err=True)
                    sys.exit(1)
                click.echo(f"  repaired: {report.indexed} re-sent, {report.deleted} deleted, {report.failed} failed"
                           + ("; versions left behind by the removed documents needed a rebuild of the index"
                              if rebuilt else ""))
                click.echo(f"  now: missing {len(remaining.missing)}, stale {len(remaining.stale)}, "
                           f"extra {len(remaining.extra)}")
                if remaining.problems:
                    problems_left = True
    except SearchUnavailable as exc:
        click.echo(f"search engine unavailable: {exc}", err=True)
        sys.exit(1)
    if (problems and not repair) or problems_left:
        sys.exit(2)


@search_cli.command("status")
def status_command() -> None:
    """Counts per kind (database vs index), outbox backlog and failures, engine health."""
    engine = get_engine()
    status = reconcile.status(engine)
    health = status["health"]
    click.echo(f"engine: {health.get('engine')} ({'ok' if health.get('ok') else 'DOWN: ' + str(health.get('error'))})")
    for kind, row in status["kinds"].items():
        click.echo(f"{kind:<13} database {row['database']:>8}  index {row['index'] if row['index'] is not None else '?':>8}"
                   f"  pending {row['pending']:>6}")
        if row["outdated_format"]:
            click.echo(f"  {row['live_index']}: built with index format {row['index_format']}, older than this "
                       "code's: scores differ until `flask search reindex`")
    outbox = status["outbox"]
    click.echo(f"outbox: {outbox['pending']} pending ({outbox['due']} due, {outbox['failing']} failing), "
               f"oldest pending {outbox['oldest_pending_age']}")
    for failure in outbox["recent_failures"]:
        click.echo(f"  {failure['kind']} {failure['record_id']} (attempts {failure['attempts']}): {failure['error']}")


def register(app: Flask) -> None:
    """Add ``flask search`` and start the background drain thread (``SEARCH_AUTO_DRAIN``)."""
    app.cli.add_command(search_cli)
    worker.install_auto_drain(app)
