"""The account e-mails queued for a user (the mail queue's rows of category "account"), read like a mailbox."""
from __future__ import annotations

import re
from dataclasses import dataclass

from marketplace.accounts.models import User
from marketplace.alerts.models import ACCOUNT_MAIL, MAIL_QUEUED, Notification
from marketplace.extensions import db


@dataclass
class Mail:
    id: int
    title: str
    body: str
    link: str | None
    queued: bool


def mails_to(app, email: str) -> list[Mail]:
    """Account e-mails queued for the user with address ``email``, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            db.select(Notification).join(User, User.id == Notification.user_id)
            .where(User.email == email, Notification.category == ACCOUNT_MAIL).order_by(Notification.id)).scalars()
        mails = [Mail(n.id, n.title, n.body or "", n.link, n.email_state == MAIL_QUEUED) for n in rows]
        db.session.rollback()
        return mails


def token_in(link: str, path: str) -> str:
    """The token of a link ``/<path>/<token>``."""
    match = re.fullmatch(rf"/{path}/([^/?#]+)", link or "")
    assert match, f"not a /{path}/ link: {link!r}"
    return match.group(1)
