"""The rules on declaring an open licence (专利开放许可, Patent Law art. 50–51): each refusal with its message
(an exclusive or sole licence in force, pledged without the pledgee's consent, annual fees overdue, an ownership
dispute or court preservation, not granted), re-declaring is checked too, withdrawal never touches licences granted,
and no exclusive or sole licence while a declaration is in force. Services, the patentee's licence page and the API."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.deals import licensing
from marketplace.deals.models import PatentLicence
from marketplace.errors import PermissionDenied, ValidationFailed
from marketplace.extensions import db
from marketplace.patents import services as patents
from marketplace.patents.models import Patent
from tests.api.conftest import ApiClient, _cheap_password_hashing, assert_problem, make_token  # noqa: F401
from tests.deals.licence_helpers import DECLARATION, licence_world
from tests.web.helpers import login, post, text


def declare_refused(w) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        patents.declare_open_licence(w.patentee, w.patent, DECLARATION)
    db.session.rollback()
    return caught.value.errors["_schema"]


def declares(w) -> bool:
    patents.declare_open_licence(w.patentee, w.patent, DECLARATION)
    db.session.flush()
    return w.patent.has_open_licence


def record(w, scope: str, **changes):
    data = {"scope": scope, "licensee_name": "一汽解放（平台外合同）", "starts_on": date.today().isoformat(),
            "term_years": 2, **changes}
    return licensing.record_licence(w.patentee, w.patent, data)


@pytest.mark.parametrize("scope, words", [("exclusive", "独占许可"), ("sole", "排他许可")])
def test_an_exclusive_or_sole_licence_in_force_blocks_the_declaration(ctx, scope, words):
    w = licence_world(declare=False)
    granted = record(w, scope)
    db.session.commit()
    [message] = declare_refused(w)
    assert words in message and "一汽解放" in message and "不能声明开放许可" in message
    licensing.end_licence(w.patentee, granted)
    db.session.commit()
    assert declares(w)


def test_an_ordinary_licence_does_not_block_it(ctx):
    w = licence_world(declare=False)
    record(w, "ordinary")
    db.session.commit()
    assert declares(w)


def test_pledged_without_consent_is_refused_with_consent_allowed(ctx):
    w = licence_world(declare=False)
    patents.set_licence_obstacles(w.patentee, w.patent, {"pledged": True})
    db.session.commit()
    assert declare_refused(w) == [patents.PLEDGED] and "质权人同意" in patents.PLEDGED
    patents.set_licence_obstacles(w.patentee, w.patent, {"pledged": True, "pledgee_consents": True})
    db.session.commit()
    assert declares(w)


@pytest.mark.parametrize("flag, message", [("annual_fees_overdue", patents.FEES_OVERDUE),
                                           ("ownership_disputed", patents.DISPUTED)])
def test_overdue_fees_and_ownership_disputes_are_refused(ctx, flag, message):
    w = licence_world(declare=False)
    patents.set_licence_obstacles(w.patentee, w.patent, {flag: True})
    db.session.commit()
    assert declare_refused(w) == [message]


def test_not_granted_is_refused(ctx):
    w = licence_world(declare=False, legal_status="pending")
    assert declare_refused(w) == [patents.NOT_GRANTED]


def test_every_obstacle_is_named_at_once_and_re_declaring_is_checked(ctx):
    w = licence_world()
    patents.withdraw_open_licence(w.patentee, w.patent)
    patents.set_licence_obstacles(w.patentee, w.patent, {"pledged": True, "annual_fees_overdue": True,
                                                         "ownership_disputed": True})
    db.session.commit()
    assert declare_refused(w) == [patents.PLEDGED, patents.FEES_OVERDUE, patents.DISPUTED]
    assert db.session.get(Patent, w.patent.id).has_open_licence is False  # the withdrawn one stays withdrawn


def test_consent_means_nothing_without_a_pledge_and_only_the_patentee_keeps_the_flags(ctx):
    w = licence_world(declare=False)
    patents.set_licence_obstacles(w.patentee, w.patent, {"pledged": False, "pledgee_consents": True})
    assert w.patent.pledgee_consents is False
    with pytest.raises(PermissionDenied):
        patents.set_licence_obstacles(w.licensee, w.patent, {"annual_fees_overdue": True})


def test_withdrawing_the_declaration_keeps_licences_already_granted(ctx):
    w = licence_world()
    licence = licensing.take_licence(w.licensee, w.patent, {"confirm": True})
    db.session.commit()
    patents.withdraw_open_licence(w.patentee, w.patent)
    db.session.commit()
    kept = db.session.get(PatentLicence, licence.id)
    assert kept.status == "active" and licensing.is_in_force(kept) and kept.deal is not None
    assert licensing.held_licence(w.licensee.org_id, w.patent) is kept
    assert licensing.get_licence(w.licensee, licence.id) is kept


def test_no_exclusive_or_sole_licence_while_declared(ctx):
    w = licence_world()
    for scope in ("exclusive", "sole"):
        with pytest.raises(ValidationFailed) as caught:
            record(w, scope)
        assert "声明期间不能授予独占或排他许可" in caught.value.errors["scope"][0]
        db.session.rollback()
    assert record(w, "ordinary").scope == "ordinary"
    patents.withdraw_open_licence(w.patentee, w.patent)
    assert record(w, "exclusive", licensee_name="独家被许可人").scope == "exclusive"
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:  # and nothing more while the exclusive one is in force
        record(w, "ordinary", licensee_name="又一家")
    assert "独家被许可人" in caught.value.errors["scope"][0]


def test_recording_a_licence_checks_its_term(ctx):
    w = licence_world(declare=False, expiry_date=(date.today() + timedelta(days=400)).isoformat())
    with pytest.raises(ValidationFailed) as caught:
        record(w, "ordinary", term_years=3)
    assert "专利到期日" in caught.value.errors["term_years"][0]
    db.session.rollback()
    with pytest.raises(ValidationFailed) as caught:
        record(w, "ordinary", starts_on=(date.today() - timedelta(days=800)).isoformat(), term_years=1)
    assert "已期满" in caught.value.errors["term_years"][0]
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        licensing.record_licence(w.licensee, w.patent, {"scope": "ordinary", "licensee_name": "某某",
                                                        "starts_on": date.today().isoformat(), "term_years": 1})


# -- the patentee's licence page and the API ----------------------------------------------------------------------------

@pytest.fixture
def page_world(app):
    with app.app_context():
        w = licence_world(declare=False, patentee_code=False)
        return {"patent": w.patent.id, "patentee": w.patentee.email, "licensee": w.licensee.email}


def test_the_licence_page_keeps_the_flags_refuses_with_each_message_and_records_licences(app, client, page_world):
    url = f"/patents/{page_world['patent']}/licence"
    login(client, page_world["patentee"])
    page = text(client.get(url))
    assert "质押、年费与权属情况" in page and "登记在平台外授予的许可" in page and "统一社会信用代码" in page
    saved = post(client, url + "/obstacles", {"pledged": "yes", "annual_fees_overdue": "yes"}, token_page=url)
    assert saved.status_code == 302
    page = text(client.get(url))
    assert "未取得质权人同意" in page and "年费欠缴" in page
    declared = post(client, url, {"fee_terms": "入门费 5 万元", "term_years": "3", "scope": "全国"}, token_page=url)
    assert declared.status_code == 422 and "年费欠缴，补缴后才能声明开放许可" in text(declared)
    assert post(client, url + "/obstacles", {}, token_page=url).status_code == 302  # all cleared
    bad_code = post(client, url, {"fee_terms": "入门费 5 万元", "term_years": "3", "scope": "全国",
                                  "credit_code": "123"}, token_page=url)
    assert bad_code.status_code == 422 and "校验码" in text(bad_code)
    exclusive = post(client, url + "/record", {"scope": "exclusive", "licensee_name": "某汽车公司",
                                               "starts_on": date.today().isoformat(), "term_years": "2"},
                     token_page=url)
    assert exclusive.status_code == 302
    page = text(client.get(url))
    assert "某汽车公司" in page and "独占许可" in page
    declared = post(client, url, {"fee_terms": "入门费 5 万元", "term_years": "3", "scope": "全国"}, token_page=url)
    assert declared.status_code == 422 and "某汽车公司" in text(declared)
    other = app.test_client()
    login(other, page_world["licensee"])
    assert other.get(url).status_code == 403


def test_the_api_refuses_a_declaration_with_the_reasons(app, client):
    with app.test_request_context():
        w = licence_world(declare=False)
        patents.set_licence_obstacles(w.patentee, w.patent, {"ownership_disputed": True})
        api = ApiClient(client, make_token(w.patentee))
        patent_id = w.patent.id
        db.session.commit()
    body = assert_problem(api.put(f"/patents/{patent_id}/open-licence", json=DECLARATION), 422)
    assert "权属纠纷" in body["detail"] and body["errors"]["_schema"] == [patents.DISPUTED]
    item = api.get(f"/patents/{patent_id}").get_json()
    assert item["ownership_disputed"] is True and item["pledged"] is False
