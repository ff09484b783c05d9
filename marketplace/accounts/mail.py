"""Account e-mails (password reset, address verification): queued on the mail queue like every e-mail of the
platform (:mod:`marketplace.alerts.delivery` sends them in the background, with retries), but never listed among
the user's in-app notifications — their links must reach the mailbox, not a signed-in session."""
from __future__ import annotations

from ..alerts.models import ACCOUNT_MAIL
from ..alerts.messages import Text
from ..alerts.services import notify


def send(user, title: Text, body: Text, link: str | None = None) -> None:
    """Queue an e-mail to ``user`` (part of the caller's transaction), written in their language (``title`` and
    ``body``: messages, see :mod:`marketplace.alerts.messages`). ``link``: a site path, made absolute with
    ``PUBLIC_URL`` by the sender."""
    notify(user.id, ACCOUNT_MAIL, title, body=body, link=link, email=True)
