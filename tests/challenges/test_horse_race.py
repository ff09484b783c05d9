"""赛马: three teams in parallel; a checkpoint eliminates one with a reason, cancels its open milestones and moves
its unpaid funding to the others (exact decimals)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.challenges import delivery, horse_race
from marketplace.errors import PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from tests.challenges.delivery_helpers import agreement_data, awarded, signed

FUNDING = ("100", "100", "100")


def _race():
    s = awarded(teams=3)
    signed(s, lambda i: agreement_data(funding=FUNDING[i], tranches=("40", "60")))
    return s


def _open_funding(s) -> Decimal:
    return sum((m.tranche for a in s.applications for m in a.agreement.milestones if m.status != "cancelled"),
               start=Decimal("0"))


def test_split_is_exact_with_the_remainder_to_the_first():
    assert horse_race.split(Decimal("100.00"), [Decimal("1"), Decimal("1"), Decimal("1")]) == \
        [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert horse_race.split(Decimal("0.05"), [Decimal("150"), Decimal("50")]) == [Decimal("0.04"), Decimal("0.01")]


def test_a_checkpoint_eliminates_a_team_and_moves_its_funding(ctx):
    s = _race()
    a, b, c = s.applications
    before = _open_funding(s)
    first = a.agreement.milestones[0]
    delivery.submit_evidence(s.teams[0], first, "阶段成果")
    delivery.accept_milestone(s.issuer, first)
    delivery.record_payment(s.issuer, first, "40", first.due_on.today())  # team A got its first tranche
    details = horse_race.checkpoint(s.issuer, s.challenge, [
        {"application_id": a.id, "passed": False, "reason": "电导率仅达到目标的一半"},
        {"application_id": b.id, "passed": True},
        {"application_id": c.id, "passed": True, "reason": "达到阶段目标"},
    ])
    db.session.flush()
    assert a.status == "eliminated" and a.result_reason == "电导率仅达到目标的一半"
    assert [m.status for m in a.agreement.milestones] == ["accepted", "cancelled"]
    assert details["freed"] == "60.00"  # the paid first tranche stays with team A
    assert [m.tranche for m in b.agreement.milestones] == [Decimal("70.00"), Decimal("60.00")]
    assert [m.tranche for m in c.agreement.milestones] == [Decimal("70.00"), Decimal("60.00")]
    assert b.agreement.funding == c.agreement.funding == Decimal("130.00")
    assert _open_funding(s) == before  # nothing lost: A's cancelled 60 went to B and C
    assert sum(m.tranche for m in b.agreement.milestones) == b.agreement.funding
    event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "challenge.checkpoint")).scalar_one()
    assert event.details["eliminated"] == [a.id] and sum(Decimal(m["amount"]) for m in event.details["moved"]) == 60


def test_uneven_funding_moves_in_proportion_exactly(ctx):
    s = awarded(teams=3)
    signed(s, lambda i: agreement_data(funding=("100", "150", "50")[i],
                                       tranches=(("33.33", "66.67"), ("75", "75"), ("10", "40"))[i]))
    a, b, c = s.applications
    horse_race.checkpoint(s.issuer, s.challenge, [
        {"application_id": a.id, "passed": False, "reason": "进度落后"},
        {"application_id": b.id, "passed": True}, {"application_id": c.id, "passed": True}])
    assert b.agreement.milestones[0].tranche == Decimal("150.00")  # 75 + 100 × 150/200
    assert c.agreement.milestones[0].tranche == Decimal("35.00")  # 10 + 100 × 50/200
    assert b.agreement.funding + c.agreement.funding == Decimal("300.00")


def test_checkpoint_rules(ctx):
    s = _race()
    a, b, c = s.applications
    with pytest.raises(PermissionDenied):
        horse_race.checkpoint(s.teams[1], s.challenge, [])
    with pytest.raises(ValidationFailed) as error:  # every team once
        horse_race.checkpoint(s.issuer, s.challenge, [{"application_id": a.id, "passed": True}])
    assert "results" in error.value.errors
    with pytest.raises(ValidationFailed) as error:  # an elimination needs its reason
        horse_race.checkpoint(s.issuer, s.challenge, [
            {"application_id": a.id, "passed": False}, {"application_id": b.id, "passed": True},
            {"application_id": c.id, "passed": True}])
    assert "reason" in error.value.errors["results"]["0"]
    with pytest.raises(ValidationFailed) as error:  # at least one team remains: terminate instead
        horse_race.checkpoint(s.issuer, s.challenge, [
            {"application_id": x.id, "passed": False, "reason": "落后"} for x in (a, b, c)])
    assert "终止" in error.value.errors["results"][0]
    assert all(x.status == "awarded" for x in (a, b, c))


def test_only_horse_races_in_delivery_have_checkpoints(ctx):
    s = awarded()
    signed(s)
    with pytest.raises(StateConflict):
        horse_race.checkpoint(s.issuer, s.challenge, [{"application_id": s.applications[0].id, "passed": True}])
