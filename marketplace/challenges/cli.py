"""``flask challenges ...``: scheduled work of 揭榜挂帅 challenges.

    flask challenges flag-overdue [--today YYYY-MM-DD]   flag and notify the overdue milestones once

Importing :mod:`.overdue` also subscribes the overdue pass to the drain loops' tick (at most hourly)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ..extensions import db
from . import overdue

challenges_cli = AppGroup("challenges", help="揭榜挂帅 challenges: scheduled passes.")


@challenges_cli.command("flag-overdue")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Treat this date as today [default: today].")
def flag_overdue_command(today) -> None:
    """Flag the milestones past their due date (planned or returned) and notify the team and the issuer, once."""
    flagged = overdue.flag_overdue(today.date() if today is not None else None)
    db.session.commit()
    click.echo(f"{flagged} overdue milestones flagged and notified")


def register(app: Flask) -> None:
    app.cli.add_command(challenges_cli)
