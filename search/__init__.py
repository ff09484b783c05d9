"""The search engine layer: one interface (:class:`SearchEngine`), three engines, shared Chinese analysis.

The application builds its engine once from ``SEARCH_URL``::

    from search import create_engine
    engine = create_engine(app.config.get("SEARCH_URL"), app.instance_path)

- ``None`` / ``""``                     → :class:`EmbeddedEngine` in ``<instance_path>/search-index``
- ``opensearch://host:port``            → OpenSearch over http; ``opensearch+https://`` for TLS
- ``elasticsearch://host:port``, ``http(s)://host:port`` → Elasticsearch
- cluster URLs may carry credentials (``user:pass@``), ``?prefix=market`` (index name prefix) and
  ``?refresh=wait_for``.

This package never imports the application.
"""
from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

from .documents import MalformedDocument
from .engine import (BulkResult, Deletion, Document, Hit, ItemResult, SavedQuery, SearchEngine, SearchQuery,
                     SearchResult, SearchUnavailable, WeightedTerm)
from .embedded_store import WriterBusy

__all__ = [
    "BulkResult", "Deletion", "Document", "Hit", "ItemResult", "MalformedDocument", "SavedQuery", "SearchEngine",
    "SearchQuery", "SearchResult", "SearchUnavailable", "WeightedTerm", "WriterBusy", "create_engine",
    "parse_search_url",
]


def parse_search_url(search_url: str) -> dict:
    """Split a cluster URL into ``{"flavour", "hosts", "prefix", "auth", "verify", "refresh"}``.

    ``?refresh=wait_for`` makes every bulk wait until its writes are searchable (tests; slower indexing)."""
    parts = urlsplit(search_url)
    scheme = parts.scheme.lower()
    if scheme in ("opensearch", "opensearch+http"):
        flavour, http_scheme = "opensearch", "http"
    elif scheme == "opensearch+https":
        flavour, http_scheme = "opensearch", "https"
    elif scheme in ("elasticsearch", "elasticsearch+http", "http"):
        flavour, http_scheme = "elasticsearch", "http"
    elif scheme in ("elasticsearch+https", "https"):
        flavour, http_scheme = "elasticsearch", "https"
    else:
        raise ValueError(f"unsupported SEARCH_URL scheme {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("SEARCH_URL has no host")
    query = parse_qs(parts.query)
    port = parts.port or 9200
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return {
        "flavour": flavour,
        "hosts": [f"{http_scheme}://{host}:{port}"],
        "prefix": (query.get("prefix") or ["market"])[0],
        "auth": (parts.username, parts.password or "") if parts.username else None,
        "verify": (query.get("verify") or ["true"])[0].lower() not in ("0", "false", "no"),
        "refresh": (query.get("refresh") or [""])[0] or False,
    }


def create_engine(search_url: str | None, instance_path: str) -> SearchEngine:
    """The engine for ``SEARCH_URL`` (see the module docstring); raises ValueError for an unsupported URL."""
    if not search_url:
        from .embedded import EmbeddedEngine

        return EmbeddedEngine(os.path.join(instance_path, "search-index"))
    options = parse_search_url(search_url)
    if options["flavour"] == "opensearch":
        from .opensearch import OpenSearchEngine

        return OpenSearchEngine(options["hosts"], prefix=options["prefix"], auth=options["auth"],
                                verify=options["verify"], refresh=options["refresh"])
    from .elasticsearch import ElasticsearchEngine

    return ElasticsearchEngine(options["hosts"], prefix=options["prefix"], auth=options["auth"],
                               verify=options["verify"], refresh=options["refresh"])
