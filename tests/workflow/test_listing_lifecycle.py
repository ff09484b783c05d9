"""The listing lifecycle (marketplace.workflow.listings) through the JSON API: every state × action × role.

The expected outcomes are written out here by hand from the rules users are told (draft → submitted → published or
rejected → archived; demands may be closed): who may act, from which state, and what a refusal answers — 401
without a login, 404 for what the caller may not see, 403 for what they see but may not do, 409 for a wrong state
(naming the state and what can be done now)."""
from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem, create, publish

STATES = ("draft", "submitted", "published", "rejected", "archived", "closed")
ROLES = ("owner", "other", "broker", "admin", "anon")
# action → (states it starts from, roles allowed)
RULES = {
    "submit": ({"draft", "rejected"}, {"owner"}),
    "withdraw": ({"submitted", "published"}, {"owner"}),
    "publish": ({"submitted"}, {"broker", "admin"}),
    "reject": ({"submitted"}, {"broker", "admin"}),
    "archive": ({"draft", "rejected", "published", "closed"}, {"owner", "admin"}),
    "close": ({"published"}, {"owner"}),
    "edit": ({"draft", "rejected", "published"}, {"owner"}),
    "delete": ({"draft", "rejected"}, {"owner"}),
}
LABELS = {"draft": "草稿", "submitted": "待审核", "published": "已发布", "rejected": "已退回", "archived": "已归档",
          "closed": "已关闭"}
AFTER = {"submit": "submitted", "withdraw": "draft", "publish": "published", "reject": "rejected",
         "archive": "archived", "close": "closed"}


def _listing_in(world, kind: str, state: str) -> int:
    record_id = create(world.owner, kind)["id"]
    if state in ("submitted", "rejected"):
        assert world.owner.post(f"/{kind}/{record_id}/submit").status_code == 200
    if state == "rejected":
        assert world.broker.post(f"/review/{kind[:-1]}/{record_id}/reject", json={"reason": "请补充"}).status_code == 200
    if state in ("published", "archived", "closed"):
        publish(world, kind, record_id)
    if state in ("archived", "closed"):
        assert world.owner.post(f"/{kind}/{record_id}/{'archive' if state == 'archived' else 'close'}").status_code \
            == 200
    return record_id


def _expected(kind: str, state: str, action: str, role: str) -> int:
    if role == "anon":
        return 401
    if action == "close" and kind != "demands":
        return 404  # achievements have no close action
    visible = state == "published" or role in ("owner", "broker", "admin")
    if not visible:
        return 404
    sources, allowed = RULES[action]
    if role not in allowed:
        return 403
    if state not in sources:
        return 409
    return {"delete": 204}.get(action, 200)


def _call(world, kind: str, record_id: int, action: str, role: str):
    client = getattr(world, role)
    if action == "edit":
        return client.patch(f"/{kind}/{record_id}", json={"title": "修改后的标题文字"})
    if action == "delete":
        return client.delete(f"/{kind}/{record_id}")
    body = {"reason": "指标不清楚"} if action == "reject" else None
    return client.post(f"/{kind}/{record_id}/{action}", json=body)


CASES = [(kind, state, action, role) for kind in ("achievements", "demands") for state in STATES
         for action in RULES for role in ROLES
         if not (state == "closed" and kind != "demands") and not (action == "close" and kind != "demands")]


@pytest.mark.parametrize("kind,state,action,role", CASES, ids=["-".join(case) for case in CASES])
def test_state_action_role(world, kind, state, action, role):
    record_id = _listing_in(world, kind, state)
    response = _call(world, kind, record_id, action, role)
    expected = _expected(kind, state, action, role)
    if expected >= 400:
        body = assert_problem(response, expected)
        if expected == 409:
            assert f"「{LABELS[state]}」" in body["detail"], body
        if expected == 403:
            assert "只有" in body["detail"], body
    else:
        assert response.status_code == expected, (response.status_code, response.get_json())
    owner_view = world.owner.get(f"/{kind}/{record_id}")
    if expected == 204:
        assert owner_view.status_code == 404
    elif expected == 200 and action in AFTER:
        assert owner_view.get_json()["status"] == AFTER[action]
    else:
        assert owner_view.get_json()["status"] == state  # nothing changed


def test_conflict_message_names_what_can_be_done_now(world):
    record_id = _listing_in(world, "achievements", "submitted")
    body = assert_problem(world.owner.post(f"/achievements/{record_id}/submit"), 409)
    assert body["detail"] == "当前状态为「待审核」，不能提交审核。现在可以：撤回为草稿"
    item = world.owner.get(f"/achievements/{record_id}").get_json()
    assert item["actions"] == ["withdraw"]
    assert world.broker.get(f"/achievements/{record_id}").get_json()["actions"] == ["publish", "reject"]
    assert world.anon.get(f"/achievements/{record_id}").status_code == 404
