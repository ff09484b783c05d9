"""Alert e-mail transport: SMTP when ``MAIL_SERVER`` is configured, otherwise the log (development).

Only the mail queue's sender (:mod:`marketplace.alerts.delivery`) uses this; requests never talk to SMTP.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Mapping

log = logging.getLogger(__name__)


class MailError(Exception):
    """A message was not delivered. ``permanent``: the server refused it for good (5xx for the recipient or the
    content), so trying again is pointless. ``connection``: the server could not be reached or dropped the
    session, so the other messages of the batch would fail the same way."""

    def __init__(self, message: str, *, permanent: bool = False, connection: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.connection = connection


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class Mailer:
    """Sends plain-text messages over one SMTP session (opened on the first message, closed by :meth:`close`),
    or writes them to the log when ``MAIL_SERVER`` is unset."""

    def __init__(self, config: Mapping):
        self.server = config.get("MAIL_SERVER")
        self.port = int(config.get("MAIL_PORT") or 25)
        self.sender = config.get("MAIL_FROM") or "noreply@techmarket.local"
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD") or ""
        self.timeout = float(config.get("MAIL_TIMEOUT") or 10)
        self._smtp: smtplib.SMTP | None = None

    @property
    def configured(self) -> bool:
        return bool(self.server)

    def send(self, to: str, subject: str, body: str) -> bool:
        """Deliver one message: True when an SMTP server accepted it, False when it was only logged (no server).
        Raises :class:`MailError`."""
        if not self.server:
            log.info("mail (not sent: MAIL_SERVER unset) to=%s subject=%s\n%s", to, subject, body)
            return False
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        smtp = self._connect()
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            raise MailError(_describe(exc), permanent=all(500 <= c < 600 for c in codes)) from exc
        except smtplib.SMTPDataError as exc:
            raise MailError(_describe(exc), permanent=500 <= exc.smtp_code < 600) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            raise MailError(_describe(exc), connection=True) from exc
        except smtplib.SMTPResponseException as exc:  # sender refused and the like: the configuration, not the message
            raise MailError(_describe(exc)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise MailError(_describe(exc), connection=True) from exc
        return True

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        smtp = None
        try:
            smtp = smtplib.SMTP(self.server, self.port, timeout=self.timeout)
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            if smtp is not None:
                smtp.close()
            raise MailError(f"cannot reach {self.server}:{self.port}: {_describe(exc)}", connection=True) from exc
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        """End the SMTP session (politely when the server still answers)."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()
