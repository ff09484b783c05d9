"""Shared fixtures: an application on a real database (SQLite file by default, PostgreSQL when TEST_DATABASE_URL
is set), migrated with the project's Alembic migrations, emptied after every test."""
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


# -- a real OpenSearch node, shared by every test that needs one (tests/search, tests/indexing, ...) ----------

def _unavailable(reason: str):
    if os.environ.get("REQUIRE_OPENSEARCH") == "1":
        pytest.fail(f"OpenSearch required (REQUIRE_OPENSEARCH=1) but unavailable: {reason}")
    pytest.skip(f"OpenSearch tests skipped: {reason} (set OPENSEARCH_URL, or install Java 17 + Maven)")


@pytest.fixture(scope="session")
def opensearch_url():
    """URL of a live OpenSearch node; started (and stopped at the end) by this fixture when needed."""
    if os.environ.get("OPENSEARCH_URL"):
        yield os.environ["OPENSEARCH_URL"].rstrip("/")
        return
    missing = [tool for tool in ("java", "mvn", "curl") if shutil.which(tool) is None]
    if missing:
        _unavailable(f"{', '.join(missing)} not found")
    was_running = subprocess.run([str(NODE_SCRIPT), "status"], capture_output=True, text=True).returncode == 0
    started = subprocess.run([str(NODE_SCRIPT), "start"], capture_output=True, text=True, timeout=900)
    if started.returncode != 0:
        _unavailable(f"scripts/opensearch-node.sh start failed: {started.stderr[-2000:]}")
    yield started.stdout.strip().splitlines()[-1]
    if not was_running:
        subprocess.run([str(NODE_SCRIPT), "stop"], capture_output=True, timeout=120)


# -- a real Elasticsearch 9 node (scripts/elasticsearch-node.sh: Java 21+, Maven), the same way ------------------

def _elasticsearch_unavailable(reason: str):
    if os.environ.get("REQUIRE_ELASTICSEARCH") == "1":
        pytest.fail(f"Elasticsearch required (REQUIRE_ELASTICSEARCH=1) but unavailable: {reason}")
    pytest.skip(f"Elasticsearch tests skipped: {reason} (set ELASTICSEARCH_URL, or install a JDK 21+ and Maven)")


@pytest.fixture(scope="session")
def elasticsearch_url():
    """URL of a live Elasticsearch node; started (and stopped at the end) by this fixture when needed."""
    if os.environ.get("ELASTICSEARCH_URL"):
        yield os.environ["ELASTICSEARCH_URL"].rstrip("/")
        return
    missing = [tool for tool in ("mvn", "curl") if shutil.which(tool) is None]
    if missing:
        _elasticsearch_unavailable(f"{', '.join(missing)} not found")
    was_running = subprocess.run([str(ES_NODE_SCRIPT), "status"], capture_output=True, text=True).returncode == 0
    started = subprocess.run([str(ES_NODE_SCRIPT), "start"], capture_output=True, text=True, timeout=900)
    if started.returncode != 0:
        _elasticsearch_unavailable(f"scripts/elasticsearch-node.sh start failed: {started.stderr[-2000:]}")
    yield started.stdout.strip().splitlines()[-1]
    if not was_running:
        subprocess.run([str(ES_NODE_SCRIPT), "stop"], capture_output=True, timeout=120)
