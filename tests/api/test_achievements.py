"""Achievements through the API: the whole workflow, lists, updates with optimistic locking, deletes."""
import pytest

from marketplace.achievements.models import Achievement
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from tests import factories as f

from .conftest import assert_problem, create, database, publish


def test_workflow_create_submit_publish_withdraw_archive(world, app):
    created = world.member.post("/achievements", json=f.achievement_data())
    assert created.status_code == 201
    record = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/achievements/{record['id']}")
    assert created.headers["ETag"] == f'"{record["version"]}"'
    assert record["status"] == "draft" and record["org_id"] == world.ids["org_a"]
    assert record["price_amount"] == 120.0 and record["negotiable"] is False
    rid = record["id"]

    assert_problem(world.anon.get(f"/achievements/{rid}"), 404)
    submitted = world.member.post(f"/achievements/{rid}/submit").get_json()
    assert submitted["status"] == "submitted"
    queue = world.broker.get("/review/queue?kind=achievement").get_json()
    assert [item["id"] for item in queue["items"]] == [rid] and queue["total"] == 1
    assert queue["items"][0]["org_name"] == "吉林大学（测试）"

    published = world.broker.post(f"/review/achievement/{rid}/publish").get_json()
    assert published["status"] == "published"
    public = world.anon.get(f"/achievements/{rid}")
    assert public.status_code == 200 and public.get_json()["org_name"] == "吉林大学（测试）"
    assert rid in [item["id"] for item in world.anon.get("/achievements").get_json()["items"]]

    assert world.member.post(f"/achievements/{rid}/withdraw").get_json()["status"] == "draft"
    assert_problem(world.anon.get(f"/achievements/{rid}"), 404)
    assert world.owner.post(f"/achievements/{rid}/archive").get_json()["status"] == "archived"
    body = assert_problem(world.owner.post(f"/achievements/{rid}/archive"), 409)  # already archived
    assert "已归档" in body["detail"]

    with database(app) as session:
        actions = [e.action for e in session.execute(db.select(AuditEvent).where(
            AuditEvent.target_type == "achievements", AuditEvent.target_id == rid).order_by(AuditEvent.id)).scalars()]
    assert actions == ["achievement.create", "achievement.submit", "achievement.publish",
                       "achievement.withdraw", "achievement.archive"]


def test_reject_needs_a_reason_and_returns_the_record_to_its_owner(world):
    rid = create(world.owner, "achievements")["id"]
    world.owner.post(f"/achievements/{rid}/submit")
    body = assert_problem(world.broker.post(f"/review/achievement/{rid}/reject", json={"reason": "  "}), 422, "reason")
    assert body["errors"]["reason"] == ["请填写退回原因，以便提交方修改"]
    assert_problem(world.broker.post(f"/review/achievement/{rid}/reject", json={"reason": 42}), 422, "reason")
    rejected = world.broker.post(f"/review/achievement/{rid}/reject", json={"reason": "请补充技术指标"}).get_json()
    assert rejected["status"] == "rejected" and rejected["reject_reason"] == "请补充技术指标"
    mine = world.owner.get(f"/achievements/{rid}").get_json()
    assert mine["reject_reason"] == "请补充技术指标"
    assert world.owner.post(f"/achievements/{rid}/submit").get_json()["status"] == "submitted"


def test_patch_put_and_stale_if_match(world):
    record = create(world.owner, "achievements", description="详细说明", team="张教授团队")
    rid, version = record["id"], record["version"]
    patched = world.owner.patch(f"/achievements/{rid}", json={"trl": 7}, headers={"If-Match": f'"{version}"'})
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["trl"] == 7 and body["title"] == record["title"] and body["version"] == version + 1
    assert patched.headers["ETag"] == f'"{version + 1}"'

    stale = world.owner.patch(f"/achievements/{rid}", json={"trl": 8}, headers={"If-Match": f'"{version}"'})
    problem = assert_problem(stale, 409)
    assert "已被他人修改" in problem["detail"] and f"当前版本 {version + 1}" in problem["detail"]
    # the version may also come in the body; weak ETags are accepted
    assert_problem(world.owner.patch(f"/achievements/{rid}", json={"trl": 8, "version": version}), 409)
    assert world.owner.patch(f"/achievements/{rid}", json={"trl": 8},
                             headers={"If-Match": f'W/"{version + 1}"'}).status_code == 200
    assert world.owner.get(f"/achievements/{rid}").get_json()["trl"] == 8

    replaced = world.owner.put(f"/achievements/{rid}", json=f.achievement_data(title="整体替换后的成果标题"))
    assert replaced.status_code == 200
    body = replaced.get_json()
    assert body["title"] == "整体替换后的成果标题" and body["description"] is None and body["team"] is None
    assert_problem(world.owner.put(f"/achievements/{rid}", json={"title": "只有标题的整体替换"}), 422,
                   "summary", "technical_field")


