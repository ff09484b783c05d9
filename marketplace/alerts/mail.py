"""Alert e-mail: sent through SMTP when ``MAIL_SERVER`` is configured, otherwise written to the log (development)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; True when it was handed to an SMTP server. Failures are logged, not raised:
    an alert that cannot be mailed is still in the user's notification list."""
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        current_app.logger.info("mail (not sent: MAIL_SERVER unset) to=%s subject=%s\n%s", to, subject, body)
        return False
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM", "noreply@techmarket.local")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT", 25)), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("mail to %s failed: %s", to, exc)
        return False
    return True
