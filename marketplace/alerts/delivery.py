"""The mail queue: alert and recommendation e-mails are delivered by a background sender, never in a request.

A notification that should be e-mailed is created with ``email_state = "queued"`` (in the transaction that
creates it, see :func:`marketplace.alerts.services.notify`). A sender delivers the due ones in batches:

* ``flask alerts deliver`` (one pass; ``--loop`` keeps going), and
* the drain loops that already run in the serving processes: the search drain thread of the web processes
  (``SEARCH_AUTO_DRAIN``) and ``flask search worker`` deliver on every tick (:data:`~marketplace.indexing.worker
  .drain_tick`, after the drain; ``MAIL_AUTO_DELIVER=0`` turns that off).

**Claiming.** A sender takes a batch with one conditional ``UPDATE … WHERE <due> … RETURNING id`` that moves the
rows out of "due" (``email_attempts + 1``, ``email_next_at = now + CLAIM_SECONDS``) and commits it before it
talks to SMTP. The database serialises competing UPDATEs of a row and checks the WHERE clause again against the
committed row (PostgreSQL row locks, with ``SKIP LOCKED`` so concurrent senders take different rows; SQLite's
single writer), so two senders never claim the same row — be they threads, processes, or machines that share no
lock file. The drain lock is not relied on: ``flask alerts deliver`` does not take it, and it only exists per
instance folder. A sender sends a claimed row only while its claim is comfortably valid (it gives the rest back
when its time budget or the claim runs out), so a slow sender cannot overlap with the next claimer either.

**Outcome.** Accepted by the server → "sent" (``emailed_at``); no ``MAIL_SERVER`` → "logged"; a failure → due
again after a back-off (``MAIL_RETRY_SECONDS`` x 2^(attempts-1), at most ``MAIL_RETRY_MAX_SECONDS``) with the
error kept; after ``MAIL_MAX_ATTEMPTS`` attempts, or a permanent refusal (5xx for the recipient or the content),
"failed". The notification itself always stays in the user's list. A sender that dies after claiming leaves its
rows to be claimed again once the claim runs out (the interrupted try counts as an attempt); one that dies after
the server accepted a message but before it recorded "sent" sends it again then — SMTP cannot be asked what it
already has, so across crashes delivery is at least once.

No transaction stays open while SMTP is talked to (on SQLite a reader would hold up every writer): rows are read
into plain values, and each outcome is written and committed on its own.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from ..accounts.models import User
from ..extensions import db
from ..indexing.worker import drain_tick
from ..timeutil import utcnow
from .mail import Mailer, MailError
from .messages import DEFAULT_LOCALE, N_, Message, locale_of, render_for
from .models import MAIL_FAILED, MAIL_LOGGED, MAIL_QUEUED, MAIL_SENT, MAIL_SKIPPED, Notification

log = logging.getLogger(__name__)

CLAIM_SECONDS = 900  # a claimed row is due again after this long if its sender never reported back
TICK_TIME_BUDGET = 5.0  # seconds of delivery per drain tick (the drain thread has the search to drain too)
ERROR_CHARS = 1000
SUBJECT_PREFIX = N_("【科技成果转化交易平台】")  # before every subject, in the recipient's language
SEE = N_("查看：%(link)s")  # the notification's page, after its text

_table = Notification.__table__


@dataclass
class DeliveryReport:
    """What one or more batches did."""

    claimed: int = 0
    sent: int = 0  # accepted by the SMTP server
    logged: int = 0  # no MAIL_SERVER: written to the log
    skipped: int = 0  # the user has no address or is inactive
    retrying: int = 0  # failed this time; due again after a back-off
    failed: int = 0  # given up
    released: int = 0  # claimed but not tried (time budget spent): due again at once
    unreachable: bool = False  # the SMTP server could not be reached (or dropped the session)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # distinct errors of this pass

    def add(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "logged", "skipped", "retrying", "failed", "released", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unreachable = self.unreachable or other.unreachable
        self.errors += [e for e in other.errors if e not in self.errors]


@dataclass
class _Mail:
    id: int
    attempts: int  # including the current (claimed) one
    to: str | None
    active: bool
    subject: str
    body: str


def settings() -> dict:
    config = current_app.config
    return {"max_attempts": max(1, int(config.get("MAIL_MAX_ATTEMPTS", 8))),
            "retry": float(config.get("MAIL_RETRY_SECONDS", 60)),
            "retry_max": float(config.get("MAIL_RETRY_MAX_SECONDS", 3600)),
            "batch_size": max(1, int(config.get("MAIL_BATCH_SIZE", 50))),
            "timeout": float(config.get("MAIL_TIMEOUT", 10))}


def retry_delay(attempts: int, base: float, cap: float) -> timedelta:
    """Wait before the try after failed attempt number ``attempts`` (1, 2, ...): base, 2 x base, 4 x base, ..."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _due(now: datetime):
    return and_(_table.c.email_state == MAIL_QUEUED,
                or_(_table.c.email_next_at.is_(None), _table.c.email_next_at <= now))