@pytest.mark.parametrize("header", ["abc", '"-1"', '"1.5"', '"99999999999999999999"'])
def test_malformed_if_match_is_400(world, header):
    rid = create(world.owner, "achievements")["id"]
    body = assert_problem(world.owner.patch(f"/achievements/{rid}", json={"trl": 3}, headers={"If-Match": header}),
                          400)
    assert "If-Match" in body["detail"]


def test_stale_version_on_actions_and_delete(world):
    record = create(world.owner, "achievements")
    rid = record["id"]
    world.owner.patch(f"/achievements/{rid}", json={"trl": 2})
    assert_problem(world.owner.post(f"/achievements/{rid}/submit", headers={"If-Match": str(record["version"])}),
                   409)
    assert_problem(world.owner.delete(f"/achievements/{rid}", headers={"If-Match": str(record["version"])}), 409)
    assert world.owner.get(f"/achievements/{rid}").status_code == 200


def test_delete_drafts_only(world, app):
    draft = create(world.owner, "achievements")["id"]
    assert world.owner.delete(f"/achievements/{draft}").status_code == 204
    assert_problem(world.owner.get(f"/achievements/{draft}"), 404)
    published = create(world.owner, "achievements")["id"]
    publish(world, "achievements", published)
    body = assert_problem(world.owner.delete(f"/achievements/{published}"), 409)
    assert "已发布" in body["detail"] and "归档" in body["detail"]  # the state, and what can be done now
    with database(app) as session:
        assert session.get(Achievement, published) is not None


def test_list_filters_sorting_and_pagination(world):
    specs = [
        dict(title="低成熟度材料成果甲", trl=3, price_amount="5", technical_field="new_materials",
             transfer_modes=["assignment"]),
        dict(title="高成熟度装备成果乙", trl=8, price_amount="300", technical_field="equipment",
             transfer_modes=["licence"], ip_type="utility_model"),
        dict(title="面议的人工智能成果", trl=6, price_amount=None, technical_field="ai", transfer_modes=["equity"]),
    ]
    ids = [create(world.owner, "achievements", **spec)["id"] for spec in specs]
    for rid in ids:
        publish(world, "achievements", rid)
    create(world.owner, "achievements", title="仍是草稿的成果丙")

    def titles(query):
        response = world.anon.get("/achievements" + query)
        assert response.status_code == 200, response.get_json()
        return [item["title"] for item in response.get_json()["items"]]

    assert len(titles("")) == 3  # the draft is not listed
    assert titles("?technical_field=equipment") == ["高成熟度装备成果乙"]
    assert titles("?trl_min=6&sort=trl") == ["高成熟度装备成果乙", "面议的人工智能成果"]
    assert titles("?trl_max=5") == ["低成熟度材料成果甲"]
    assert titles("?transfer_mode=licence") == ["高成熟度装备成果乙"]
    assert titles("?ip_type=utility_model") == ["高成熟度装备成果乙"]
    assert titles("?price_band=lt10") == ["低成熟度材料成果甲"]
    assert titles("?price_band=200-1000") == ["高成熟度装备成果乙"]
    assert titles("?price_band=negotiable") == ["面议的人工智能成果"]
    assert titles("?sort=price") == ["低成熟度材料成果甲", "高成熟度装备成果乙", "面议的人工智能成果"]
    assert titles(f"?org_id={world.ids['org_a']}&region=220000") and not titles(f"?org_id={world.ids['org_b']}")

    page = world.anon.get("/achievements?page=2&page_size=2&sort=price").get_json()
    assert page == {**page, "total": 3, "page": 2, "page_size": 2}
    assert [item["title"] for item in page["items"]] == ["面议的人工智能成果"]
    assert world.anon.get("/achievements?page=9").get_json()["items"] == []


def test_mine_and_status_filters(world):
    draft = create(world.member, "achievements")["id"]
    theirs = create(world.other, "achievements", title="企业自己的草稿成果")["id"]
    mine = world.owner.get("/achievements?mine=1").get_json()
    assert [item["id"] for item in mine["items"]] == [draft] and mine["items"][0]["status"] == "draft"
    assert [i["id"] for i in world.owner.get("/achievements?status=draft").get_json()["items"]] == [draft]
    assert world.anon.get("/achievements?status=draft").get_json()["total"] == 0
    assert world.owner.get("/achievements").get_json()["total"] == 0  # default: published only
    assert {i["id"] for i in world.broker.get("/achievements?status=draft").get_json()["items"]} == {draft, theirs}
    assert_problem(world.anon.get("/achievements?mine=1"), 401)
    assert world.admin.get("/achievements?mine=1").get_json()["total"] == 0


def test_patents_are_linked_from_the_own_organisation_only(world, app):
    with database(app) as session:
        from marketplace.accounts.models import User

        ours = f.patent(session.get(User, world.ids["owner"])).id
        theirs = f.patent(session.get(User, world.ids["other"])).id
    record = create(world.owner, "achievements", patent_ids=[ours])
    assert [p["id"] for p in record["patents"]] == [ours]
    body = assert_problem(world.owner.patch(f"/achievements/{record['id']}", json={"patent_ids": [theirs]}), 422)
    assert body["errors"]["patent_ids"] == ["只能关联本机构登记的专利"]
