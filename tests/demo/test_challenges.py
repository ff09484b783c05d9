"""The demo's 揭榜挂帅 challenges: one at every stage, with applications, reviews, agreements and milestones made
through the services, dates in the past for the finished ones, public and searchable, loaded once."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func

from marketplace.challenges import reading
from marketplace.challenges.models import Challenge, ChallengeApplication, ChallengeMilestone, ChallengeReview
from marketplace.demo import loader
from marketplace.demo.challenges import SCENARIOS
from marketplace.demo.dataset import demo_dataset
from marketplace.extensions import db
from marketplace.indexing.models import OutboxEntry
from marketplace.taxonomy import INDUSTRIES, TECHNICAL_FIELDS
from marketplace.workflow.challenges import STAGE_LABELS
from werkzeug.datastructures import MultiDict


def test_scenarios_name_demo_organisations_and_vocabulary():
    data = demo_dataset(2026)
    orgs = {o["name"]: o for o in data["organizations"]}
    assert data["challenges"] is SCENARIOS and len(SCENARIOS) >= 8
    for scenario in SCENARIOS:
        assert orgs[scenario["org"]]["org_type"] in ("enterprise", "government"), scenario["key"]
        assert all(orgs[name]["org_type"] in ("university", "institute") for name, _ in scenario["applicants"])
        assert scenario["field"] in TECHNICAL_FIELDS and scenario["industry"] in INDUSTRIES


def test_demo_has_a_challenge_at_every_stage(app):
    with app.app_context():
        counts = loader.load_demo(seed=2026)
        db.session.commit()
        assert counts["challenges"] == {"created": len(SCENARIOS), "skipped": 0}
        challenges = {c.title: c for c in db.session.execute(db.select(Challenge)).scalars()}
        by_key = {s["key"]: challenges[s["title"]] for s in SCENARIOS}
        assert all(c.status == "published" for c in challenges.values())
        stages = {key: str(c.stage) for key, c in by_key.items()}
        assert stages == {"open": "open", "closing": "open", "reviewing": "reviewing", "awarded": "awarded",
                          "horse_race": "in_delivery", "returned": "in_delivery", "failed": "failed",
                          "accepted": "accepted", "cancelled": "cancelled"}
        assert set(stages.values()) >= set(STAGE_LABELS) - {"terminated", "unsuccessful"}

        today = date.today()
        assert all(by_key[k].application_deadline >= today for k in ("open", "closing"))  # countdowns
        assert (by_key["closing"].application_deadline - today).days == 5
        finished = [c for k, c in by_key.items() if k not in ("open", "closing")]
        assert all(c.application_deadline < today and c.published_at.date() < today for c in finished)

        reviewing = by_key["reviewing"]
        assert [a.status for a in reviewing.applications] == ["submitted"] * 3
        assert sum(r.status == "assigned" for a in reviewing.applications for r in a.reviews) == 1  # one still out
        race = by_key["horse_race"]
        assert sorted(str(a.status) for a in race.applications) == ["awarded", "awarded", "eliminated"]
        eliminated = next(a for a in race.applications if a.status == "eliminated")
        assert "淘汰" in eliminated.result_reason
        returned = [m for a in by_key["returned"].applications if a.agreement for m in a.agreement.milestones]
        assert [str(m.status) for m in returned] == ["returned", "planned"] and returned[0].return_reason
        assert not all(row["met"] for row in by_key["failed"].acceptance) and by_key["failed"].stage_reason
        assert all(row["met"] for row in by_key["accepted"].acceptance) and by_key["accepted"].reward_paid == 180
        assert by_key["cancelled"].stage_reason.startswith("企业调整技术路线")
        winners = [a for a in by_key["accepted"].applications if a.status == "awarded"]
        assert winners and all(m.status == "accepted" and m.paid_amount == m.tranche
                               for m in winners[0].agreement.milestones)
        assert all(m.paid_on <= today for m in db.session.execute(db.select(ChallengeMilestone)).scalars()
                   if m.paid_on)
        assert db.session.execute(db.select(func.count()).select_from(ChallengeReview)
                                  .where(ChallengeReview.status == "submitted")).scalar_one() >= 10
        lead_types = {a.organization.org_type for a in db.session.execute(db.select(ChallengeApplication)).scalars()}
        assert lead_types <= {"university", "institute"}

        open_now = reading.public_page(reading.parse_page(MultiDict({"open_now": "1"}))).items
        assert {c.id for c in open_now} == {by_key["open"].id, by_key["closing"].id}
        assert db.session.execute(db.select(func.count()).select_from(OutboxEntry)
                                  .where(OutboxEntry.kind == "challenge")).scalar_one() >= len(SCENARIOS)

        again = loader.load_demo(seed=2026)
        assert again["challenges"] == {"created": 0, "skipped": len(SCENARIOS)}
