"""A fresh instance to restore into: its own instance folder and an empty database of the same kind as the tests'
(a new SQLite file; on PostgreSQL a second database created on the test server, dropped afterwards)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from marketplace import create_app
from marketplace.extensions import db
from marketplace.indexing.runtime import reset_engine
from marketplace.search_admin.dictionaries import search_dir
from search import analysis


def _instance_app(instance, database_url: str):
    return create_app({
        "TESTING": True, "INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret", "UPLOAD_FOLDER": str(instance / "uploads"), "RATELIMIT_ENABLED": False,
        "SEARCH_AUTO_DRAIN": False, "SEARCH_URL": None, "SERVER_NAME": "localhost.test",
    })


@pytest.fixture
def fresh_instance(app, tmp_path):
    """``fresh_instance()`` -> a new application on an empty database, as a new server would be set up."""
    source_url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    created: list[tuple] = []

    def make():
        instance = tmp_path / f"restored-{len(created)}"
        instance.mkdir()
        if source_url.get_backend_name() == "sqlite":
            created.append((_instance_app(instance, f"sqlite:///{instance / 'marketplace.db'}"), None))
            return created[-1][0]
        name = f"{source_url.database}_restore_{uuid.uuid4().hex[:8]}"
        server = create_engine(source_url, isolation_level="AUTOCOMMIT")
        try:
            with server.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except ProgrammingError as error:
            pytest.fail(f"the test role cannot create a second database ({error.orig}): it needs CREATEDB "
                        "(scripts/postgres-test.sh grants it; restart the server with `stop` then `start`)")
        finally:
            server.dispose()
        url = source_url.set(database=name).render_as_string(hide_password=False)
        created.append((_instance_app(instance, url), name))
        return created[-1][0]

    yield make
    for restored, name in created:
        reset_engine(restored)
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()
        if name:
            server = create_engine(source_url, isolation_level="AUTOCOMMIT")
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()
    analysis.configure()  # a restore with --reindex loaded its instance's dictionaries; others expect the built-in


@pytest.fixture
def source_dictionaries(app):
    """The test may save search dictionaries in the tests' instance: they are removed afterwards."""
    yield search_dir(app)
    for path in search_dir(app).glob("*.txt"):
        path.unlink()
    analysis.configure()
