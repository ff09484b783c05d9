"""Template globals and filters: vocabulary labels, money, dates, the current language."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request, url_for
from flask_babel import get_locale

from . import taxonomy, timeutil
from .web import context, pagination


def money(amount) -> str:
    """万元 amounts as users read them; None is 面议 (negotiable)."""
    if amount is None:
        return taxonomy.price_band_label("negotiable")
    value = float(amount)
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    english = get_locale() is not None and get_locale().language == "en"
    return f"¥{value * 10:,.0f}k" if english else f"{text} 万元"


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time in the one display zone (DISPLAY_TIMEZONE, :mod:`marketplace.timeutil`); dates as they are; ISO
    strings the application wrote (job and index stamps) read as times."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed = timeutil.parse_stamp(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, datetime):
        return timeutil.to_display(value).strftime(fmt)
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
    pagination.register(app)
    app.jinja_env.globals.update(
        taxonomy=taxonomy,
        label=taxonomy.label,
        choices=taxonomy.choices,
        filter_title=taxonomy.filter_title,
        price_band_label=taxonomy.price_band_label,
        url_with=url_with,
        current_language=lambda: (get_locale().language if get_locale() else "zh"),
    )
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_time"] = local_time
