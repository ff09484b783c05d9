"""Matching around challenges on the embedded engine: recommended solvers for the issuer and staff, and the open
challenges an achievement's page lists."""
from __future__ import annotations

from marketplace.accounts.models import User
from marketplace.challenges.models import Challenge
from marketplace.challenges.solvers import open_challenges_for, recommended_solvers
from marketplace.extensions import db
from tests.challenges.helpers import challenge_data, published_challenge
from tests.matching.conftest import ANODE, index_all, market  # noqa: F401
from tests.search_fixtures import search_engine  # noqa: F401

ANODE_CHALLENGE = challenge_data(
    title="高首效硅碳负极材料揭榜攻关", technical_field="new_materials",
    problem="需要克容量高于450mAh/g、首次库仑效率高于88%的硅碳负极材料，解决硅体积膨胀导致的循环衰减。",
    indicators=[{"metric": "克容量", "target": "≥450", "unit": "mAh/g"},
                {"metric": "首次库仑效率", "target": "≥88", "unit": "%"}])


def test_solvers_and_open_challenges(app, world, market, client):  # noqa: F811
    with app.test_request_context():
        issuer, broker = db.session.get(User, world.ids["other"]), db.session.get(User, world.ids["broker"])
        challenge_id = published_challenge(issuer, broker, **ANODE_CHALLENGE).id
        published_challenge(issuer, broker, title="盐碱地玉米增产技术征集", technical_field="agriculture",
                            problem="在盐碱地上提高玉米产量的综合技术方案，要求亩产提高15%以上。")
        db.session.commit()
        index_all()
        challenge = db.session.get(Challenge, challenge_id)
        solvers = recommended_solvers(challenge)
        assert solvers and solvers[0].org_id == world.ids["org_a"]
        assert solvers[0].achievements[0][0] == market.ids["anode"]
        assert all(s.org_id != challenge.org_id for s in solvers)
        from marketplace.achievements.models import Achievement
        anode = db.session.get(Achievement, market.ids["anode"])
        assert [c.id for c in open_challenges_for(anode)][:1] == [challenge_id]
        assert ANODE["title"] in client.get(f"/achievements/{anode.id}").get_data(as_text=True)
