"""揭榜: registering interest, editing, submitting with eligibility, withdrawing, and who sees which application."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.challenges import applications as apps
from marketplace.errors import Conflict, NotFound, PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from tests import factories as f
from tests.challenges.helpers import published_challenge

PROPOSAL = {"proposal": "采用硫化物固态电解质体系，结合界面修饰层。", "technical_route": "材料筛选 → 小试 → 中试 → 电芯验证"}


@pytest.fixture
def people(ctx):
    issuer = f.user(f.organization("enterprise"))
    return {"issuer": issuer, "broker": f.broker(), "applicant": f.user(f.organization("university")),
            "other": f.user(f.organization("institute"))}


def challenge_of(people, **overrides):
    return published_challenge(people["issuer"], people["broker"], **overrides)


def past_deadline(challenge) -> None:
    """Test setup: the application deadline has passed."""
    challenge.application_deadline = date.today() - timedelta(days=1)
    db.session.flush()


def test_register_edit_and_submit(people):
    challenge = challenge_of(people)
    applicant = people["applicant"]
    partner = f.organization("institute")
    achievement = f.achievement(applicant)
    application = apps.register_interest(applicant, challenge)
    assert application.status == "interested" and application.org_id == applicant.org_id
    apps.update_application(applicant, application, {
        **PROPOSAL, "team": [{"name": "李教授", "title": "教授", "role": "负责人"}],
        "consortium": [{"org_id": partner.id, "role": "中试验证"}], "achievement_ids": [achievement.id],
        "budget": "480.5", "proposed_milestones": [{"deliverable": "小试样品", "due": "2027-06-30", "amount": "100"}],
    }, expected_version=application.version)
    assert application.consortium_org_ids == [partner.id]
    assert application.proposed_milestones[0] == {"deliverable": "小试样品", "due": "2027-06-30", "amount": "100.00"}
    assert str(application.budget) == "480.50"
    apps.submit_application(applicant, application)
    assert application.status == "submitted" and application.submitted_at is not None


def test_one_registration_per_organisation_and_not_the_issuer(people):
    challenge = challenge_of(people)
    apps.register_interest(people["applicant"], challenge)
    colleague = f.user(people["applicant"].organization)
    with pytest.raises(Conflict) as error:
        apps.register_interest(colleague, challenge)
    assert "只能揭榜一次" in error.value.message
    with pytest.raises(PermissionDenied) as error:
        apps.register_interest(people["issuer"], challenge)
    assert "发榜单位" in error.value.message


def test_registration_closes_at_the_deadline(people):
    challenge = challenge_of(people)
    past_deadline(challenge)
    with pytest.raises(StateConflict):
        apps.register_interest(people["applicant"], challenge)


@pytest.mark.parametrize("overrides, data, field, words", [
    ({"eligible_org_types": ["enterprise"]}, {}, "org_type", "企业"),
    ({"eligible_regions": ["210000"]}, {}, "region", "辽宁省"),
    ({"consortium": "required"}, {}, "consortium", "须以创新联合体"),
    ({"consortium": "not_allowed"}, {"consortium": "partner"}, "consortium", "不接受联合体"),
    ({}, {"proposal": ""}, "proposal", "揭榜方案"),
    ({}, {"technical_route": None}, "technical_route", "技术路线"),
])
def test_eligibility_is_checked_on_submit(people, overrides, data, field, words):
    challenge = challenge_of(people, **overrides)
    applicant = people["applicant"]
    application = apps.register_interest(applicant, challenge)
    values = {**PROPOSAL, **data}
    if values.get("consortium") == "partner":
        values["consortium"] = [{"org_id": f.organization("institute").id, "role": "检测"}]
    apps.update_application(applicant, application, values)
    with pytest.raises(ValidationFailed) as error:
        apps.submit_application(applicant, application)
    assert field in error.value.errors and words in error.value.errors[field][0]
    assert application.status == "interested"


def test_region_compares_provinces_and_type_lists_match(people):
    challenge = challenge_of(people, eligible_regions=["220000"], eligible_org_types=["university"],
                             consortium="required")
    lead = f.user(f.organization("university", region="220000"))
    application = apps.register_interest(lead, challenge)
    apps.update_application(lead, application, {**PROPOSAL, "consortium": [
        {"org_id": f.organization("enterprise").id, "role": "产业化"}]})
    apps.submit_application(lead, application)
    assert application.status == "submitted"
    with pytest.raises(ValidationFailed) as error:  # a submitted application stays eligible
        apps.update_application(lead, application, {"consortium": []})
    assert "consortium" in error.value.errors


def test_consortium_and_prior_results_rules(people):
    challenge = challenge_of(people)
    applicant = people["applicant"]
    application = apps.register_interest(applicant, challenge)
    for members, words in (([{"org_id": 999999, "role": "x"}], "不存在"),
                           ([{"org_id": applicant.org_id, "role": "x"}], "牵头单位"),
                           ([{"org_id": challenge.org_id, "role": "x"}], "发榜单位")):
        with pytest.raises(ValidationFailed) as error:
            apps.update_application(applicant, application, {"consortium": members})
        assert words in error.value.errors["consortium"][0]
    foreign = f.achievement(people["other"])
    with pytest.raises(ValidationFailed) as error:
        apps.update_application(applicant, application, {"achievement_ids": [foreign.id]})
    assert str(foreign.id) in error.value.errors["achievement_ids"][0]
    apps.update_application(applicant, application, {"consortium": [{"org_id": people["other"].org_id,
                                                                     "role": "样品制备"}]})
    patent = f.patent(people["other"])
    apps.update_application(applicant, application, {"achievement_ids": [foreign.id], "patent_ids": [patent.id]})
    assert application.achievement_ids == [foreign.id] and application.patent_ids == [patent.id]
    with pytest.raises(ValidationFailed) as error:  # the member's records would stay behind without it
        apps.update_application(applicant, application, {"consortium": []})
    assert "achievement_ids" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        apps.update_application(applicant, application, {"budget": "abc", "team": [{"title": "教授"}]})
    assert "budget" in error.value.errors and "team" in error.value.errors


def test_edit_and_withdraw_refused_after_the_deadline(people):
    challenge = challenge_of(people)
    applicant = people["applicant"]
    application = apps.register_interest(applicant, challenge)
    apps.update_application(applicant, application, PROPOSAL)
    apps.submit_application(applicant, application)
    past_deadline(challenge)
    with pytest.raises(StateConflict):
        apps.update_application(applicant, application, {"proposal": "改一改"})
    with pytest.raises(StateConflict):
        apps.withdraw_application(applicant, application)
    assert application.status == "submitted"


def test_withdraw_before_the_deadline(people):
    challenge = challenge_of(people)
    application = apps.register_interest(people["applicant"], challenge)
    with pytest.raises(PermissionDenied):
        apps.withdraw_application(people["issuer"], application)
    apps.withdraw_application(people["applicant"], application)
    assert application.status == "withdrawn"


def test_who_sees_an_application(people):
    challenge = challenge_of(people)
    applicant, other = people["applicant"], people["other"]
    mine = apps.register_interest(applicant, challenge)
    theirs = apps.register_interest(other, challenge)
    partner = f.user(f.organization("institute"))
    apps.update_application(applicant, mine, {"consortium": [{"org_id": partner.org_id, "role": "检测"}]})
    db.session.flush()
    with pytest.raises(NotFound):
        apps.get_application(other, mine.id)
    with pytest.raises(NotFound):
        apps.get_application(f.user(f.organization("enterprise")), mine.id)
    assert apps.get_application(partner, mine.id) is mine
    assert apps.get_application(people["issuer"], mine.id) is mine
    assert apps.get_application(people["broker"], mine.id) is mine
    assert apps.applications_visible_to(applicant, challenge) == [mine]
    assert apps.applications_visible_to(other, challenge) == [theirs]
    assert set(apps.applications_visible_to(people["issuer"], challenge)) == {mine, theirs}
    with pytest.raises(NotFound):  # others edit nothing they cannot see
        apps.update_application(other, mine, {"proposal": "x"})
