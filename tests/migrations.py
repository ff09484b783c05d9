"""Migration tests: an application on an empty SQLite file, to upgrade step by step and look at the rows."""
from __future__ import annotations

from contextlib import contextmanager

from marketplace import create_app
from marketplace.extensions import api, limiter


@contextmanager
def app_on_an_empty_database(tmp_path):
    """The app on ``tmp_path/m.db`` (nothing migrated yet). ``create_app`` binds the shared extension objects
    (the API and the rate limiter) to it: they are given back their state afterwards."""
    saved_api, saved_limiter = dict(api.__dict__), dict(limiter.__dict__)
    try:
        yield create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "m",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}", "SEARCH_AUTO_DRAIN": False,
                          "RATELIMIT_ENABLED": False})
    finally:
        api.__dict__.update(saved_api)
        limiter.__dict__.clear()
        limiter.__dict__.update(saved_limiter)
