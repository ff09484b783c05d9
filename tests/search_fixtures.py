"""Search fixtures shared by tests/indexing and tests/search_pages: a fresh real engine per test, a real outage.

``search_engine``: an embedded (tantivy) engine in the test's own folder, installed as the app's engine.
``any_engine``: the same test against the embedded engine and a real OpenSearch node
(the session fixture ``opensearch_url`` of tests/conftest.py starts one with scripts/opensearch-node.sh, or uses
``OPENSEARCH_URL``). The OpenSearch variant is skipped without Java/Maven, unless ``REQUIRE_OPENSEARCH=1``.
``engine_down(app)``: swaps in an engine whose server refuses connections (a closed loopback port), so every call
fails the way a dead cluster does; leaving the block restores the previous engine.
"""
from __future__ import annotations

import contextlib
import socket
import uuid

import pytest

from marketplace.indexing.runtime import reset_engine
from search import create_engine

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


def _opensearch_engine(url: str):
    from search.opensearch import OpenSearchEngine

    prefix = f"t{uuid.uuid4().hex[:10]}"
    # refresh=wait_for: a bulk returns when its documents are searchable (what the embedded engine does)
    return OpenSearchEngine([url], prefix=prefix, refresh="wait_for"), prefix


@pytest.fixture
def search_engine(app, tmp_path):
    """A fresh embedded engine for this test, installed as the app's engine."""
    engine = create_engine(None, str(tmp_path))
    engine.ensure_indices()
    install_engine(app, engine)
    yield engine
    reset_engine(app)


@pytest.fixture(params=["embedded", "opensearch"])
def any_engine(request, app, tmp_path):
    """The embedded engine, then a real OpenSearch node (skipped when none runs, unless REQUIRE_OPENSEARCH=1)."""
    if request.param == "embedded":
        engine = create_engine(None, str(tmp_path))
        prefix = None
    else:
        engine, prefix = _opensearch_engine(request.getfixturevalue("opensearch_url"))
    engine.ensure_indices()
    install_engine(app, engine)
    yield engine
    if prefix:
        engine.t.request("DELETE", f"/{prefix}-*", ignore=(404,))
    reset_engine(app)
