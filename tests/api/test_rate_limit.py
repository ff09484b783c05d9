"""Write endpoints are rate limited per user (one shared bucket for every API write).

The session app runs with RATELIMIT_ENABLED False; this test builds a second app with limits on and restores the
shared extension objects afterwards."""
import pytest

from .conftest import ApiClient, assert_problem, rate_limited_client


@pytest.fixture
def limited_client(app, world):
    with rate_limited_client(app, API_WRITE_RATE_LIMIT="3 per minute") as client:
        yield client


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
