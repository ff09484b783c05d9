"""Who may do what: other organisations' unpublished records are 404 everywhere; members cannot publish;
server-owned fields in payloads are ignored."""
import pytest

from marketplace.accounts.models import User
from tests import factories as f

from .conftest import ApiClient, assert_problem, create, database, make_token, publish

ACTIONS = ["submit", "withdraw", "archive"]


@pytest.fixture(params=["achievements", "demands", "patents"])
def draft(request, world, app):
    """A draft of organisation A, of each kind: (collection, id)."""
    kind = request.param
    if kind == "patents":
        with database(app) as session:
            rid = f.patent(session.get(User, world.ids["owner"])).id
    else:
        rid = create(world.owner, kind)["id"]
    return kind, rid


def test_other_organisation_gets_404_for_a_draft_everywhere(world, draft):
    kind, rid = draft
    for api in (world.other, world.anon):
        assert_problem(api.get(f"/{kind}/{rid}"), 404)
    assert_problem(world.other.patch(f"/{kind}/{rid}", json={"title": "改掉别人的标题"}), 404)
    assert_problem(world.other.put(f"/{kind}/{rid}", json={"title": "改掉别人的标题"}), 404)
    assert_problem(world.other.delete(f"/{kind}/{rid}"), 404)
    for action in ACTIONS:
        assert_problem(world.other.post(f"/{kind}/{rid}/{action}"), 404)
    assert_problem(world.other.post(f"/review/{kind[:-1]}/{rid}/publish"), 404)
    # the same answer as an id that does not exist
    missing = assert_problem(world.other.get(f"/{kind}/999999"), 404)
    assert missing["title"] == assert_problem(world.other.get(f"/{kind}/{rid}"), 404)["title"]
    assert world.owner.get(f"/{kind}/{rid}").status_code == 200


def test_anonymous_writes_are_401(world, draft):
    kind, rid = draft
    assert_problem(world.anon.patch(f"/{kind}/{rid}", json={}), 401)
    assert_problem(world.anon.post(f"/{kind}/{rid}/submit"), 401)
    assert_problem(world.anon.post(f"/{kind}", json={}), 401)


def test_published_record_of_another_organisation_is_read_only(world, draft):
    kind, rid = draft
    world.owner.post(f"/{kind}/{rid}/submit")
    world.broker.post(f"/review/{kind[:-1]}/{rid}/publish")
    assert world.other.get(f"/{kind}/{rid}").status_code == 200
    assert_problem(world.other.patch(f"/{kind}/{rid}", json={"title": "改掉别人的标题"}), 403)
    assert_problem(world.other.post(f"/{kind}/{rid}/withdraw"), 403)
    assert_problem(world.other.post(f"/{kind}/{rid}/archive"), 403)
    assert world.admin.post(f"/{kind}/{rid}/archive").get_json()["status"] == "archived"


def test_members_cannot_publish_or_see_the_queue(world):
    rid = create(world.member, "achievements")["id"]
    world.member.post(f"/achievements/{rid}/submit")
    body = assert_problem(world.member.post(f"/review/achievement/{rid}/publish"), 403)
    assert "技术经纪人" in body["detail"]
    assert_problem(world.owner.post(f"/review/achievement/{rid}/reject", json={"reason": "自己退回"}), 403)
    assert_problem(world.member.get("/review/queue"), 403)
    assert_problem(world.anon.get("/review/queue"), 401)
    assert world.member.get(f"/achievements/{rid}").get_json()["status"] == "submitted"


def test_review_of_unknown_kind_or_id_is_404(world):
    assert_problem(world.broker.post("/review/challenge/1/publish"), 404)
    assert_problem(world.broker.post("/review/achievement/424242/publish"), 404)


def test_publishing_twice_is_409_naming_the_state(world):
    rid = create(world.owner, "achievements")["id"]
    publish(world, "achievements", rid)
    body = assert_problem(world.broker.post(f"/review/achievement/{rid}/publish"), 409)
    assert body["title"] == "当前状态不允许此操作" and "「已发布」" in body["detail"]


SERVER_OWNED = {"id": 999, "org_id": None, "status": "published", "owner_id": None, "version": 77,
                "created_at": "2001-01-01T00:00:00", "published_at": "2001-01-01T00:00:00", "quality_year": 2024,
                "reject_reason": "x"}


def test_mass_assignment_on_create_is_ignored(world):
    payload = {**f.achievement_data(), **SERVER_OWNED, "org_id": world.ids["org_b"], "owner_id": world.ids["other"]}
    record = world.owner.post("/achievements", json=payload).get_json()
    assert record["id"] != 999 and record["org_id"] == world.ids["org_a"]
    assert record["status"] == "draft" and record["version"] == 1 and record["quality_year"] is None
    assert not record["created_at"].startswith("2001") and record["published_at"] is None
    assert world.anon.get(f"/achievements/{record['id']}").status_code == 404


@pytest.mark.parametrize("kind", ["achievements", "demands"])
def test_mass_assignment_on_update_changes_nothing(world, kind):
    record = create(world.owner, kind)
    rid = record["id"]
    for method in ("patch", "put"):
        body = {k: v for k, v in SERVER_OWNED.items() if k != "version"}
        body["org_id"] = world.ids["org_b"]
        payload = body if method == "patch" else {**record_input(kind), **body}
        response = getattr(world.owner, method)(f"/{kind}/{rid}", json=payload)
        assert response.status_code == 200, response.get_json()
    after = world.owner.get(f"/{kind}/{rid}").get_json()
    assert after["org_id"] == world.ids["org_a"] and after["status"] == "draft" and after["id"] == rid
    assert not after["created_at"].startswith("2001")
    assert world.other.get(f"/{kind}/{rid}").status_code == 404


def record_input(kind):
    return f.achievement_data() if kind == "achievements" else f.demand_data()


def test_member_of_no_organisation_cannot_create(world, app, client):
    with database(app) as session:
        loner = f.user(None)
        secret = make_token(loner)
        session.flush()
    body = assert_problem(ApiClient(client, secret).post("/achievements", json=f.achievement_data()), 403)
    assert "机构" in body["detail"]
    assert ApiClient(client, secret).get("/achievements?mine=1").get_json()["total"] == 0