def compose(title: str, body: str | None, link: str | None, base_url: str, locale: str = DEFAULT_LOCALE
            ) -> tuple[str, str]:
    """Subject and text of a notification's mail, around its title and body (written in the recipient's language
    when it was created) in ``locale``, the recipient's; the link made absolute with the site's address
    (``PUBLIC_URL``)."""
    if link and base_url:
        link = urljoin(base_url.rstrip("/") + "/", link.lstrip("/"))
    see = Message(SEE, link=link) if link else None
    text = "\n\n".join(p for p in (title, body, render_for(see, locale)) if p)
    return render_for(Message(SUBJECT_PREFIX), locale) + title[:80], text


def claim(batch_size: int) -> list[int]:
    """Take up to ``batch_size`` due rows for this sender (committed). See the module docstring."""
    db.session.commit()  # the claim starts its own transaction (SQLite: no read snapshot to upgrade)
    now = utcnow()
    if db.session.execute(select(_table.c.id).where(_due(now)).limit(1)).first() is None:
        db.session.commit()  # nothing due: no write transaction at all (the drain thread asks every second)
        return []
    db.session.commit()
    due = select(_table.c.id).where(_due(now)).order_by(_table.c.email_next_at, _table.c.id).limit(batch_size)
    if db.engine.dialect.name == "postgresql":
        # lock the picked rows until the claim commits; concurrent senders skip them and pick others. (Not as a
        # subquery of the UPDATE: PostgreSQL may rescan it per row, and each rescan skips the rows this very
        # statement has already updated, so LIMIT would not hold.)
        picked = db.session.execute(due.with_for_update(skip_locked=True)).scalars().all()
        if not picked:
            db.session.commit()
            return []
        rows = _table.c.id.in_(picked)
    else:
        # SQLite: one statement under the database's single write lock; the IN list is computed once
        rows = _table.c.id.in_(due.scalar_subquery())
    claimed = db.session.execute(
        update(_table).where(rows, _due(now))
        .values(email_attempts=_table.c.email_attempts + 1, email_next_at=now + timedelta(seconds=CLAIM_SECONDS))
        .returning(_table.c.id)).scalars().all()
    db.session.commit()
    return sorted(claimed)


def _load(ids: list[int]) -> list[_Mail]:
    rows = db.session.execute(
        select(_table.c.id, _table.c.email_attempts, _table.c.title, _table.c.body, _table.c.link,
               User.email, User.active, User.locale)
        .select_from(_table).outerjoin(User, User.id == _table.c.user_id)
        .where(_table.c.id.in_(ids)).order_by(_table.c.id)).all()
    db.session.commit()
    mails = []
    for row in rows:
        subject, body = compose(row.title, row.body, row.link, current_app.config.get("PUBLIC_URL") or "",
                                locale_of(row))
        mails.append(_Mail(row.id, row.email_attempts, row.email, bool(row.active), subject, body))
    return mails


def _record(mail: _Mail, **values) -> None:
    """Write one outcome, only while the row is still this sender's claim (same state and attempt count)."""
    db.session.execute(update(_table).where(_table.c.id == mail.id, _table.c.email_state == MAIL_QUEUED,
                                            _table.c.email_attempts == mail.attempts).values(**values))
    db.session.commit()


def _failure(mail: _Mail, error: str, permanent: bool, config: dict, report: DeliveryReport) -> None:
    error = error[:ERROR_CHARS]
    if error not in report.errors:
        report.errors.append(error)
    if permanent or mail.attempts >= config["max_attempts"]:
        _record(mail, email_state=MAIL_FAILED, email_next_at=None, email_error=error)
        report.failed += 1
        log.warning("mail for notification %s given up after %s attempt(s): %s", mail.id, mail.attempts, error)
    else:
        _record(mail, email_next_at=utcnow() + retry_delay(mail.attempts, config["retry"], config["retry_max"]),
                email_error=error)
        report.retrying += 1


