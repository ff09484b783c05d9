"""评审: rubric, reviewer assignment with recusal, scoring, declared conflicts, ranking, shortlist, defence and the
structured result."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.challenges import applications as apps
from marketplace.challenges import experts, reviews, services
from marketplace.errors import Conflict, NotFound, PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from tests import factories as f
from tests.challenges.helpers import published_challenge

PROPOSAL = {"proposal": "硫化物固态电解质方案", "technical_route": "材料筛选 → 中试 → 电芯验证"}
RUBRIC = {"criteria": [
    {"name": "技术先进性", "weight": "60", "min": 0, "max": 100, "comments_required": True},
    {"name": "团队能力", "weight": "40", "min": 1, "max": 10},
]}


@pytest.fixture
def setup(ctx):
    issuer = f.user(f.organization("enterprise"))
    broker = f.broker()
    challenge = published_challenge(issuer, broker)
    leads = [f.user(f.organization("university")), f.user(f.organization("institute"))]
    partner = f.organization("enterprise")
    applications = []
    for lead in leads:
        application = apps.register_interest(lead, challenge)
        apps.update_application(lead, application, PROPOSAL)
        apps.submit_application(lead, application)
        applications.append(application)
    apps.update_application(leads[0], applications[0], {"consortium": [{"org_id": partner.id, "role": "中试"}]})
    reviews.set_rubric(broker, challenge, RUBRIC)
    services.close_applications(issuer, challenge)
    db.session.flush()
    return {"issuer": issuer, "broker": broker, "challenge": challenge, "leads": leads, "partner": partner,
            "applications": applications, "expert": expert(broker, f.user(f.organization("institute"), email=None)),
            "expert2": expert(broker, f.user()), "outsider": f.user(f.organization("enterprise"))}


def expert(broker, user):
    """``user`` with an active profile in the 评审专家库."""
    experts.set_expert_profile(broker, user, {"fields": ["new_energy"], "active": True})
    return user


def score(review, actor, tech=80, team=8):
    return reviews.submit_review(actor, review, {"技术先进性": tech, "团队能力": team}, {"技术先进性": "路线可行"})


def test_rubric_is_staff_only_and_validated(setup):
    challenge = setup["challenge"]
    with pytest.raises(PermissionDenied):
        reviews.set_rubric(setup["issuer"], challenge, RUBRIC)
    with pytest.raises(ValidationFailed) as error:
        reviews.set_rubric(setup["broker"], challenge, {"criteria": [{"name": "a", "weight": "0", "min": 5, "max": 1}]})
    assert "criteria" in error.value.errors
    assert challenge.rubric[0] == {"name": "技术先进性", "weight": 60.0, "min": 0, "max": 100,
                                   "comments_required": True}


@pytest.mark.parametrize("who, words", [("lead", "申请单位"), ("partner", "联合体成员单位"), ("issuer", "发榜单位")])
def test_recusal_refuses_conflicted_reviewers(setup, who, words):
    application = setup["applications"][0]
    org = {"lead": setup["leads"][0].organization, "partner": setup["partner"],
           "issuer": setup["issuer"].organization}[who]
    reviewer = expert(setup["broker"], f.user(org))
    with pytest.raises(ValidationFailed) as error:
        reviews.assign_reviewer(setup["broker"], application, reviewer)
    assert words in error.value.errors["reviewer_id"][0] and org.name in error.value.errors["reviewer_id"][0]
    assert application.reviews == []


def test_assignment_is_staff_only_and_once(setup):
    application = setup["applications"][0]
    with pytest.raises(PermissionDenied):
        reviews.assign_reviewer(setup["issuer"], application, setup["expert"])
    reviews.assign_reviewer(setup["broker"], application, setup["expert"])
    with pytest.raises(Conflict):
        reviews.assign_reviewer(setup["broker"], application, setup["expert"])


def test_scores_must_cover_the_rubric(setup):
    review = reviews.assign_reviewer(setup["broker"], setup["applications"][0], setup["expert"])
    with pytest.raises(NotFound):  # another user does not see the review at all
        score(review, setup["expert2"])
    with pytest.raises(ValidationFailed) as error:
        reviews.submit_review(setup["expert"], review, {"技术先进性": 101, "团队能力": "x", "创新性": 3}, {})
    errors = error.value.errors["scores"]
    assert {"技术先进性", "团队能力", "创新性"} <= set(errors)
    assert "0 到 100" in errors["技术先进性"][0] and "须填写评语" in errors["技术先进性"][1]
    score(review, setup["expert"])
    assert review.status == "submitted" and review.scores == {"技术先进性": 80.0, "团队能力": 8.0}
    with pytest.raises(StateConflict):
        score(review, setup["expert"])
    with pytest.raises(StateConflict):  # the rubric is fixed once a review is in
        reviews.set_rubric(setup["broker"], setup["challenge"], RUBRIC)


def test_reviewer_sees_only_assigned_applications(setup):
    first, second = setup["applications"]
    expert, challenge = setup["expert"], setup["challenge"]
    reviews.assign_reviewer(setup["broker"], first, expert)
    db.session.flush()
    assert apps.applications_visible_to(expert, challenge) == [first]
    assert apps.get_application(expert, first.id) is first
    with pytest.raises(NotFound):
        apps.get_application(expert, second.id)
    assert set(apps.applications_visible_to(setup["issuer"], challenge)) == {first, second}
    with pytest.raises(NotFound):
        apps.get_application(setup["outsider"], first.id)


def test_declared_conflict(setup):
    application = setup["applications"][0]
    review = reviews.assign_reviewer(setup["broker"], application, setup["expert"])
    with pytest.raises(ValidationFailed):
        reviews.declare_conflict(setup["expert"], review, "  ")
    reviews.declare_conflict(setup["expert"], review, "曾与申请团队合作发表论文")
    assert review.status == "recused" and review.conflict_reason == "曾与申请团队合作发表论文"
    db.session.flush()
    with pytest.raises(NotFound):  # a recused reviewer no longer sees the application
        apps.get_application(setup["expert"], application.id)


def test_ranking_waits_for_every_review_then_weights_the_means(setup):
    first, second = setup["applications"]
    broker, challenge = setup["broker"], setup["challenge"]
    r1 = reviews.assign_reviewer(broker, first, setup["expert"])
    r2 = reviews.assign_reviewer(broker, first, setup["expert2"])
    r3 = reviews.assign_reviewer(broker, second, setup["expert"])
    score(r1, setup["expert"], 80, 10)
    score(r3, setup["expert"], 50, 5.5)
    with pytest.raises(ValidationFailed) as error:
        reviews.rank(challenge)
    assert "评审尚未完成" in error.value.errors["reviews"][0]
    assert first.score is None
    with pytest.raises(PermissionDenied):
        reviews.rank(challenge, setup["outsider"])
    score(r2, setup["expert2"], 60, 10)
    ordered = reviews.rank(challenge, setup["issuer"])
    # first: 0.6 × 0.70 + 0.4 × 1.0 = 0.82; second: 0.6 × 0.50 + 0.4 × 0.5 = 0.50
    assert ordered == [first, second]
    assert first.score == Decimal("82.000") and first.rank == 1
    assert second.score == Decimal("50.000") and second.rank == 2
    assert reviews.ranking(setup["issuer"], challenge) == [first, second]


def test_shortlist_and_defence(setup):
    first = setup["applications"][0]
    with pytest.raises(PermissionDenied):
        reviews.shortlist(setup["leads"][0], first)
    reviews.shortlist(setup["issuer"], first)
    assert first.status == "shortlisted"
    with pytest.raises(ValidationFailed) as error:
        reviews.schedule_defence(setup["issuer"], setup["challenge"], datetime(2027, 3, 1, 9), "")
    assert "place" in error.value.errors
    reviews.schedule_defence(setup["issuer"], setup["challenge"], datetime(2027, 3, 1, 9), "长春市科技大厦 3 楼")
    assert setup["challenge"].defence_place == "长春市科技大厦 3 楼"


def test_structured_result_is_anonymous_and_waits_for_the_decision(setup):
    first, second = setup["applications"]
    broker, challenge, lead = setup["broker"], setup["challenge"], setup["leads"][1]
    reviewers = [setup["expert"], setup["expert2"]]
    for reviewer in reviewers:
        score(reviews.assign_reviewer(broker, first, reviewer), reviewer, 90, 9)
        score(reviews.assign_reviewer(broker, second, reviewer), reviewer, 40, 4)
    reviews.rank(challenge)
    with pytest.raises(StateConflict):
        apps.structured_result(lead, second)
    services.award(setup["issuer"], challenge, [first.id], reason=None)
    result = apps.structured_result(lead, second)
    assert result["outcome"] == "not_selected" and result["reason"] and result["rank"] == 2
    assert result["ranked_among"] == 2 and result["reviews"] == 2
    assert [c["mean"] for c in result["criteria"]] == [40.0, 4.0]
    assert result["comments"] == [{"criterion": "技术先进性", "comment": "路线可行"}] * 2
    text = repr(result)
    for reviewer in reviewers:
        assert reviewer.name not in text and reviewer.email not in text
    assert "reviewer" not in text
    with pytest.raises(NotFound):
        apps.structured_result(setup["leads"][0], second)
