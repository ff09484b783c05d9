"""Against spam, beyond the one-open-inquiry rule: sending and posting are rate limited per user (429), on the pages
and the API alike. The session app runs with RATELIMIT_ENABLED False; this test builds a second app on the same
database with limits on, and restores the shared extension objects afterwards."""
from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, assert_problem, rate_limited_client


@pytest.fixture
def limited_client(app, world):
    with rate_limited_client(app, INQUIRY_RATE_LIMIT="2 per hour", INQUIRY_MESSAGE_RATE_LIMIT="3 per hour") as client:
        yield client


def test_sending_and_posting_beyond_the_limit_get_429(world, limited_client):
    asker = ApiClient(limited_client, world.tokens["asker"])
    body = {"subject_kind": "achievement", "subject_id": world.ids["achievement"], "message": "你好",
            "cooperation_mode": "licence"}
    first = asker.post("/inquiries", json=body)
    assert first.status_code == 201
    assert_problem(asker.post("/inquiries", json=body), 409)  # counts too: every attempt does
    assert_problem(asker.post("/inquiries", json={**body, "subject_kind": "patent", "subject_id": world.ids["patent"]}),
                   429)
    # another user has a bucket of their own; reads are not limited
    third = ApiClient(limited_client, world.tokens["third"])
    assert third.post("/inquiries", json=body).status_code == 201
    assert asker.get("/inquiries").status_code == 200
    thread = first.get_json()["id"]
    for _ in range(3):
        assert asker.post(f"/inquiries/{thread}/messages", json={"body": "在吗？"}).status_code == 201
    assert_problem(asker.post(f"/inquiries/{thread}/messages", json={"body": "在吗？"}), 429)
    holder = ApiClient(limited_client, world.tokens["holder"])
    assert holder.post(f"/inquiries/{thread}/messages", json={"body": "在"}).status_code == 201
