"""The inquiry API: send, read with messages and actions, messages both ways, decline with a reason (422 without
the note for "other"), close, 404 outside the thread, 409 for a duplicate, 422 naming the field."""
from __future__ import annotations

from tests.api.conftest import assert_problem


def _send(api, world, kind="achievement", **overrides):
    body = {"subject_kind": kind, "subject_id": world.ids[kind], "message": "请问是否支持独占许可？",
            "cooperation_mode": "licence", "budget": "120.5"}
    body.update(overrides)
    return api.post("/inquiries", json=body)


def test_send_read_reply_and_list(client, world):
    asker, holder = world.api(client, "asker"), world.api(client, "holder")
    created = _send(asker, world)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/inquiries/{body['id']}")
    assert body["status"] == "open" and body["budget"] == "120.5000" and body["broker_id"] == world.ids["broker"]
    assert body["holder_org_id"] == world.ids["university"] and body["messages"][0]["side"] == "asker"
    assert body["actions"] == ["post", "close"]
    item = holder.get(f"/inquiries/{body['id']}").get_json()
    assert set(item["actions"]) == {"post", "answer", "decline", "close"}
    reply = holder.post(f"/inquiries/{body['id']}/messages", json={"body": "支持，费用另议。"})
    assert reply.status_code == 201 and reply.get_json()["side"] == "holder"
    item = asker.get(f"/inquiries/{body['id']}").get_json()
    assert item["status"] == "answered" and [m["body"] for m in item["messages"]] == ["请问是否支持独占许可？", "支持，费用另议。"]
    assert asker.post(f"/inquiries/{body['id']}/messages", json={"body": "好的"}).status_code == 201
    broker_note = world.api(client, "broker").post(f"/inquiries/{body['id']}/messages", json={"body": "已记录"})
    assert broker_note.get_json()["side"] == "broker" and broker_note.get_json()["author_org_id"] is None
    mine = asker.get("/inquiries").get_json()
    assert mine["total"] == 1 and mine["items"][0]["id"] == body["id"] and "messages" not in mine["items"][0]
    assert holder.get("/inquiries?box=received&status=answered").get_json()["total"] == 1
    assert holder.get("/inquiries?box=sent").get_json()["total"] == 0
    assert world.api(client, "broker").get("/inquiries?box=brokered").get_json()["total"] == 1
    assert_problem(asker.get("/inquiries?status=bogus"), 422, "status")
    assert_problem(asker.get("/inquiries?box=everyone"), 422, "box")


def test_input_errors_name_the_field(client, world):
    asker = world.api(client, "asker")
    assert_problem(_send(asker, world, message="长" * 5001), 422, "message")
    assert_problem(_send(asker, world, message=""), 422, "message")
    assert_problem(_send(asker, world, cooperation_mode="barter", budget="abc"), 422, "cooperation_mode", "budget")
    assert_problem(_send(asker, world, subject_kind="organization"), 422, "subject_kind")
    inquiry = _send(asker, world).get_json()
    assert_problem(asker.post(f"/inquiries/{inquiry['id']}/messages", json={"body": "长" * 5001}), 422, "body")
    assert_problem(asker.post(f"/inquiries/{inquiry['id']}/messages", json={}), 422, "body")


def test_what_may_not_be_asked(client, world):
    asker, holder = world.api(client, "asker"), world.api(client, "holder")
    assert_problem(_send(asker, world, subject_id=world.ids["draft"]), 404)
    assert_problem(_send(holder, world), 403)  # the own organisation's achievement
    first = _send(asker, world).get_json()
    duplicate = assert_problem(_send(asker, world), 409)
    assert f"/inquiries/{first['id']}" in duplicate["detail"]
    assert_problem(world.api(client, None).post("/inquiries", json={}), 401)


def test_decline_with_reason_and_close(client, world):
    asker, holder = world.api(client, "asker"), world.api(client, "holder")
    inquiry = _send(asker, world).get_json()
    url = f"/inquiries/{inquiry['id']}/actions/decline"
    assert_problem(asker.post(url, json={"reason_code": "terms"}), 403)
    assert_problem(holder.post(url, json={"reason_code": "other"}), 422, "note")
    assert_problem(holder.post(url, json={"reason_code": "other", "note": "   "}), 422, "note")
    assert_problem(holder.post(url, json={"reason_code": "nope"}), 422, "reason_code")
    assert_problem(holder.post(url, json={"reason_code": "terms"}, headers={"If-Match": '"99"'}), 409)
    declined = holder.post(url, json={"reason_code": "other", "note": "已与他方签约"})
    assert declined.status_code == 200, declined.get_json()
    seen = asker.get(f"/inquiries/{inquiry['id']}").get_json()
    assert seen["status"] == "declined" and seen["decline_reason"] == "other"
    assert seen["decline_reason_label"] == "其他原因" and seen["decline_note"] == "已与他方签约"
    assert seen["actions"] == []
    assert_problem(asker.post(f"/inquiries/{inquiry['id']}/messages", json={"body": "再考虑一下？"}), 409)
    assert_problem(asker.post(f"/inquiries/{inquiry['id']}/actions/close"), 409)
    other = _send(asker, world, "patent").get_json()
    closed = asker.post(f"/inquiries/{other['id']}/actions/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert asker.post(f"/inquiries/{other['id']}/actions/flag_overdue").status_code in (404, 405)


def test_outsiders_get_404(client, world):
    inquiry = _send(world.api(client, "asker"), world).get_json()
    for name in ("third", "broker2", "admin"):
        api = world.api(client, name)
        assert_problem(api.get(f"/inquiries/{inquiry['id']}"), 404)
        assert_problem(api.post(f"/inquiries/{inquiry['id']}/messages", json={"body": "hi"}), 404)
        assert_problem(api.post(f"/inquiries/{inquiry['id']}/actions/close"), 404)
        assert api.get("/inquiries").get_json()["total"] == 0
    assert_problem(world.api(client, None).get(f"/inquiries/{inquiry['id']}"), 404)  # anonymous: no such thread
    assert_problem(world.api(client, "asker").get("/inquiries/999999"), 404)


def test_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/inquiries", "/api/v1/inquiries/{inquiry_id}", "/api/v1/inquiries/{inquiry_id}/messages",
                 "/api/v1/inquiries/{inquiry_id}/actions/decline", "/api/v1/inquiries/{inquiry_id}/actions/close"):
        assert path in spec["paths"], path
    assert "reason_code" in spec["components"]["schemas"]["DeclineInput"]["properties"]
