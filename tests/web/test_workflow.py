"""The listing workflow through the pages: create → submit → review → publish/reject, edits, conflicts."""
from __future__ import annotations

import re

from marketplace.achievements.models import Achievement
from marketplace.demands.models import Demand
from marketplace.extensions import db
from tests import factories as f
from tests.web.helpers import login, post, text

FORM = {
    "title": "一种低成本钠离子电池正极材料",
    "summary": "以普鲁士蓝类似物为正极，成本较磷酸铁锂降低30%，循环寿命超过3000次。",
    "keywords": "钠离子电池，正极材料、储能",
    "technical_field": "new_energy",
    "industries": ["energy", "automotive"],
    "trl": "6",
    "ip_type": "invention_patent",
    "transfer_modes": ["licence", "equity"],
    "price_amount": "300",
    "region": "220000",
}


def _record(app, model, **where):
    with app.app_context():
        query = db.select(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        record = db.session.execute(query).scalar_one()
        db.session.expunge(record)
        return record


def test_create_submit_publish_and_find_in_list(app, client, world):
    login(client, world.owner)
    response = post(client, "/achievements/new", FORM)
    assert response.status_code == 302
    record = _record(app, Achievement, title=FORM["title"])
    assert record.status == "draft" and record.keywords == ["钠离子电池", "正极材料", "储能"]
    assert record.industries == ["energy", "automotive"] and float(record.price_amount) == 300
    assert "草稿已保存" in text(client.get(response.location))
    assert post(client, f"/achievements/{record.id}/submit").status_code == 302
    assert _record(app, Achievement, id=record.id).status == "submitted"

    reviewer = app.test_client()
    login(reviewer, world.broker)
    queue = text(reviewer.get("/review"))
    assert FORM["title"] in queue and '成果 <span class="count">1</span>' in queue
    assert post(reviewer, f"/review/achievement/{record.id}/publish").status_code == 302

    visitor = app.test_client()
    listing = text(visitor.get("/achievements"))
    assert FORM["title"] in listing
    detail = text(visitor.get(f"/achievements/{record.id}"))
    assert "TRL 6" in detail and "作价投资" in detail and "300 万元" in detail


def test_member_cannot_publish(app, client, world):
    with app.app_context():
        from tests.web.test_browse import _user
        record = f.achievement(_user(world.colleague))
        from marketplace.review import services as review
        review.submit(_user(world.colleague), record)
        db.session.commit()
        record_id = record.id
    login(client, world.colleague)
    assert client.get("/review").status_code == 403
    response = post(client, f"/review/achievement/{record_id}/publish")
    assert response.status_code == 403
    assert _record(app, Achievement, id=record_id).status == "submitted"


def test_reject_reason_shows_in_workspace(app, client, world):
    login(client, world.owner)
    post(client, "/achievements/new", FORM)
    record = _record(app, Achievement, title=FORM["title"])
    post(client, f"/achievements/{record.id}/submit")
    reviewer = app.test_client()
    login(reviewer, world.broker)
    empty = post(reviewer, f"/review/achievement/{record.id}/reject", {"reason": "  "})
    assert "请填写退回原因" in text(reviewer.get(empty.location))
    post(reviewer, f"/review/achievement/{record.id}/reject", {"reason": "请补充中试数据"})
    workspace = text(client.get("/workspace"))
    assert "请补充中试数据" in workspace and "已退回" in workspace


def test_validation_errors_sit_next_to_fields_and_input_is_kept(client, world):
    login(client, world.owner)
    response = post(client, "/achievements/new", {**FORM, "title": "", "summary": "太短", "trl": "12",
                                                  "price_amount": "abc"})
    assert response.status_code == 422
    body = text(response)
    title_field = body[body.index('id="f-title"'):]
    assert re.search(r'id="title-error"><p>此项为必填项</p>', title_field)
    assert 'id="summary-error"><p>长度应在 10 到 2000 个字符之间</p>' in body
    assert 'id="price_amount-error"' in body
    assert "钠离子电池，正极材料、储能" in body  # what the user typed is still there
    assert 'value="energy" checked' in body


def test_edit_with_stale_version_is_a_conflict(app, client, world):
    login(client, world.owner)
    post(client, "/achievements/new", FORM)
    record = _record(app, Achievement, title=FORM["title"])
    form = text(client.get(f"/achievements/{record.id}/edit"))
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert post(client, f"/achievements/{record.id}/edit", {**FORM, "version": version,
                                                            "summary": FORM["summary"] + "第一次修改"}).status_code == 302
    stale = post(client, f"/achievements/{record.id}/edit", {**FORM, "version": version, "title": "我的修改"})
    assert stale.status_code == 409
    assert "已被他人修改" in text(stale) and "我的修改" in text(stale)
    assert _record(app, Achievement, id=record.id).title == FORM["title"]


def test_negotiable_price_clears_amount_and_delete_draft(app, client, world):
    login(client, world.owner)
    post(client, "/achievements/new", {**FORM, "negotiable": "1"})
    record = _record(app, Achievement, title=FORM["title"])
    assert record.price_amount is None
    assert "面议" in text(client.get(f"/achievements/{record.id}"))
    assert post(client, f"/achievements/{record.id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Achievement, record.id) is None


def test_demand_lifecycle_with_close(app, client, world):
    login(client, world.outsider)
    data = {"title": "高强度铝合金焊接工艺", "problem": "现有焊接接头强度系数只有0.6，希望提升到0.85以上。",
            "industry": "automotive", "budget_min": "80", "budget_max": "50", "cooperation_modes": ["service"]}
    bad = post(client, "/demands/new", data)
    assert bad.status_code == 422 and "预算上限不能低于预算下限" in text(bad)
    assert post(client, "/demands/new", {**data, "budget_max": "150"}).status_code == 302
    demand = _record(app, Demand, title=data["title"])
    post(client, f"/demands/{demand.id}/submit")
    reviewer = app.test_client()
    login(reviewer, world.broker)
    post(reviewer, f"/review/demand/{demand.id}/publish")
    assert post(client, f"/demands/{demand.id}/close").status_code == 302
    assert _record(app, Demand, id=demand.id).status == "closed"
    assert "高强度铝合金焊接工艺" not in text(app.test_client().get("/demands"))


def test_patent_form_and_open_licence(app, client, world):
    login(client, world.owner)
    response = post(client, "/patents/new", {"number": "ZL202110123456.7", "title": "一种电极浆料分散方法",
                                             "applicant": "某大学", "patent_type": "invention_patent",
                                             "legal_status": "granted", "ipc_codes": "H01M 4/36、H01M 4/525"})
    assert response.status_code == 302
    patent_id = int(response.location.rsplit("/", 1)[1])
    bad = post(client, f"/patents/{patent_id}/licence", {"fee_terms": "", "term_years": "30", "scope": "全国"})
    assert bad.status_code == 422 and "此项为必填项" in text(bad)
    post(client, f"/patents/{patent_id}/licence", {"fee_terms": "每年2万元", "term_years": "3", "scope": "全国"})
    assert "每年2万元" in text(client.get(f"/patents/{patent_id}"))
    post(client, f"/patents/{patent_id}/licence/withdraw")
    assert "该专利尚未声明开放许可" in text(client.get(f"/patents/{patent_id}"))
    # the patent can be linked to an achievement of the same organisation
    post(client, "/achievements/new", {**FORM, "patent_ids": [str(patent_id)]})
    record = _record(app, Achievement, title=FORM["title"])
    assert "一种电极浆料分散方法" in text(client.get(f"/achievements/{record.id}"))


def test_quality_list_for_admins(app, client, world):
    with app.app_context():
        from tests.web.test_browse import _user
        record = f.achievement(_user(world.owner), publish_by=_user(world.broker))
        db.session.commit()
        record_id = record.id
    login(client, world.owner)
    assert client.get("/quality").status_code == 403
    admin = app.test_client()
    login(admin, world.admin)
    page = text(admin.get("/quality"))
    assert "0</strong> / 200" in page
    post(admin, f"/quality/{record_id}/mark", {"year": "2025"})
    page = text(admin.get("/quality?year=2025"))
    assert "1</strong> / 200" in page and 'aria-valuenow="1"' in page
    post(admin, f"/quality/{record_id}/unmark", {"year": "2025"})
    assert "0</strong> / 200" in text(admin.get("/quality?year=2025"))
