"""Home page and the workspace (我的工作台)."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy.orm import defer

from .. import taxonomy
from ..achievements.models import Achievement
from ..achievements.services import quality_progress
from ..demands.models import Demand
from ..extensions import db
from ..patents.models import Patent
from ..taxonomy import LISTING_STATUSES
from .browse import latest_published, published_count
from .formdata import translate_message
from .pagination import count_of, paginate

bp = Blueprint("main", __name__)

WORKSPACE_KINDS = {"achievements": Achievement, "patents": Patent, "demands": Demand}


@bp.get("/")
def home():
    """Counts, the newest published achievements and demands, and this year's quality-list progress."""
    counts = {
        "achievements": published_count(Achievement),
        "patents": published_count(Patent),
        "demands": published_count(Demand),
    }
    progress = quality_progress(date.today().year, current_app.config["QUALITY_TARGET_PER_YEAR"])
    return render_template("main/home.html", counts=counts, progress=progress,
                           achievements=latest_published(Achievement), demands=latest_published(Demand))


@bp.get("/workspace")
@login_required
def workspace():
    """The organisation's own records in every status, with reject reasons, newest change first."""
    kind = request.args.get("tab") if request.args.get("tab") in WORKSPACE_KINDS else "achievements"
    status = request.args.get("status") if request.args.get("status") in LISTING_STATUSES else None
    model = WORKSPACE_KINDS[kind]
    org_id = current_user.org_id
    if org_id is None:
        return render_template("main/workspace.html", kind=kind, status=status, page=None, tallies={})
    conditions = [model.org_id == org_id]
    if status:
        conditions.append(model.status == status)
    query = db.select(model).where(*conditions).order_by(model.updated_at.desc(), model.id.desc())
    if model is Achievement:
        query = query.options(defer(Achievement.description))
    page = paginate(query, count_of(model, *conditions))
    tallies = dict(db.session.execute(
        db.select(model.status, db.func.count()).where(model.org_id == org_id).group_by(model.status)).all())
    return render_template("main/workspace.html", kind=kind, status=status, page=page, tallies=tallies)


@bp.app_context_processor
def page_helpers() -> dict:
    """Helpers for the layout: the language switch link and, when installed, the search page's URL."""
    english = current_language_is_english()
    return {"colon": ": " if english else "：", "sep": ", " if english else "、", "lang_url": _lang_url,
            "search_url": _search_url(), "optional_url": _optional_url, "price_options": _price_options,
            "trl_choices": _trl_choices, "patent_choices": _patent_choices, "tr": translate_message}


def _trl_choices() -> list[tuple[str, str]]:
    """TRL 1–9 with the GB/T 22900 description of each level."""
    return [(str(level), f"TRL {level} — {taxonomy.label(taxonomy.TRL_LEVELS, level)}") for level in taxonomy.TRL_LEVELS]


def _patent_choices(patents) -> list[tuple[str, str]]:
    return [(str(patent.id), f"{patent.number}　{patent.title}") for patent in patents]


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
