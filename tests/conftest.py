"""Shared fixtures: an application on a real database (SQLite file by default, PostgreSQL when TEST_DATABASE_URL
is set), migrated with the project's Alembic migrations, emptied after every test.

Markers (registered in pytest.ini) are set here at collection: ``opensearch`` / ``elasticsearch`` on every test
that needs a real node, ``browser`` on tests/browser, ``slow`` on :data:`SLOW_TESTS`. ``make test-fast`` leaves
all four out."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
NODE_SCRIPT = REPO / "scripts" / "opensearch-node.sh"
# The semantic rerank (on by default) embeds records on the drain loops' tick at ~150 ms each: off for the suite
# (this process's apps and the servers and commands it starts); tests/matching/test_semantic.py switches it on.
os.environ.setdefault("MATCH_SEMANTIC", "0")
ES_NODE_SCRIPT = REPO / "scripts" / "elasticsearch-node.sh"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    database_url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance / 'test.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "RATELIMIT_ENABLED": False,
        "SEARCH_AUTO_DRAIN": False,
        "SERVER_NAME": "localhost.test",
    })
    with app.app_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(REPO / "migrations"))
    yield app
    with app.app_context():  # close pooled connections before the interpreter exits (psycopg warns otherwise)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_database(request, app):
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def ctx(app):
    """An application context for service-level tests."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# -- real OpenSearch and Elasticsearch nodes, shared by every test that needs one (tests/search, tests/indexing, ...)

def _cluster_node(script: Path, name: str, tools: tuple[str, ...], needs: str):
    """The URL of a live node of ``name`` ("OpenSearch" or "Elasticsearch"): ``<NAME>_URL`` when set, else one
    started with ``script`` (and stopped at the end unless it was already running). Without the tools it skips,
    or fails under ``REQUIRE_<NAME>=1`` (CI)."""
    env = name.upper()

    def unavailable(reason: str):
        if os.environ.get(f"REQUIRE_{env}") == "1":
            pytest.fail(f"{name} required (REQUIRE_{env}=1) but unavailable: {reason}")
        pytest.skip(f"{name} tests skipped: {reason} (set {env}_URL, or install {needs})")

    if os.environ.get(f"{env}_URL"):
        yield os.environ[f"{env}_URL"].rstrip("/")
        return
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        unavailable(f"{', '.join(missing)} not found")
    was_running = subprocess.run([str(script), "status"], capture_output=True, text=True).returncode == 0
    started = subprocess.run([str(script), "start"], capture_output=True, text=True, timeout=900)
    if started.returncode != 0:
        unavailable(f"scripts/{script.name} start failed: {started.stderr[-2000:]}")
    yield started.stdout.strip().splitlines()[-1]
    if not was_running:
        subprocess.run([str(script), "stop"], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def opensearch_url():
    """URL of a live OpenSearch node (scripts/opensearch-node.sh: Java 17+, Maven)."""
    yield from _cluster_node(NODE_SCRIPT, "OpenSearch", ("java", "mvn", "curl"), "Java 17 + Maven")


@pytest.fixture(scope="session")
def elasticsearch_url():
    """URL of a live Elasticsearch 9 node (scripts/elasticsearch-node.sh: a JDK 21+, Maven)."""
    yield from _cluster_node(ES_NODE_SCRIPT, "Elasticsearch", ("mvn", "curl"), "a JDK 21+ and Maven")


# -- markers ---------------------------------------------------------------------------------------------------

# Tests taking more than about 10 s on their own (``--durations``), marked ``slow``: node id without parameters ->
# why. Keep it short: a test that is slow by accident should rather be made fast.
SLOW_TESTS: dict[str, str] = {
    "tests/search/test_embedded.py::test_searches_never_fail_while_generations_are_swapped":
        "swaps the embedded index's generations back and forth under concurrent searches (13.5 s)",
}

CLUSTER_MARKERS = {"opensearch_url": "opensearch", "elasticsearch_url": "elasticsearch"}
BROWSER_TESTS = REPO / "tests" / "browser"


def _engine_params(item) -> set[str]:
    """Node names chosen by the parameter of a parametrised fixture of ``item`` ("opensearch", "elasticsearch").
    Engine fixtures parametrised over engine names (``engine`` in tests/search/conftest.py, ``any_engine`` in
    tests/search_fixtures.py) reach the node fixture through ``request.getfixturevalue``, so it is not in
    ``item.fixturenames``; their parameter names the node. Parameters given by ``@pytest.mark.parametrize`` (such
    as a scheme tested without a node) do not count: only fixtures declared with ``params=`` do."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return set()
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    found = set()
    for name, value in callspec.params.items():
        defs = definitions.get(name) or ()
        if defs and defs[-1].params is not None and f"{value}_url" in CLUSTER_MARKERS:
            found.add(CLUSTER_MARKERS[f"{value}_url"])
    return found


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = {CLUSTER_MARKERS[f] for f in item.fixturenames if f in CLUSTER_MARKERS} | _engine_params(item)
        for name in sorted(names):
            item.add_marker(name)
        if BROWSER_TESTS in item.path.parents:
            item.add_marker("browser")
        if item.nodeid.split("[", 1)[0] in SLOW_TESTS:
            item.add_marker("slow")
