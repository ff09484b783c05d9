"""Rate limits against inquiry spam, per user, one bucket shared by the pages and the API: sending inquiries
(``INQUIRY_RATE_LIMIT``, default 20 per hour) and posting messages (``INQUIRY_MESSAGE_RATE_LIMIT``, 60 per hour).
Beyond them a request answers 429."""
from __future__ import annotations

from flask import current_app

from ..extensions import limiter, user_rate_key


def _send_limit() -> str:
    return current_app.config.get("INQUIRY_RATE_LIMIT", "20 per hour")


def _message_limit() -> str:
    return current_app.config.get("INQUIRY_MESSAGE_RATE_LIMIT", "60 per hour")


#: Sending an inquiry (POST only: the form itself is not limited).
send_limit = limiter.shared_limit(_send_limit, scope="inquiry-send", key_func=user_rate_key, methods=["POST"])
#: Posting a message in a thread.
message_limit = limiter.shared_limit(_message_limit, scope="inquiry-message", key_func=user_rate_key, methods=["POST"])
