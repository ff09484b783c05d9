"""Write endpoints are rate limited per user (one shared bucket for every API write).

The session app runs with RATELIMIT_ENABLED False; this test builds a second app with limits on and restores the
shared extension objects afterwards."""
import pytest

from marketplace import create_app
from marketplace.extensions import api, db, limiter

from .conftest import ApiClient, assert_problem


@pytest.fixture
def limited_client(app, world):
    saved_api, saved_limiter = dict(api.__dict__), dict(limiter.__dict__)
    limited = None
    try:
        limited = create_app({
            **{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "UPLOAD_FOLDER")},
            "TESTING": True, "INSTANCE_PATH": app.instance_path, "SEARCH_AUTO_DRAIN": False,
            "SERVER_NAME": "localhost.test", "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
            "API_WRITE_RATE_LIMIT": "3 per minute",
        })
        yield limited.test_client()
    finally:
        if limited is not None:  # close the second app's pooled connections (PostgreSQL warns otherwise)
            with limited.app_context():
                db.engine.dispose()
        limiter.reset()
        api.__dict__.update(saved_api)
        limiter.__dict__.clear()
        limiter.__dict__.update(saved_limiter)


def test_writes_beyond_the_limit_get_429(world, limited_client):
    owner = ApiClient(limited_client, world.tokens["owner"])
    other = ApiClient(limited_client, world.tokens["other"])
    for _ in range(3):
        assert_problem(owner.post("/achievements", json={}), 422)
    body = assert_problem(owner.post("/achievements", json={}), 429)
    assert body["title"] == "请求过于频繁，请稍后再试"
    # the bucket is shared by every write of that user, and reads are not limited
    assert_problem(owner.patch("/achievements/1", json={}), 429)
    assert owner.get("/achievements").status_code == 200
    # another user has a bucket of their own
    assert_problem(other.post("/achievements", json={}), 422)
