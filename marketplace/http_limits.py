"""What a request may carry before the application looks at it: ids in paths and the length of the URL.

* Every ``<int:...>`` in a route is an :class:`IdConverter`: at most :data:`MAX_ID` (the largest value of an
  ``INTEGER`` column on PostgreSQL). A larger number names no record: the route does not match and the answer is 404,
  never an overflow in the database driver (500). The OpenAPI document states the bound (``maximum``).
* A URL (path and query) longer than :data:`MAX_URL_LENGTH` characters answers 414, from the application, so on
  ``/api/`` it is ``application/problem+json`` like every other error. gunicorn's own limit on the request line
  (``limit_request_line`` in gunicorn.conf.py) is set above it.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestURITooLarge
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
MAX_URL_LENGTH = 4096


class IdConverter(IntegerConverter):
    """``<int:name>`` with ``max`` :data:`MAX_ID` unless the route gives its own bounds."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def _url_length() -> None:
    uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    if len(uri) > MAX_URL_LENGTH:
        raise RequestURITooLarge(f"URL longer than {MAX_URL_LENGTH} characters")


def install(app: Flask) -> None:
    """Use :class:`IdConverter` for ``int`` (before any route is added) and refuse over-long URLs."""
    app.url_map.converters["int"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, _url_length)
