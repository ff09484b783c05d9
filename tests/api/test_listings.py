"""Patents (open licences), demands (close) and the yearly high-quality list through the API."""
from marketplace.accounts.models import User
from tests import factories as f

from .conftest import assert_problem, create, database, publish

LICENCE = {"fee_terms": "入门费5万元 + 销售额2%提成", "annual_fee": "3.5", "term_years": 5, "scope": "全国范围，非独占"}


def _patent(world, app, owner="owner", **overrides) -> int:
    with database(app) as session:
        return f.patent(session.get(User, world.ids[owner]), **overrides).id


def test_patent_create_and_open_licence(world, app):
    created = world.owner.post("/patents", json={"number": "zl 202110123456.7", "title": "一种正极材料包覆方法",
                                                 "applicant": "吉林大学", "status": "published"})
    assert created.status_code == 201
    patent = created.get_json()
    assert patent["number"] == "ZL202110123456.7" and patent["status"] == "draft"
    assert_problem(world.owner.post("/patents", json={"number": "ZL202110123456.7", "title": "重复专利",
                                                      "applicant": "吉林大学"}), 422, "number")
    pid = patent["id"]
    declared = world.owner.put(f"/patents/{pid}/open-licence", json=LICENCE)
    assert declared.status_code == 200
    assert declared.get_json()["open_licence"]["term_years"] == 5
    assert declared.get_json()["version"] > patent["version"]
    assert_problem(world.owner.put(f"/patents/{pid}/open-licence", json={"term_years": 50}), 422,
                   "term_years", "fee_terms", "scope")
    assert_problem(world.other.put(f"/patents/{pid}/open-licence", json=LICENCE), 404)
    publish(world, "patents", pid)
    assert [p["id"] for p in world.anon.get("/patents?open_licence=1").get_json()["items"]] == [pid]
    assert world.anon.get("/patents?open_licence=0").get_json()["total"] == 0
    denied = assert_problem(world.other.put(f"/patents/{pid}/open-licence", json=LICENCE), 403)
    assert denied["detail"] == "只有该记录所属机构的成员可以修改"  # not "成果": the message fits every kind
    withdrawn = world.owner.delete(f"/patents/{pid}/open-licence")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["open_licence"]["active"] is False
    assert_problem(world.owner.delete(f"/patents/{pid}/open-licence"), 422)
    assert world.anon.get("/patents?open_licence=1").get_json()["total"] == 0


def test_only_granted_patents_declare_open_licences(world, app):
    pid = _patent(world, app, legal_status="pending")
    body = assert_problem(world.owner.put(f"/patents/{pid}/open-licence", json=LICENCE), 422)
    assert "已授权" in body["detail"]


def test_patent_filters(world, app):
    granted = _patent(world, app)
    expired = _patent(world, app, legal_status="expired", patent_type="utility_model")
    for pid in (granted, expired):
        publish(world, "patents", pid)
    assert [p["id"] for p in world.anon.get("/patents?legal_status=expired").get_json()["items"]] == [expired]
    assert [p["id"] for p in world.anon.get("/patents?patent_type=utility_model").get_json()["items"]] == [expired]
    assert_problem(world.anon.get("/patents?legal_status=alive"), 422, "legal_status")


def test_demand_lifecycle_and_close(world):
    demand = create(world.other, "demands")
    did = demand["id"]
    assert_problem(world.other.post(f"/demands/{did}/close"), 409)  # only published demands close
    world.other.post(f"/demands/{did}/submit")
    world.broker.post(f"/review/demand/{did}/publish")
    assert world.anon.get(f"/demands/{did}").get_json()["org_name"] == "长春某企业（测试）"
    assert_problem(world.owner.post(f"/demands/{did}/close"), 403)
    closed = world.other.post(f"/demands/{did}/close", json={"version": 3})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert_problem(world.anon.get(f"/demands/{did}"), 404)


def test_demand_filters_and_partial_budget_check(world):
    first = create(world.other, "demands", deadline="2031-06-01", technical_field="ai", industry="software")["id"]
    second = create(world.other, "demands", deadline="2030-01-01", cooperation_modes=["service"])["id"]
    for did in (first, second):
        world.other.post(f"/demands/{did}/submit")
        world.broker.post(f"/review/demand/{did}/publish")
    ids = [d["id"] for d in world.anon.get("/demands?sort=deadline").get_json()["items"]]
    assert ids == [second, first]
    assert [d["id"] for d in world.anon.get("/demands?industry=software").get_json()["items"]] == [first]
    assert [d["id"] for d in world.anon.get("/demands?cooperation_mode=service").get_json()["items"]] == [second]
    body = assert_problem(world.other.patch(f"/demands/{first}", json={"budget_max": "1"}), 422, "budget_max")
    assert body["errors"]["budget_max"] == ["预算上限不能低于预算下限"]


def test_quality_list(world):
    rid = create(world.owner, "achievements")["id"]
    assert_problem(world.admin.post(f"/quality/2025/achievements/{rid}"), 422)  # not yet published
    publish(world, "achievements", rid)
    assert_problem(world.owner.post(f"/quality/2025/achievements/{rid}"), 403)
    assert_problem(world.broker.post(f"/quality/2025/achievements/{rid}"), 403)
    progress = world.admin.post(f"/quality/2025/achievements/{rid}").get_json()
    assert progress == {"year": 2025, "count": 1, "target": 200, "remaining": 199, "percent": 0}
    assert world.anon.get(f"/achievements/{rid}").get_json()["quality_year"] == 2025
    assert world.anon.get("/quality/2025").get_json()["count"] == 1
    assert_problem(world.admin.delete(f"/quality/2024/achievements/{rid}"), 404)
    assert_problem(world.owner.delete(f"/quality/2025/achievements/{rid}"), 403)
    assert world.admin.delete(f"/quality/2025/achievements/{rid}").status_code == 204
    assert world.anon.get("/quality/2025").get_json()["count"] == 0
    assert_problem(world.anon.get("/quality/1999"), 404)


def test_quality_list_hides_other_organisations_drafts(world):
    rid = create(world.other, "achievements")["id"]
    assert_problem(world.owner.post(f"/quality/2025/achievements/{rid}"), 404)