def deliver_batch(config: dict | None = None, deadline: float | None = None) -> DeliveryReport:
    """Claim one batch and deliver it over one SMTP session. ``deadline`` (``time.monotonic()``): messages not
    started by then are given back."""
    config = config or settings()
    report = DeliveryReport()
    started = time.monotonic()
    ids = claim(config["batch_size"])
    report.claimed = len(ids)
    if not ids:
        report.seconds = time.monotonic() - started
        return report
    # a message is only started while the claim has room for a slow session (connect, MAIL/RCPT, DATA)
    claim_deadline = started + CLAIM_SECONDS - 4 * config["timeout"]
    deadline = claim_deadline if deadline is None else min(deadline, claim_deadline)
    mailer = Mailer(current_app.config)
    unreachable: str | None = None  # the server could not be reached: the rest of the batch fails the same way
    try:
        for mail in _load(ids):
            if mail.attempts > config["max_attempts"]:  # its sender died during the last allowed attempt
                _failure(mail, "interrupted during the last attempt", True, config, report)
                continue
            if not mail.to or not mail.active:
                _record(mail, email_state=MAIL_SKIPPED, email_next_at=None)
                report.skipped += 1
                continue
            if unreachable is not None:
                _failure(mail, unreachable, False, config, report)
                continue
            if time.monotonic() >= deadline:
                _record(mail, email_attempts=mail.attempts - 1, email_next_at=utcnow())
                report.released += 1
                continue
            try:
                sent = mailer.send(mail.to, mail.subject, mail.body)
            except MailError as exc:
                if exc.connection:
                    unreachable, report.unreachable = str(exc), True
                _failure(mail, str(exc), exc.permanent, config, report)
                continue
            if sent:
                _record(mail, email_state=MAIL_SENT, email_next_at=None, email_error=None, emailed_at=utcnow())
                report.sent += 1
            else:
                _record(mail, email_state=MAIL_LOGGED, email_next_at=None)
                report.logged += 1
    finally:
        mailer.close()
        db.session.rollback()
    report.seconds = time.monotonic() - started
    return report


def deliver(time_budget: float | None = None, batch_size: int | None = None) -> DeliveryReport:
    """Batches until nothing is due, a batch could not reach the server, or ``time_budget`` seconds are spent."""
    config = settings()
    if batch_size:
        config["batch_size"] = batch_size
    total = DeliveryReport()
    started = time.monotonic()
    deadline = None if time_budget is None else started + time_budget
    while True:
        report = deliver_batch(config, deadline)
        total.add(report)
        if report.claimed < config["batch_size"] or report.released or report.unreachable:
            break
        if deadline is not None and time.monotonic() >= deadline:
            break
    total.seconds = time.monotonic() - started
    return total


def queue_status(recent: int = 10) -> dict:
    """The mail backlog: counts per state, how many queued rows are due now, the oldest queued, recent errors."""
    now = utcnow()
    counts = dict(db.session.execute(select(_table.c.email_state, func.count()).where(
        _table.c.email_state.is_not(None)).group_by(_table.c.email_state)).all())
    due = db.session.execute(select(func.count()).select_from(_table).where(_due(now))).scalar_one()
    retrying = db.session.execute(select(func.count()).select_from(_table).where(
        _table.c.email_state == MAIL_QUEUED, _table.c.email_error.is_not(None))).scalar_one()
    oldest = db.session.execute(select(func.min(_table.c.created_at)).where(
        _table.c.email_state == MAIL_QUEUED)).scalar_one()
    errors = db.session.execute(
        select(_table.c.id, _table.c.email_state, _table.c.email_attempts, _table.c.email_next_at,
               _table.c.email_error)
        .where(_table.c.email_error.is_not(None),
               or_(_table.c.email_state == MAIL_QUEUED, _table.c.email_state == MAIL_FAILED))
        .order_by(_table.c.id.desc()).limit(recent)).all()
    return {
        "queued": counts.get(MAIL_QUEUED, 0), "due": due, "retrying": retrying,
        "sent": counts.get(MAIL_SENT, 0), "logged": counts.get(MAIL_LOGGED, 0),
        "skipped": counts.get(MAIL_SKIPPED, 0), "failed": counts.get(MAIL_FAILED, 0),
        "oldest_queued_age": (now - oldest) if oldest else None,
        "recent_errors": [dict(id=r.id, state=r.email_state, attempts=r.email_attempts, next_at=r.email_next_at,
                               error=r.email_error) for r in errors],
    }


@drain_tick.connect
def _deliver_on_tick(app, **extra) -> None:
    """The drain loops' tick (in an app context): deliver what is due, for a few seconds at most."""
    if not app.config.get("MAIL_AUTO_DELIVER", True):
        return
    report = deliver(time_budget=TICK_TIME_BUDGET)
    if report.claimed:
        log.info("mail queue: %s sent, %s logged, %s skipped, %s to retry, %s given up, %s given back",
                 report.sent, report.logged, report.skipped, report.retrying, report.failed, report.released)
