"""Texts of notifications and e-mails, written in the recipient's language.

A notification is stored as text (the in-app list and the mail queue show it as it was written), so it is
composed when it is created, once per recipient, in that person's language (``User.locale``; Chinese when unset).
Callers therefore hand :func:`marketplace.alerts.services.notify` a :class:`Message` — a catalogue msgid (marked
with ``N_`` so that ``pybabel extract`` finds it) and its parameters — instead of a finished sentence; notify renders
it with :func:`render_for`. Parameters are user data (titles, names, reasons: kept as written), numbers, other
messages, :class:`Label` (a code of a ``code -> (中文, English)`` vocabulary) or :class:`Lines`; anything with a
``render()`` method is rendered in the same language."""
from __future__ import annotations

from typing import Any

from flask_babel import force_locale, gettext

from .. import taxonomy
from ..web.messages import N_  # noqa: F401  (re-exported: callers mark their msgids with it)

#: what a notification's title or body is given as: text (stored as written) or anything with ``render()``
Text = Any

DEFAULT_LOCALE = "zh"
LOCALES = ("zh", "en")


class Message:
    """A catalogue msgid with ``%(name)s`` parameters, translated when rendered."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: Any):
        self.msgid = msgid
        self.params = params

    def render(self) -> str:
        """The text in the current locale (see :func:`render_for`)."""
        return gettext(self.msgid, **{name: render(value) for name, value in self.params.items()})

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r})"


class Label:
    """The label of ``code`` in a ``code -> (中文, English)`` vocabulary (marketplace.taxonomy, deals.vocabularies)."""

    __slots__ = ("vocabulary", "code")

    def __init__(self, vocabulary: dict, code):
        self.vocabulary = vocabulary
        self.code = code

    def render(self) -> str:
        return taxonomy.label(self.vocabulary, self.code)


class Lines:
    """Parts (messages or text; None and empty ones left out) joined with ``separator``."""

    __slots__ = ("parts", "separator")

    def __init__(self, *parts: Any, separator: str = "\n"):
        self.parts = parts
        self.separator = separator

    def render(self) -> str:
        return self.separator.join(text for text in (render(part) for part in self.parts) if text)


def render(value: Any) -> Any:
    """``value`` as text in the current locale: messages, labels and lines rendered; anything else as it is."""
    return value.render() if hasattr(value, "render") else value


def locale_of(user) -> str:
    """The language ``user`` reads (Chinese unless they chose English)."""
    locale = getattr(user, "locale", None)
    return locale if locale in LOCALES else DEFAULT_LOCALE


def render_for(value: Any, locale: str) -> Any:
    """``value`` (a message, a label, lines, text or None) in ``locale``."""
    if not hasattr(value, "render"):
        return value
    with force_locale(locale):
        return value.render()
