"""``flask alerts ...``: the mail queue of alert and recommendation e-mails.

    flask alerts deliver            deliver every due queued e-mail once, then exit
    flask alerts deliver --loop     keep delivering until SIGTERM/SIGINT (a foreground mail worker)
    flask alerts status             the mail backlog: queued, due, retrying, sent, failed, recent errors
"""
from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..extensions import db
from ..shutdown import stop_requested
from . import delivery

alerts_cli = AppGroup("alerts", help="Alerts: the mail queue of notification e-mails.")


def _print_report(report: delivery.DeliveryReport) -> None:
    click.echo(f"claimed {report.claimed}: {report.sent} sent, {report.logged} logged (no MAIL_SERVER), "
               f"{report.skipped} skipped, {report.retrying} to retry, {report.failed} given up, "
               f"{report.released} given back in {report.seconds:.2f}s")
    for error in report.errors[:10]:
        click.echo(f"  error: {error}", err=True)


@alerts_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until SIGTERM/SIGINT.")
@click.option("--tick", default=1.0, show_default=True, help="Seconds between idle passes (with --loop).")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=None,
              help="Messages per claim and SMTP session [default: MAIL_BATCH_SIZE].")
def deliver_command(loop: bool, tick: float, batch_size: int | None) -> None:
    """Deliver the due e-mails of the mail queue. Safe next to other senders (rows are claimed atomically).
    Without --loop: exits 1 when some message failed this time."""
    app = current_app._get_current_object()
    if not loop:
        report = delivery.deliver(batch_size=batch_size)
        _print_report(report)
        db.session.remove()
        if report.retrying or report.failed:
            sys.exit(1)
        return
    click.echo(f"mail sender started (pid {os.getpid()}, "
               f"{'MAIL_SERVER ' + app.config['MAIL_SERVER'] if app.config.get('MAIL_SERVER') else 'no MAIL_SERVER: logging'})")
    def report(r: delivery.DeliveryReport) -> None:
        if r.claimed:
            _print_report(r)

    run_loop(app, tick=tick, batch_size=batch_size, on_report=report)
    click.echo("mail sender stopped")


def run_loop(app: Flask, tick: float = 1.0, batch_size: int | None = None, on_report=None) -> None:
    """Deliver, sleep ``tick`` (longer while the server is unreachable), repeat until SIGTERM/SIGINT; the
    current batch is finished first."""
    delay = tick
    with stop_requested() as stop:
        while not stop.is_set():
            with app.app_context():
                try:
                    report = delivery.deliver(time_budget=30.0, batch_size=batch_size)
                except Exception:  # the database may be away for a moment: log, wait, try again
                    app.logger.exception("mail delivery pass failed")
                    report = None
                finally:
                    db.session.remove()
            if report is not None and on_report:
                on_report(report)
            if report is None or report.unreachable:
                delay = min(60.0, max(tick, delay * 2))
            elif report.claimed:
                delay = 0.0  # more may be due (time budget spent): look again at once
            else:
                delay = tick
            stop.wait(delay)


@alerts_cli.command("status")
def status_command() -> None:
    """The mail backlog and recent delivery errors."""
    config = current_app.config
    status = delivery.queue_status()
    server = config.get("MAIL_SERVER")
    click.echo(f"mail server: {server + ':' + str(config.get('MAIL_PORT')) if server else 'none (mail is logged)'}"
               f"; delivered by {'the drain loops and ' if config.get('MAIL_AUTO_DELIVER', True) else ''}"
               "`flask alerts deliver`")
    age = status["oldest_queued_age"]
    click.echo(f"queued: {status['queued']} ({status['due']} due, {status['retrying']} retrying), "
               f"oldest queued {str(age).split('.')[0] if age is not None else '-'}")
    click.echo(f"sent {status['sent']}, logged {status['logged']}, skipped {status['skipped']}, "
               f"failed (given up) {status['failed']}")
    for row in status["recent_errors"]:
        when = f", next try {row['next_at']:%Y-%m-%d %H:%M:%S} UTC" if row["state"] == "queued" and row["next_at"] else ""
        click.echo(f"  notification {row['id']} {row['state']} (attempts {row['attempts']}{when}): {row['error']}")


def register(app: Flask) -> None:
    """Add ``flask alerts``; importing :mod:`.delivery` subscribes the mail sender to the drain loops' tick."""
    app.cli.add_command(alerts_cli)
