"""The application's search engine: one instance per app, chosen by SEARCH_URL (unset → embedded tantivy)."""
from __future__ import annotations

from flask import current_app

from search import create_engine
from search.engine import SearchEngine


def get_engine(app=None) -> SearchEngine:
    """The engine of ``app`` (default: the current app), created on first use."""
    app = app or current_app._get_current_object()
    engine = app.extensions.get("search_engine")
    if engine is None:
        engine = create_engine(app.config.get("SEARCH_URL"), app.instance_path)
        app.extensions["search_engine"] = engine
    return engine


def reset_engine(app=None) -> None:
    """Close and forget the engine (tests, and after SEARCH_URL changes)."""
    app = app or current_app._get_current_object()
    engine = app.extensions.pop("search_engine", None)
    if engine is not None:
        engine.close()
