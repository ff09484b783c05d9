"""Edit rules hold on every path (API, pages, import), and a published listing's edit waits for review."""
from __future__ import annotations

from pathlib import Path

from tests.api.conftest import assert_problem, create, login_session, publish


def test_api_cannot_edit_a_listing_under_review_or_archived(world):
    """Regression: PATCH on a submitted or archived achievement answered 200 and changed the reviewed title."""
    submitted = create(world.owner, "achievements", title="审核中的原标题文字")["id"]
    assert world.owner.post(f"/achievements/{submitted}/submit").status_code == 200
    body = assert_problem(world.owner.patch(f"/achievements/{submitted}", json={"title": "审核时偷偷改的标题"}), 409)
    assert "「待审核」" in body["detail"] and "撤回为草稿" in body["detail"]
    archived = create(world.owner, "achievements", title="归档前的原标题文字")["id"]
    publish(world, "achievements", archived)
    assert world.owner.post(f"/achievements/{archived}/archive").status_code == 200
    assert_problem(world.owner.put(f"/achievements/{archived}", json={"title": "归档后改的标题"}), 409)
    assert world.broker.get(f"/achievements/{submitted}").get_json()["title"] == "审核中的原标题文字"
    assert world.owner.get(f"/achievements/{archived}").get_json()["title"] == "归档前的原标题文字"


def test_submitting_twice_is_a_conflict_not_invalid_data(world):
    record_id = create(world.owner, "demands")["id"]
    assert world.owner.post(f"/demands/{record_id}/submit").status_code == 200
    assert_problem(world.owner.post(f"/demands/{record_id}/submit"), 409)


def test_archiving_another_organisations_listing_is_403_on_page_and_api(app, client, world):
    """Regression: the page answered 404 where the API answered 403 for the same refusal."""
    record_id = create(world.owner, "achievements")["id"]
    publish(world, "achievements", record_id)
    assert_problem(world.other.post(f"/achievements/{record_id}/archive"), 403)
    csrf = login_session(app, client, world.ids["other"])
    page = client.post(f"/achievements/{record_id}/archive", headers={"X-CSRFToken": csrf})
    assert page.status_code == 403
    assert world.anon.get(f"/achievements/{record_id}").get_json()["status"] == "published"


def test_editing_a_published_listing_waits_for_review(world):
    record_id = create(world.owner, "achievements", title="已发布的原标题文字")["id"]
    publish(world, "achievements", record_id)
    edited = world.owner.patch(f"/achievements/{record_id}", json={"title": "修改后待审核的标题", "trl": 7})
    assert edited.status_code == 200
    body = edited.get_json()
    assert body["title"] == "已发布的原标题文字" and body["status"] == "published"
    assert body["pending_revision"]["changes"] == {"title": "修改后待审核的标题", "trl": 7}
    public = world.anon.get(f"/achievements/{record_id}").get_json()
    assert public["title"] == "已发布的原标题文字" and public["pending_revision"] is None
    assert world.other.get(f"/achievements/{record_id}").get_json()["pending_revision"] is None
    queue = world.broker.get("/review/queue?kind=achievement").get_json()
    assert [(item["id"], item["changes"]) for item in queue["items"]] == \
        [(record_id, {"title": "修改后待审核的标题", "trl": 7})]
    assert world.owner.get(f"/achievements/{record_id}").get_json()["actions"] == \
        ["edit", "withdraw", "discard_changes", "archive"]
    # a second edit merges; setting a field back to the published value drops it
    world.owner.patch(f"/achievements/{record_id}", json={"trl": public["trl"], "summary": "新的摘要内容足够长了吧"})
    pending = world.owner.get(f"/achievements/{record_id}").get_json()["pending_revision"]
    assert pending["changes"] == {"title": "修改后待审核的标题", "summary": "新的摘要内容足够长了吧"}
    assert_problem(world.broker.post(f"/review/achievement/{record_id}/reject-changes", json={}), 422, "reason")
    published = world.broker.post(f"/review/achievement/{record_id}/publish-changes")
    assert published.status_code == 200, published.get_json()
    after = world.anon.get(f"/achievements/{record_id}").get_json()
    assert after["title"] == "修改后待审核的标题" and after["summary"] == "新的摘要内容足够长了吧"
    assert world.broker.get("/review/queue").get_json()["total"] == 0


def test_rejected_changes_leave_the_published_version(world):
    record_id = create(world.owner, "demands", title="原来的需求标题文字")["id"]
    publish(world, "demands", record_id)
    world.owner.patch(f"/demands/{record_id}", json={"title": "想改成的需求标题"})
    rejected = world.broker.post(f"/review/demand/{record_id}/reject-changes", json={"reason": "标题与内容不符"})
    assert rejected.status_code == 200
    item = world.owner.get(f"/demands/{record_id}").get_json()
    assert item["title"] == "原来的需求标题文字" and item["pending_revision"] is None
    assert_problem(world.owner.post(f"/demands/{record_id}/discard-changes"), 409)


def test_import_obeys_the_edit_rules(app, runner, world, tmp_path: Path):
    """Regression: the importer set status = published directly and rewrote records under review."""
    from marketplace.accounts.models import Organization
    from marketplace.extensions import db

    with app.app_context():
        org = db.session.get(Organization, world.ids["org_a"]).name
    first = tmp_path / "first.jsonl"
    first.write_text('{"id": "R-1", "title": "导入的第一条成果标题", "abstract": "一段足够长的成果摘要内容。", '
                     '"category": "工学", "subcategory": "材料科学与工程"}\n', encoding="utf-8")
    assert runner.invoke(args=["achievements", "import", str(first), "--org", org]).exit_code == 0
    record_id = world.owner.get("/achievements?mine=1").get_json()["items"][0]["id"]
    assert world.owner.post(f"/achievements/{record_id}/submit").status_code == 200
    second = tmp_path / "second.jsonl"
    second.write_text(first.read_text(encoding="utf-8").replace("第一条", "改过的"), encoding="utf-8")
    result = runner.invoke(args=["achievements", "import", str(second), "--org", org, "--publish"])
    assert "待审核" in result.output, result.output
    item = world.broker.get(f"/achievements/{record_id}").get_json()
    assert item["title"] == "导入的第一条成果标题" and item["status"] == "submitted"


def test_a_members_list_reads_pending_changes_once_per_page(app, world):
    """The owner's list carries each item's actions and pending changes: one query for the page, not one per row."""
    from sqlalchemy import event

    from marketplace.extensions import db

    ids = [create(world.owner, "demands", title=f"需求标题第{n}条内容")["id"] for n in range(5)]
    for record_id in ids:
        publish(world, "demands", record_id)
    world.owner.patch(f"/demands/{ids[0]}", json={"title": "修改后待审核的需求标题"})
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        if "listing_revisions" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        items = world.owner.get("/demands?mine=1").get_json()["items"]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [item["pending_revision"] is not None for item in items].count(True) == 1
    assert len(statements) == 1
