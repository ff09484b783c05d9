"""What every page's layout needs: the language switch link, list separators, choice lists, optional links."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale

from .. import taxonomy
from .forms import translate_message


def register(app: Flask) -> None:
    app.context_processor(page_helpers)


def page_helpers() -> dict:
    """Helpers for the layout: the language switch link and, when installed, the search page's URL."""
    english = current_language_is_english()
    return {"colon": ": " if english else "：", "sep": list_separator(), "lang_url": _lang_url,
            "search_url": _search_url(), "optional_url": _optional_url, "price_options": _price_options,
            "trl_choices": _trl_choices, "patent_choices": _patent_choices, "tr": translate_message}


def _trl_choices() -> list[tuple[str, str]]:
    """TRL 1–9 with the GB/T 22900 description of each level."""
    return [(str(level), f"TRL {level} — {taxonomy.label(taxonomy.TRL_LEVELS, level)}") for level in taxonomy.TRL_LEVELS]


def _patent_choices(patents) -> list[tuple[str, str]]:
    """Each patent as its number and title, apart by an ideographic space in Chinese and a dash in English."""
    gap = " — " if current_language_is_english() else "\u3000"
    return [(str(patent.id), f"{patent.number}{gap}{patent.title}") for patent in patents]


def list_separator() -> str:
    """How the interface joins a list of values: 、 in Chinese, ", " in English (also what list inputs accept)."""
    return ", " if current_language_is_english() else "、"


def current_language_is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def _price_options() -> list[tuple[str, str]]:
    """Price/budget band choices for filters, 面议 last."""
    codes = [band[0] for band in taxonomy.PRICE_BANDS] + ["negotiable"]
    return [(code, taxonomy.price_band_label(code)) for code in codes]


def _lang_url(code: str) -> str:
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)


def _optional_url(endpoint: str, **values) -> str | None:
    """The URL of ``endpoint`` when its module is registered (links to optional features), else None."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return None


def _search_url() -> str | None:
    # The faceted search pages are a separate module; link to them only when they are registered.
    for endpoint in ("search_pages.index", "search_pages.search", "search.index"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return None
