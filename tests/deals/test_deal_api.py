"""The contract API (/api/v1/deals): visibility (parties and staff; 404 for others, 401 anonymous), creation with
an Idempotency-Key (5 identical requests at once → exactly one contract), every contract rule as a 422 naming the
field in Chinese, optimistic locking (two editors on one version: one 200, one 409), registration actions, payments
and rewards."""
from __future__ import annotations

import threading

import pytest

from marketplace.accounts.models import Organization
from marketplace.audit.models import AuditEvent
from marketplace.deals import services
from marketplace.deals.models import Deal, IdempotencyKey
from marketplace.extensions import db
from tests.api.conftest import ApiClient, _cheap_password_hashing, assert_problem  # noqa: F401
from tests.deals.deal_world import contract, world  # noqa: F401


def new_contract(app, world, **changes) -> dict:  # noqa: F811
    with app.test_request_context():
        university = db.session.get(Organization, world.ids["university"])
        enterprise = db.session.get(Organization, world.ids["enterprise"])
        return contract(university, enterprise, **changes)


def count_deals(app) -> int:
    with app.test_request_context():
        return db.session.execute(db.select(db.func.count()).select_from(Deal)).scalar_one()


def test_visibility_and_list(client, world):  # noqa: F811
    path = f"/deals/{world.ids['deal']}"
    assert_problem(world.api(client, None).get(path), 401)
    assert_problem(world.api(client, None).get("/deals"), 401)
    for name in ("seller", "buyer", "broker2", "admin"):
        response = world.api(client, name).get(path)
        assert response.status_code == 200, name
        assert response.headers["ETag"] == '"1"'
    body = world.api(client, "seller").get(path).get_json()
    assert body["total_amount"] == "120.5000" and body["technical_amount"] == "100.2500"
    assert body["actions"] == ["record_payment", "consent"]
    assert world.api(client, "broker").get(path).get_json()["actions"] == \
        ["edit", "record_payment", "record_reward", "register", "refuse"]
    assert_problem(world.api(client, "third").get(path), 404)
    assert world.api(client, "third").get("/deals").get_json()["total"] == 0
    assert world.api(client, "loner").get("/deals").get_json()["total"] == 0
    listed = world.api(client, "buyer").get("/deals?year=2025&contract_type=licence").get_json()
    assert [item["id"] for item in listed["items"]] == [world.ids["deal"]]
    assert listed["items"][0]["seller_name"] == "吉林合同大学"
    assert_problem(world.api(client, "broker").get("/deals?year=abc"), 422, "year")
    assert world.api(client, "broker").get("/deals?party=第三方").get_json()["total"] == 0


