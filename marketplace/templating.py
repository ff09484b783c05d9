"""Template globals and filters: vocabulary labels, money, dates, the current language."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask, request, url_for
from flask_babel import get_locale

from . import taxonomy
from .web import context


def money(amount) -> str:
    """万元 amounts as users read them; None is 面议 (negotiable)."""
    if amount is None:
        return taxonomy.price_band_label("negotiable")
    value = float(amount)
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    english = get_locale() is not None and get_locale().language == "en"
    return f"¥{value * 10:,.0f}k" if english else f"{text} 万元"


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (value + timedelta(hours=8)).strftime(fmt)  # stored as UTC; users are in China (UTC+8)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def url_with(**changes) -> str:
    """The current URL with query arguments changed (None removes one); used by filters and pagination."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    context.register(app)
    app.jinja_env.globals.update(
        taxonomy=taxonomy,
        label=taxonomy.label,
        choices=taxonomy.choices,
        price_band_label=taxonomy.price_band_label,
        url_with=url_with,
        current_language=lambda: (get_locale().language if get_locale() else "zh"),
    )
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_time"] = local_time
