"""A demand's deadline may not be in the past: refused with a field error on the page and the API (DemandInput)."""
from datetime import timedelta

from marketplace.demands.models import Demand
from marketplace.extensions import db
from marketplace.timeutil import display_today
from tests import factories as f
from tests.api.conftest import assert_problem
from tests.web.helpers import login, post, text

DATA = {"title": "高强度铝合金焊接工艺", "problem": "现有焊接接头强度系数只有0.6，希望提升到0.85以上。",
        "industry": "automotive", "cooperation_modes": ["service"]}


def test_the_page_refuses_a_past_deadline_next_to_the_field(app, client):
    with app.app_context():
        email = f.user(f.organization("enterprise")).email
        db.session.commit()
    login(client, email)
    yesterday = (display_today() - timedelta(days=1)).isoformat()
    refused = post(client, "/demands/new", {**DATA, "deadline": yesterday})
    assert refused.status_code == 422
    page = text(refused)
    assert "截止日期不能早于今天" in page and yesterday in page  # the typed value is kept
    with app.app_context():
        assert db.session.execute(db.select(Demand)).first() is None
    assert post(client, "/demands/new", {**DATA, "deadline": display_today().isoformat()}).status_code == 302


def test_the_api_refuses_a_past_deadline_on_create_and_edit(world):
    body = assert_problem(world.other.post("/demands", json=f.demand_data(deadline="2020-01-01")), 422, "deadline")
    assert body["errors"]["deadline"] == ["截止日期不能早于今天"]
    created = world.other.post("/demands", json=f.demand_data(deadline=display_today().isoformat()))
    assert created.status_code == 201
    did = created.get_json()["id"]
    assert_problem(world.other.patch(f"/demands/{did}", json={"deadline": "2020-01-01"}), 422, "deadline")
    future = (display_today() + timedelta(days=30)).isoformat()
    assert world.other.patch(f"/demands/{did}", json={"deadline": future}).status_code == 200