def test_create_and_permissions(app, client, world):  # noqa: F811
    data = new_contract(app, world, name="通过接口录入的合同", total_amount=88.5, technical_amount="80.1234")
    assert_problem(world.api(client, "seller").post("/deals", json=data), 403)
    assert_problem(world.api(client, None).post("/deals", json=data), 401)
    response = world.api(client, "broker").post("/deals", json=data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["total_amount"] == "88.5000" and body["technical_amount"] == "80.1234"
    assert response.headers["Location"].endswith(f"/api/v1/deals/{body['id']}")
    assert body["broker_id"] == world.ids["broker"] and body["agency_org_id"] == world.ids["agency"]
    with app.test_request_context():
        actions = [e.action for e in db.session.execute(db.select(AuditEvent).where(
            AuditEvent.target_type == "deals", AuditEvent.target_id == body["id"])).scalars()]
    assert actions == ["deal.create"]


@pytest.mark.parametrize("changes, field, chinese", [
    ({"technical_amount": "130"}, "technical_amount", "技术交易额"),
    ({"valid_to": "2024-01-01"}, "valid_to", "有效期止"),
    ({"contract_subtype": "commissioned"}, "contract_subtype", "合同子类"),
    ({"equity_investment": True}, "equity_investment", "技术入股"),
    ({"registration_number": "2025"}, "registration_number", "合同登记编号"),
    ({"technical_field": "ai"}, "technical_field", "技术领域"),
    ({"total_amount": "-1"}, "total_amount", "合同成交额"),
    ({"signed_on": "2025-02-30"}, "signed_on", "签订日期"),
    ({"name": None}, "name", "合同名称"),
])
def test_each_rule_is_a_422_naming_the_field(app, client, world, changes, field, chinese):  # noqa: F811
    body = assert_problem(world.api(client, "broker").post("/deals", json=new_contract(app, world, **changes)),
                          422, field)
    assert chinese in body["detail"], body


def test_party_codes_are_named_with_the_party(app, client, world):  # noqa: F811
    data = new_contract(app, world)
    data["parties"][1]["credit_code"] = data["parties"][1]["credit_code"][:-1] + ("0" if data["parties"][1][
        "credit_code"][-1] != "0" else "1")
    data["parties"][0]["region"] = "990000"
    body = assert_problem(world.api(client, "broker").post("/deals", json=data), 422, "parties")
    assert "买方（技术需方） · 统一社会信用代码" in body["detail"] and "卖方（技术供方） · 行政区划代码" in body["detail"]
    assert set(body["errors"]["parties"]["1"]) == {"credit_code"}


def test_idempotency_key_under_concurrency(app, world):  # noqa: F811
    """5 requests with the same key at once, each on its own connection: exactly one contract, every answer the
    same contract (201 once, 200 for the replays)."""
    data = new_contract(app, world, name="并发幂等创建的合同")
    before = count_deals(app)
    barrier = threading.Barrier(5)
    results: list = [None] * 5

    def send(index: int) -> None:
        api = ApiClient(app.test_client(), world.tokens["broker"])
        barrier.wait(10)
        response = api.post("/deals", json=data, headers={"Idempotency-Key": "create-42"})
        results[index] = (response.status_code, response.get_json(), response.headers.get("Idempotent-Replayed"))

    threads = [threading.Thread(target=send, args=(index,)) for index in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(status for status, _body, _replayed in results)
    assert statuses == [200, 200, 200, 200, 201], [(r[0], r[1]) for r in results]
    assert len({body["id"] for _status, body, _replayed in results}) == 1
    bodies = [{k: v for k, v in body.items() if k != "actions"} for _status, body, _replayed in results]
    assert all(body == bodies[0] for body in bodies)
    assert sorted(str(replayed) for _s, _b, replayed in results) == ["None", "true", "true", "true", "true"]
    assert count_deals(app) == before + 1
    with app.test_request_context():
        keys = db.session.execute(db.select(IdempotencyKey)).scalars().all()
        assert [(key.key, key.record_id) for key in keys] == [("create-42", bodies[0]["id"])]


def test_idempotency_key_with_another_body(app, client, world):  # noqa: F811
    api = world.api(client, "broker")
    first = api.post("/deals", json=new_contract(app, world, name="第一份"), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    again = api.post("/deals", json=new_contract(app, world, name="第一份"), headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    other = api.post("/deals", json=new_contract(app, world, name="第二份"), headers={"Idempotency-Key": "k-1"})
    body = assert_problem(other, 422, "Idempotency-Key")
    assert "Idempotency-Key" in body["detail"]
    invalid = api.post("/deals", json=new_contract(app, world, name="第三份"), headers={"Idempotency-Key": "x" * 101})
    assert_problem(invalid, 422, "Idempotency-Key")
    failed = api.post("/deals", json=new_contract(app, world, technical_amount="999"), headers={"Idempotency-Key": "k-2"})
    assert_problem(failed, 422, "technical_amount")  # a refused request does not use up its key
    assert api.post("/deals", json=new_contract(app, world, name="第四份"),
                    headers={"Idempotency-Key": "k-2"}).status_code == 201


def test_optimistic_locking(client, world):  # noqa: F811
    path = f"/deals/{world.ids['deal']}"
    first, second = world.api(client, "broker"), world.api(client, "broker2")
    assert first.get(path).headers["ETag"] == second.get(path).headers["ETag"] == '"1"'
    one = first.patch(path, json={"name": "经纪人甲的修改"}, headers={"If-Match": '"1"'})
    two = second.patch(path, json={"name": "经纪人乙的修改"}, headers={"If-Match": '"1"'})
    assert one.status_code == 200 and one.headers["ETag"] == '"2"'
    body = assert_problem(two, 409)
    assert "当前版本 2，您编辑的是版本 1" in body["detail"]
    assert first.get(path).get_json()["name"] == "经纪人甲的修改"
    three = second.patch(path, json={"notes": "补充说明", "version": 2})
    assert three.status_code == 200 and three.get_json()["notes"] == "补充说明"
    assert_problem(second.patch(path, json={"technical_amount": "1000"}), 422, "technical_amount")
    assert_problem(world.api(client, "seller").patch(path, json={"name": "卖方改名"}), 403)
    assert_problem(world.api(client, "third").patch(path, json={"name": "第三方改名"}), 404)


def test_put_replaces_the_contract(app, client, world):  # noqa: F811
    path = f"/deals/{world.ids['deal']}"
    data = new_contract(app, world, name="整体替换的合同", contract_type="development",
                        contract_subtype="commissioned")
    data.pop("valid_to")
    response = world.api(client, "broker").put(path, json=data, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["contract_type"], body["contract_subtype"], body["valid_to"]) == ("development", "commissioned",
                                                                                   None)


def test_registration_actions(client, world):  # noqa: F811
    path = f"/deals/{world.ids['deal']}"
    broker = world.api(client, "broker")
    assert_problem(world.api(client, "seller").post(f"{path}/actions/register",
                                                    json={"registration_number": "2025220100000001",
                                                          "registered_on": "2025-03-10"}), 403)
    body = assert_problem(broker.post(f"{path}/actions/register", json={"registration_number": "12"}), 422,
                          "registered_on")
    assert "登记日期" in body["detail"]
    assert_problem(broker.post(f"{path}/actions/refuse", json={}), 422, "reason")
    refused = broker.post(f"{path}/actions/refuse", json={"reason": "名称与印章不符"})
    assert refused.status_code == 200 and refused.get_json()["registration_status"] == "refused"
    assert refused.get_json()["actions"] == ["edit", "record_payment", "record_reward", "resubmit"]
    assert_problem(broker.post(f"{path}/actions/register", json={"registration_number": "2025220100000001",
                                                                 "registered_on": "2025-03-10"}), 409)
    assert broker.post(f"{path}/actions/resubmit").get_json()["registration_status"] == "pending"
    registered = broker.post(f"{path}/actions/register", json={"registration_number": "2025220100000001",
                                                               "registered_on": "2025-03-10"})
    assert registered.status_code == 200
    assert (registered.get_json()["registration_number"], registered.get_json()["registered_on"]) == \
        ("2025220100000001", "2025-03-10")
    assert_problem(broker.patch(path, json={"name": "登记后修改"}), 409)
    assert_problem(broker.post(f"{path}/actions/edit"), 404)
    assert_problem(broker.post(f"{path}/actions/consent"), 403)
    consented = world.api(client, "buyer").post(f"{path}/actions/consent", json={"consent": True})
    assert consented.get_json()["buyer_consents_to_publish"] is True


def test_registration_number_unique(app, client, world):  # noqa: F811
    broker = world.api(client, "broker")
    other = broker.post("/deals", json=new_contract(app, world, name="编号重复的另一份合同"))
    for deal_id in (world.ids["deal"], other.get_json()["id"]):
        response = broker.post(f"/deals/{deal_id}/actions/register",
                               json={"registration_number": "2025220100000002", "registered_on": "2025-03-10"})
        if deal_id == world.ids["deal"]:
            assert response.status_code == 200
    body = assert_problem(response, 422, "registration_number")
    assert "高镍正极材料包覆专利实施许可合同" in body["errors"]["registration_number"][0]
    dup = broker.post("/deals", json=new_contract(app, world, name="创建时重复编号", registration_number="2025220100000002"))
    assert_problem(dup, 422, "registration_number")


def test_payments_and_rewards(client, world):  # noqa: F811
    path = f"/deals/{world.ids['deal']}"
    seller, broker, buyer = world.api(client, "seller"), world.api(client, "broker"), world.api(client, "buyer")
    first = seller.post(f"{path}/payments", json={"received_on": "2025-04-01", "amount": "30.25"})
    assert first.status_code == 201 and first.get_json()["received_amount"] == "30.2500"
    second = broker.post(f"{path}/payments", json={"received_on": "2025-05-01", "amount": 10})
    assert second.get_json()["received_amount"] == "40.2500"
    assert_problem(buyer.post(f"{path}/payments", json={"received_on": "2025-04-01", "amount": "1"}), 403)
    assert_problem(broker.post(f"{path}/payments", json={"received_on": "2025-04-01"}), 422, "amount")
    payment_id = second.get_json()["payments"][-1]["id"]
    assert_problem(buyer.delete(f"{path}/payments/{payment_id}"), 403)
    assert broker.delete(f"{path}/payments/{payment_id}").status_code == 204
    assert_problem(broker.delete(f"{path}/payments/{payment_id}"), 404)
    assert broker.get(path).get_json()["received_amount"] == "30.2500"
    reward = broker.post(f"{path}/rewards", json={"form": "equity", "amount": "15", "persons": 4})
    assert reward.status_code == 201 and reward.get_json()["rewards"][0]["persons"] == 4
    assert_problem(seller.post(f"{path}/rewards", json={"form": "cash", "amount": "1", "persons": 1}), 403)
    assert_problem(broker.post(f"{path}/rewards", json={"form": "gold", "amount": "1", "persons": 0}), 422,
                   "form", "persons")
    assert broker.delete(f"{path}/rewards/{reward.get_json()['rewards'][0]['id']}").status_code == 204


def test_create_from_an_opportunity_links_it(app, client, world):  # noqa: F811
    from marketplace.deals.models import Opportunity

    with app.test_request_context():
        opportunity = Opportunity(title="接口商机", source="manual", seller_org_id=world.ids["university"],
                                  buyer_org_id=world.ids["enterprise"], broker_id=world.ids["broker"])
        db.session.add(opportunity)
        db.session.commit()
        opportunity_id = opportunity.id
    data = {**new_contract(app, world, name="来自商机的合同"), "opportunity_id": opportunity_id}
    assert_problem(world.api(client, "broker2").post("/deals", json=data), 403)
    response = world.api(client, "broker").post("/deals", json=data)
    assert response.status_code == 201
    with app.test_request_context():
        assert db.session.get(Opportunity, opportunity_id).deal_id == response.get_json()["id"]
    assert_problem(world.api(client, "broker").post("/deals", json={**data, "opportunity_id": 999999}), 422,
                   "opportunity_id")


def test_openapi_documents_the_deal_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/deals"]["post"]
    assert any(parameter["name"] == "Idempotency-Key" for parameter in post["parameters"])
    assert {"201", "200", "422"} <= set(post["responses"])
    assert "/api/v1/deals/{record_id}/actions/{action}" in spec["paths"]
    assert services.RECORDERS
