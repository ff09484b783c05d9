"""``flask inquiries ...``: scheduled work of inquiries.

    flask inquiries flag-overdue   flag the inquiries unanswered for INQUIRY_OVERDUE_DAYS days, telling the broker once

Importing :mod:`.overdue` also subscribes the pass to the drain loops' tick (at most every INQUIRY_OVERDUE_INTERVAL
seconds)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ..extensions import db
from . import notifications  # noqa: F401  (connects the notification receiver: the broker is told)
from . import overdue

inquiries_cli = AppGroup("inquiries", help="Inquiries (意向/洽谈): scheduled passes.")


@inquiries_cli.command("flag-overdue")
def flag_overdue_command() -> None:
    """Flag the inquiries still unanswered after INQUIRY_OVERDUE_DAYS days and notify their brokers, once."""
    flagged = overdue.flag_overdue()
    db.session.commit()
    click.echo(f"{flagged} unanswered inquiries flagged to their brokers")


def register(app: Flask) -> None:
    app.cli.add_command(inquiries_cli)
