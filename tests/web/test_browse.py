"""Public browse and detail pages: filters, sorting, pagination, empty states, visibility."""
from __future__ import annotations

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.patents import services as patents
from marketplace.review import services as review
from tests import factories as f
from tests.web.helpers import login, text


def _user(email):
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def _publish_many(app, world, count=25):
    with app.app_context():
        owner, broker = _user(world.owner), _user(world.broker)
        for number in range(count):
            f.achievement(owner, publish_by=broker, title=f"成果编号{number:02d}的技术", trl=number % 9 + 1,
                          price_amount=None if number % 5 == 0 else str(number * 10))
        db.session.commit()


def test_home_and_lists_render_with_empty_states(client, world):
    assert "让科技成果走向产业" in text(client.get("/"))
    for url, empty in [("/achievements", "没有符合条件的成果"), ("/demands", "没有符合条件的需求"),
                       ("/patents", "没有符合条件的专利")]:
        response = client.get(url)
        assert response.status_code == 200
        assert empty in text(response)
    assert "测试机构" in text(client.get("/orgs"))


def test_list_paginates_with_total_and_page_links(app, client, world):
    _publish_many(app, world)
    first = text(client.get("/achievements"))
    assert "共 25 条" in first and "第 1 / 2 页" in first
    assert first.count('class="card"') == 20
    assert 'href="/achievements?page=2"' in first
    second = text(client.get("/achievements?page=2"))
    assert second.count('class="card"') == 5


def test_filters_and_sorting(app, client, world):
    _publish_many(app, world, 12)
    body = text(client.get("/achievements?trl=7-9"))
    assert "共 3 条" in body  # TRL 7, 8, 9
    negotiable = text(client.get("/achievements?price=negotiable"))
    assert "共 3 条" in negotiable  # numbers 0, 5, 10
    by_price = text(client.get("/achievements?sort=price_desc"))
    assert by_price.index("成果编号11") < by_price.index("成果编号09")
    by_trl = text(client.get("/achievements?sort=trl"))
    assert by_trl.index("成果编号08") < by_trl.index("成果编号00")  # TRL 9 before TRL 1
    assert "共 12 条" in text(client.get("/achievements?org_type=university&technical_field=new_materials&transfer_mode=licence"))
    assert "共 0 条" in text(client.get("/achievements?org_type=enterprise"))
    # unknown filter values are ignored, not errors
    assert client.get("/achievements?trl=bogus&sort=nope&page=abc").status_code == 200


def test_drafts_answer_404_to_other_organisations(app, client, world):
    with app.app_context():
        record = f.achievement(_user(world.owner), title="尚未发布的草稿成果")
        db.session.commit()
        record_id = record.id
    assert client.get(f"/achievements/{record_id}").status_code == 404
    login(client, world.outsider)
    assert client.get(f"/achievements/{record_id}").status_code == 404
    assert client.get(f"/achievements/{record_id}/edit").status_code == 404
    assert "尚未发布的草稿成果" not in text(client.get("/achievements"))
    client.post("/logout", data={"csrf_token": ""})
    other = client.application.test_client()
    login(other, world.colleague)
    assert "尚未发布的草稿成果" in text(other.get(f"/achievements/{record_id}"))
    broker = client.application.test_client()
    login(broker, world.broker)
    assert broker.get(f"/achievements/{record_id}").status_code == 200


def test_patent_open_licence_filter_and_detail(app, client, world):
    with app.app_context():
        owner, broker = _user(world.owner), _user(world.broker)
        open_one = f.patent(owner, title="一种光伏组件清洗装置")
        closed_one = f.patent(owner, title="一种污水深度处理方法")
        for patent in (open_one, closed_one):
            review.submit(owner, patent)
            review.publish(broker, patent)
        patents.declare_open_licence(owner, open_one, {"fee_terms": "入门费5万元", "term_years": 3,
                                                       "scope": "全国范围，非独占"})
        db.session.commit()
        open_id = open_one.id
    yes = text(client.get("/patents?open=yes"))
    assert "一种光伏组件清洗装置" in yes and "一种污水深度处理方法" not in yes
    no = text(client.get("/patents?open=no"))
    assert "一种污水深度处理方法" in no and "一种光伏组件清洗装置" not in no
    assert "入门费5万元" in text(client.get(f"/patents/{open_id}"))


def test_demand_list_and_org_page(app, client, world):
    with app.app_context():
        f.demand(_user(world.outsider), publish_by=_user(world.broker), title="求购高效催化剂工艺")
        db.session.commit()
    assert "求购高效催化剂工艺" in text(client.get("/demands?budget=50-200&industry=energy"))
    assert "求购高效催化剂工艺" in text(client.get("/demands?budget=200-1000"))  # 50–200 touches 200
    assert "共 0 条" in text(client.get("/demands?budget=gte1000"))
    page = text(client.get(f"/orgs/{world.enterprise_id}"))
    assert "求购高效催化剂工艺" in page
    assert client.get("/orgs/999999").status_code == 404
