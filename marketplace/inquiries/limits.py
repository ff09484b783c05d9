"""Rate limits against inquiry spam, per user, one bucket shared by the pages and the API: sending inquiries
(``INQUIRY_RATE_LIMIT``, default 20 per hour) and posting messages (``INQUIRY_MESSAGE_RATE_LIMIT``, 60 per hour).
Beyond them a request answers 429."""
from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..extensions import limiter


def _user_key() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address() or "anonymous"


def _send_limit() -> str:
    return current_app.config.get("INQUIRY_RATE_LIMIT", "20 per hour")


def _message_limit() -> str:
    return current_app.config.get("INQUIRY_MESSAGE_RATE_LIMIT", "60 per hour")


#: Sending an inquiry (POST only: the form itself is not limited).
send_limit = limiter.shared_limit(_send_limit, scope="inquiry-send", key_func=_user_key, methods=["POST"])
#: Posting a message in a thread.
message_limit = limiter.shared_limit(_message_limit, scope="inquiry-message", key_func=_user_key, methods=["POST"])
