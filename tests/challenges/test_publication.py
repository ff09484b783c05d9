"""Drafting, reviewing and publishing a 榜单, and who may issue one."""
from __future__ import annotations

import pytest

from marketplace.challenges import services
from marketplace.errors import PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from tests import factories as f
from tests.challenges.helpers import challenge_data, published_challenge


def test_an_enterprise_drafts_and_a_broker_publishes(ctx):
    enterprise = f.user(f.organization("enterprise"))
    broker = f.broker()
    challenge = published_challenge(enterprise, broker)
    db.session.commit()
    assert challenge.status == "published" and challenge.stage == "open"
    assert [i["metric"] for i in challenge.indicators] == ["室温离子电导率", "循环寿命"]
    assert challenge.max_winners == 1


def test_universities_do_not_issue_challenges(ctx):
    university = f.user(f.organization("university"))
    with pytest.raises(ValidationFailed) as error:
        services.create_challenge(university, challenge_data())
    assert "企业或政府部门" in error.value.message


def test_horse_race_needs_two_or_three_teams(ctx):
    enterprise = f.user(f.organization("enterprise"))
    with pytest.raises(ValidationFailed) as error:
        services.create_challenge(enterprise, challenge_data(funding_mode="horse_race", max_winners=1))
    assert "max_winners" in error.value.errors
    challenge = services.create_challenge(enterprise, challenge_data(funding_mode="horse_race"))
    assert challenge.max_winners == 2


def test_execution_needs_publication_and_the_issuer(ctx):
    enterprise = f.user(f.organization("enterprise"))
    other = f.user(f.organization("enterprise"))
    challenge = services.create_challenge(enterprise, challenge_data())
    with pytest.raises(StateConflict):
        services.close_applications(enterprise, challenge)  # a draft has no applications to close
    published = published_challenge(enterprise, f.broker())
    with pytest.raises(PermissionDenied):
        services.cancel(other, published, "不需要了")
    services.cancel(enterprise, published, "需求已由内部团队解决")
    assert published.stage == "cancelled" and published.stage_reason == "需求已由内部团队解决"
