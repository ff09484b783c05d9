"""An application of its own for the search administration tests: its dictionaries are loaded from its own instance
folder, and the built-in analysis is restored afterwards."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import upgrade

from marketplace import create_app
from marketplace.extensions import db
from marketplace.search_admin.dictionaries import configure_analysis
from search import analysis
from tests.search_fixtures import search_engine  # noqa: F401

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("admin-instance")
    app = create_app({
        "TESTING": True, "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'test.db'}", "SECRET_KEY": "test-secret",
        "UPLOAD_FOLDER": str(instance / "uploads"), "RATELIMIT_ENABLED": False, "SEARCH_AUTO_DRAIN": False,
        "SERVER_NAME": "localhost.test",
    })
    configure_analysis(app)
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"))
    yield app
    analysis.configure()  # other test modules expect the built-in dictionaries only


@pytest.fixture(autouse=True)
def _fresh_dictionaries(app):
    """Every test starts without instance dictionaries."""
    folder = Path(app.instance_path) / "search"
    for path in folder.glob("*") if folder.exists() else []:
        path.unlink()
    configure_analysis(app)
    yield
    with app.app_context():
        db.session.remove()
