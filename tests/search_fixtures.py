"""Search fixtures shared by tests/indexing and tests/search_pages: a fresh real engine per test, a real outage.

``search_engine``: an embedded (tantivy) engine in the test's own folder, installed as the app's engine.
``any_engine``: the same test against the embedded engine, a real OpenSearch node and a real Elasticsearch node
(the session fixtures ``opensearch_url`` and ``elasticsearch_url`` of tests/conftest.py start them with
scripts/opensearch-node.sh and scripts/elasticsearch-node.sh, or use ``OPENSEARCH_URL`` / ``ELASTICSEARCH_URL``).
A cluster variant is skipped without Java/Maven, unless ``REQUIRE_OPENSEARCH=1`` / ``REQUIRE_ELASTICSEARCH=1``.
The Elasticsearch test node has no percolator (see :class:`ElasticsearchTestEngine`).
``engine_down(app)``: swaps in an engine whose server refuses connections (a closed loopback port), so every call
fails the way a dead cluster does; leaving the block restores the previous engine.
"""
from __future__ import annotations

import contextlib
import socket
import uuid

import pytest

from marketplace.indexing.runtime import reset_engine
from search import create_engine, parse_search_url
from search.elasticsearch import ElasticsearchEngine
from search.opensearch import OpenSearchEngine

def install_engine(app, engine) -> None:
    """Make ``engine`` the app's engine (what ``get_engine`` returns)."""
    reset_engine(app)
    app.extensions["search_engine"] = engine


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def engine_down(app):
    """The app's engine is unreachable inside the block (real connection refusals)."""
    previous = app.extensions.get("search_engine")
    down = create_engine(f"opensearch://127.0.0.1:{closed_port()}?prefix=down", app.instance_path)
    app.extensions["search_engine"] = down
    try:
        yield down
    finally:
        down.close()
        if previous is not None:
            app.extensions["search_engine"] = previous
        else:
            app.extensions.pop("search_engine", None)


PERCOLATOR_MISSING = ("saved queries need the percolator module, which Elasticsearch does not publish to Maven "
                      "Central for 9.x, so the Elasticsearch test node (scripts/elasticsearch-node.sh) has none")


class ElasticsearchTestEngine(ElasticsearchEngine):
    """The Elasticsearch engine against the test node, which lacks the percolator mapper type: no saved-query
    indices are created, and a test that stores a saved query is skipped there (:data:`PERCOLATOR_MISSING`).
    Percolating finds nothing, which is exact: no saved query can have been stored under the test's prefix."""

    def _ensure_queries_index(self, kind: str) -> None:
        pass

    def save_query(self, query) -> None:
        pytest.skip(PERCOLATOR_MISSING)

    def percolate(self, document) -> list[int]:
        return []


def cluster_test_engine(flavour: str, url: str, prefix: str):
    """An engine of ``flavour`` ("opensearch" or "elasticsearch") on the node at ``url`` (http or https) under
    ``prefix``; every write waits until it is searchable (``refresh=wait_for``, what the embedded engine does)."""
    options = parse_search_url(f"{flavour}{'+https' if url.startswith('https:') else ''}://{url.split('://', 1)[1]}")
    cls = OpenSearchEngine if flavour == "opensearch" else ElasticsearchTestEngine
    return cls(options["hosts"], prefix=prefix, auth=options["auth"], verify=options["verify"], refresh="wait_for")


def create_format_1_index(engine, kind: str) -> str:
    """Create ``kind``'s live index the way the code before :data:`search.dsl.INDEX_FORMAT` 2 did (no ``_meta``, no
    empty-field mark), under the engine's alias; returns its name."""
    from search import dsl

    mappings = dsl.kind_mappings(kind)
    mappings.pop("_meta")
    settings = dsl.index_settings()
    settings["analysis"].pop("char_filter")
    settings["analysis"]["analyzer"][dsl.TOKENS_ANALYZER].pop("char_filter")
    name = f"{engine.alias(kind)}-v1"
    engine.t.request("PUT", f"/{name}", {"settings": settings, "mappings": mappings, "aliases": {engine.alias(kind): {}}})
    return name


def drop_test_indices(engine) -> None:
    """Delete every index under the engine's prefix, by name (Elasticsearch refuses wildcard deletes by default:
    ``action.destructive_requires_name``)."""
    _, found = engine.t.request("GET", f"/{engine.prefix}-*", params={"expand_wildcards": "all"}, ignore=(404,))
    names = sorted(name for name in (found or {}) if name.startswith(f"{engine.prefix}-"))
    if names:
        engine.t.request("DELETE", "/" + ",".join(names), ignore=(404,))


@pytest.fixture
def search_engine(app, tmp_path):
    """A fresh embedded engine for this test, installed as the app's engine."""
    engine = create_engine(None, str(tmp_path))
    engine.ensure_indices()
    install_engine(app, engine)
    yield engine
    reset_engine(app)


@pytest.fixture(params=["embedded", "opensearch", "elasticsearch"])
def any_engine(request, app, tmp_path):
    """The embedded engine, then a real OpenSearch node, then a real Elasticsearch node (a cluster variant is
    skipped when its node cannot run, unless REQUIRE_OPENSEARCH=1 / REQUIRE_ELASTICSEARCH=1)."""
    if request.param == "embedded":
        engine = create_engine(None, str(tmp_path))
        prefix = None
    else:
        prefix = f"t{uuid.uuid4().hex[:10]}"
        engine = cluster_test_engine(request.param, request.getfixturevalue(f"{request.param}_url"), prefix)
    engine.ensure_indices()
    install_engine(app, engine)
    yield engine
    if prefix:
        drop_test_indices(engine)
    reset_engine(app)
