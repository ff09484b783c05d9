"""/admin/search: engine status, dictionary editing and reindexing for platform admins (404 for everyone else)."""
from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from search import analysis
from search.engine import SearchUnavailable

from .. import kinds
from ..errors import NotFound
from ..permissions import can_administer_search
from ..extensions import db
from ..indexing import reconcile
from ..indexing.documents import KINDS
from ..indexing.runtime import get_engine
from . import dictionaries

bp = Blueprint("search_admin", __name__, url_prefix="/admin/search")


@bp.before_app_request
def _pick_up_dictionary_changes() -> None:
    """Another worker (or the CLI) may have saved the dictionaries: reload them (a stat at most once a second)."""
    dictionaries.refresh_if_changed(current_app._get_current_object())


@bp.before_request
def _admins_only() -> None:
    # 404 rather than 403: the page's existence is not advertised to non-admins.
    if not can_administer_search(current_user):
        raise NotFound()


def _status() -> dict:
    engine = get_engine()
    try:
        status = reconcile.status(engine)
    except SearchUnavailable as exc:  # status() tolerates a dead engine; be safe with other engines
        db.session.rollback()
        status = {"health": {"ok": False, "engine": engine.name, "error": str(exc)}, "kinds": {}, "outbox": None}
    health = status["health"]
    current = analysis.fingerprint()
    recorded = dictionaries.index_fingerprints()
    built_with = {}
    for kind in KINDS:
        reported = (health.get("kinds") or {}).get(kind, {}) if isinstance(health.get("kinds"), dict) else {}
        fingerprint = (reported.get("analysis") if isinstance(reported, dict) else None) \
            or health.get("index_analysis") or (recorded.get(kind) or {}).get("fingerprint")
        outdated = (status["kinds"].get(kind) or {}).get("outdated_format", False)
        built_with[kind] = {"fingerprint": fingerprint, "at": (recorded.get(kind) or {}).get("at"),
                            "stale": (fingerprint is not None and fingerprint != current) or outdated,
                            "outdated_format": outdated}
    return {**status, "fingerprint": current, "engine_fingerprint": health.get("analysis"), "built_with": built_with,
            "needs_reindex": any(row["stale"] for row in built_with.values()),
            "outdated_format": any(row["outdated_format"] for row in built_with.values())}


def _page(synonyms_text: str | None = None, words_text: str | None = None, errors: dict | None = None,
          status: int = 200):
    app = current_app._get_current_object()
    return render_template(
        "search_admin/index.html", info=_status(), kinds=KINDS, errors=errors or {},
        kind_labels={name: _(kinds.get(name).label) for name in KINDS},
        synonyms_text=dictionaries.editable_lines(dictionaries.synonyms_path(app)) if synonyms_text is None
        else synonyms_text,
        words_text=dictionaries.editable_lines(dictionaries.user_dict_path(app)) if words_text is None else words_text,
        builtin_synonyms=dictionaries.editable_lines(analysis.BUILTIN_SYNONYMS),
        builtin_words=dictionaries.editable_lines(analysis.BUILTIN_USER_DICT),
        limits={"chars": dictionaries.MAX_FILE_CHARS, "lines": dictionaries.MAX_LINES,
                "terms": dictionaries.MAX_TERMS_PER_GROUP, "term_chars": dictionaries.MAX_TERM_CHARS},
    ), status


@bp.get("")
def index():
    return _page()


@bp.post("/dictionaries")
def save_dictionaries():
    """Validate both fields first; save only when both are valid (one consistent change)."""
    app = current_app._get_current_object()
    synonyms_text = request.form.get("synonyms", "")
    words_text = request.form.get("words", "")
    synonyms = dictionaries.parse_synonyms(synonyms_text)
    words = dictionaries.parse_words(words_text)
    errors = {name: parsed.errors for name, parsed in (("synonyms", synonyms), ("words", words)) if parsed.errors}
    if errors:
        return _page(synonyms_text, words_text, errors, 422)
    before, after = dictionaries.save(app, synonyms=synonyms, words=words)
    if after == before:
        flash(_("词典已保存，内容没有变化"), "success")
    else:
        flash(_("词典已保存并已生效于新的搜索；已入库的文档要重建索引后才会按新词典匹配"), "success")
    return redirect(url_for(".index"))


@bp.post("/reindex")
def reindex():
    """Rebuild every kind's index from the database (synchronous: fine for demo-size data)."""
    engine = get_engine()
    started = time.perf_counter()
    counts = {}
    try:
        engine.ensure_indices()
        for kind in KINDS:
            count, _replayed = reconcile.rebuild_kind(engine, kind)
            counts[kind] = count
    except SearchUnavailable:
        db.session.rollback()
        flash(_("搜索服务不可用，索引未重建，请稍后再试"), "error")
        return redirect(url_for(".index"))
    seconds = time.perf_counter() - started
    flash(_("索引已重建：共 %(count)s 条文档，用时 %(seconds)s 秒", count=sum(counts.values()),
            seconds=f"{seconds:.1f}"), "success")
    return redirect(url_for(".index"))
