"""揭榜挂帅 pages: who sees which page, forms with errors next to their fields (422), buttons that match what the
lifecycles make available."""
from __future__ import annotations

import re

import pytest

from marketplace.challenges import services
from marketplace.challenges.models import Challenge
from marketplace.extensions import db
from marketplace.workflow.challenges import CHALLENGE_EXECUTION
from tests import factories as f
from tests.challenges.helpers import challenge_data, published_challenge
from tests.web.helpers import login, post, text


@pytest.fixture
def world(app):
    """An enterprise issuer with a published, open challenge and a draft; a university; a broker."""
    with app.app_context():
        issuer = f.user(f.organization("enterprise", name="一汽新能源"), email="issuer@pages.test")
        other = f.user(f.organization("enterprise", name="别的企业"), email="other@pages.test")
        university = f.user(f.organization("university", name="吉林示范大学"), email="uni@pages.test")
        broker = f.broker()
        open_one = published_challenge(issuer, broker)
        draft = services.create_challenge(issuer, challenge_data(title="尚未提交的草稿榜单"))
        db.session.commit()
        return {"issuer": issuer.email, "other": other.email, "university": university.email,
                "broker": broker.email, "open": open_one.id, "draft": draft.id}


def buttons(html: str) -> set[str]:
    """The execution actions the page offers (forms posting to /run/<action>)."""
    return set(re.findall(r"/challenges/\d+/run/([a-z_]+)", html))


def test_list_shows_open_challenges_with_a_countdown(client, world):
    page = client.get("/challenges")
    assert page.status_code == 200
    assert "高比能固态电池电解质攻关" in text(page) and "距揭榜截止还有 30 天" in text(page)
    assert "尚未提交的草稿榜单" not in text(page)
    assert client.get("/challenges?funding_mode=horse_race").status_code == 200
    assert "高比能" not in text(client.get("/challenges?funding_mode=horse_race"))
    assert "高比能" in text(client.get("/challenges?funding_mode=milestone&reward=200-1000&stage=bogus"))
    assert "高比能" not in text(client.get("/challenges?reward=gte1000"))


def test_past_challenges_show_outcome_and_reason_only(app, client, world):
    with app.app_context():
        challenge = db.session.get(Challenge, world["open"])
        services.cancel(challenge.owner, challenge, "需求已由内部团队解决")
        db.session.commit()
    assert "高比能" not in text(client.get("/challenges"))
    past = text(client.get("/challenges?view=past"))
    assert "高比能" in past and "已撤榜" in past and "需求已由内部团队解决" in past and "揭榜单位 0 家" in past


def test_detail_page_for_everyone_and_drafts_private(client, world):
    assert client.get(f"/challenges/{world['open']}").status_code == 200
    assert client.get(f"/challenges/{world['draft']}").status_code == 404
    login(client, world["other"])
    assert client.get(f"/challenges/{world['draft']}").status_code == 404
    assert client.get(f"/challenges/{world['draft']}/edit").status_code == 404


def test_buttons_match_the_execution_lifecycle(app, client, world):
    page = client.get(f"/challenges/{world['open']}")
    assert buttons(text(page)) == set()  # visitors: none
    login(client, world["issuer"])
    html = text(client.get(f"/challenges/{world['open']}"))
    with app.test_request_context():
        challenge = db.session.get(Challenge, world["open"])
        expected = set(CHALLENGE_EXECUTION.available(challenge.owner, challenge))
    assert expected == {"close_applications", "cancel"} and buttons(html) == expected
    draft = text(client.get(f"/challenges/{world['draft']}"))
    assert buttons(draft) == set() and "提交审核" in draft


def test_broker_sees_the_review_box_and_execution(client, world):
    login(client, world["broker"])
    html = text(client.get(f"/challenges/{world['open']}"))
    assert buttons(html) == {"close_applications", "cancel"}


def test_other_organisations_cannot_run_a_challenge(client, world):
    login(client, world["other"])
    assert buttons(text(client.get(f"/challenges/{world['open']}"))) == set()
    response = post(client, f"/challenges/{world['open']}/run/cancel", {"reason": "想撤"})
    assert response.status_code == 403


def test_a_reason_is_required_next_to_its_field(client, world):
    login(client, world["issuer"])
    response = post(client, f"/challenges/{world['open']}/run/cancel", {"reason": " "})
    assert response.status_code == 422
    assert 'id="cancel-reason-error"' in text(response) and "请填写原因" in text(response)
    response = post(client, f"/challenges/{world['open']}/run/cancel", {"reason": "内部已解决"})
    assert response.status_code == 302
    assert "已撤榜" in text(client.get(f"/challenges/{world['open']}"))


def test_create_form_errors_next_to_fields_and_rows(client, world):
    login(client, world["issuer"])
    assert client.get("/challenges/new").status_code == 200
    response = post(client, "/challenges/new", {"title": "电解质", "indicator_metric": ["", "循环寿命"],
                                                "indicator_target": ["", ""]})
    assert response.status_code == 422
    html = text(response)
    assert 'id="indicators-error"' in html and 'id="problem-error"' in html and 'value="循环寿命"' in html


def test_create_with_indicator_rows_and_eligibility(app, client, world):
    login(client, world["issuer"])
    data = challenge_data(title="氢燃料电池低温启动攻关")
    data.pop("indicators")
    data.update({"indicator_metric": ["低温启动温度", "", "功率密度"], "indicator_target": ["-30", "", "≥4"],
                 "indicator_unit": ["℃", "", "kW/L"], "indicator_verification": ["台架", "", ""],
                 "eligible_org_types": ["university", "institute"], "eligible_regions": ["220000"]})
    response = post(client, "/challenges/new", data)
    assert response.status_code == 302, text(response)[:2000]
    with app.app_context():
        challenge = db.session.scalars(db.select(Challenge).filter_by(title="氢燃料电池低温启动攻关")).one()
        assert [row["metric"] for row in challenge.indicators] == ["低温启动温度", "功率密度"]
        assert challenge.eligible_org_types == ["university", "institute"] and challenge.max_winners == 1
        record_id = challenge.id
    edit = text(client.get(f"/challenges/{record_id}/edit"))
    assert 'value="功率密度"' in edit and 'value="institute" checked' in edit


def test_universities_get_the_issuer_rule_on_the_form(client, world):
    login(client, world["university"])
    response = post(client, "/challenges/new", challenge_data() | {"indicator_metric": "指标", "indicator_target": "1"})
    assert response.status_code == 422 and "只有企业或政府部门可以发布揭榜挂帅榜单" in text(response)
