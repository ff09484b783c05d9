"""签约/军令状 and 里程碑 through the services: agreement validations, signing, the delivery start, evidence →
return → resubmit → accept → payment, the overdue pass, extension, acceptance, termination and cancellation."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace.alerts.models import Notification
from marketplace.audit.models import AuditEvent
from marketplace.challenges import delivery, overdue, services
from marketplace.errors import PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from tests import factories as f
from tests.challenges.delivery_helpers import agreement_data, awarded, signed
from tests.challenges.helpers import published_challenge


def test_tranches_must_sum_exactly_to_the_funding(ctx):
    s = awarded()
    with pytest.raises(ValidationFailed) as error:
        delivery.draft_agreement(s.issuer, s.applications[0], agreement_data(tranches=("60", "39.99")))
    assert "应等于资助总额" in error.value.errors["milestones"][0]
    agreement = delivery.draft_agreement(s.issuer, s.applications[0], agreement_data(tranches=("60.01", "39.99")))
    assert [m.tranche for m in agreement.milestones] == [Decimal("60.01"), Decimal("39.99")]


def test_due_dates_ascending_and_within_the_completion_deadline(ctx):
    s = awarded()
    with pytest.raises(ValidationFailed) as error:
        delivery.draft_agreement(s.issuer, s.applications[0], agreement_data(dues=(200, 60)))
    assert "先后" in error.value.errors["milestones"]["1"]["due_on"][0]
    with pytest.raises(ValidationFailed) as error:
        delivery.draft_agreement(s.issuer, s.applications[0], agreement_data(dues=(60, 401)))
    assert "完成期限" in error.value.errors["milestones"]["1"]["due_on"][0]
    bad_ref = agreement_data()
    bad_ref["milestones"][0]["indicator_refs"] = [2]  # the challenge has two indicators: 0 and 1
    with pytest.raises(ValidationFailed) as error:
        delivery.draft_agreement(s.issuer, s.applications[0], bad_ref)
    assert "indicator_refs" in error.value.errors["milestones"]["0"]
    with pytest.raises(ValidationFailed) as error:  # more than the 榜额 of 500
        delivery.draft_agreement(s.issuer, s.applications[0], agreement_data(funding="600", tranches=("300", "300")))
    assert "funding" in error.value.errors


def test_redrafting_replaces_the_milestones_until_signed(ctx):
    s = awarded()
    agreement = delivery.draft_agreement(s.issuer, s.applications[0], agreement_data())
    again = delivery.draft_agreement(s.issuer, s.applications[0],
                                     agreement_data(funding="90", tranches=("30", "30", "30"), dues=(30, 90, 300)))
    db.session.flush()
    assert again is agreement and [m.seq for m in agreement.milestones] == [1, 2, 3]
    assert agreement.funding == Decimal("90")
    with pytest.raises(PermissionDenied):
        delivery.draft_agreement(s.teams[0], s.applications[0], agreement_data())
    delivery.sign_agreement(s.issuer, agreement, date.today(), date.today())
    with pytest.raises(StateConflict):
        delivery.draft_agreement(s.issuer, s.applications[0], agreement_data())


def test_signing_needs_both_dates_and_records_the_first_tranche_share(ctx):
    s = awarded()
    agreement = delivery.draft_agreement(s.issuer, s.applications[0], agreement_data(tranches=("60", "40")))
    with pytest.raises(ValidationFailed) as error:
        delivery.sign_agreement(s.issuer, agreement, date.today(), None)
    assert "team_signed_on" in error.value.errors
    with pytest.raises(PermissionDenied):
        delivery.sign_agreement(s.teams[0], agreement, date.today(), date.today())
    delivery.sign_agreement(s.issuer, agreement, date.today() - timedelta(days=1), date.today())
    assert agreement.status == "signed" and agreement.first_tranche_share == Decimal("60.00")
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "challenge_agreement.sign")).scalar_one().target_id == agreement.id


def test_delivery_starts_only_when_every_winner_signed(ctx):
    s = awarded(teams=2)
    first = delivery.draft_agreement(s.issuer, s.applications[0], agreement_data())
    delivery.sign_agreement(s.issuer, first, date.today(), date.today())
    with pytest.raises(ValidationFailed):
        services.start_delivery(s.issuer, s.challenge)
    second = delivery.draft_agreement(s.issuer, s.applications[1], agreement_data())
    delivery.sign_agreement(s.issuer, second, date.today(), date.today())
    services.start_delivery(s.issuer, s.challenge)
    assert s.challenge.stage == "in_delivery"


def test_evidence_returned_resubmitted_accepted_and_paid(ctx):
    s = awarded()
    signed(s)
    milestone = s.applications[0].agreement.milestones[0]
    with pytest.raises(ValidationFailed) as error:
        delivery.submit_evidence(s.teams[0], milestone, "  ")
    assert "evidence" in error.value.errors
    with pytest.raises(PermissionDenied):  # the issuer does not submit the team's evidence
        delivery.submit_evidence(s.issuer, milestone, "检测报告")
    delivery.submit_evidence(s.teams[0], milestone, "第三方检测报告：电导率 0.8×10⁻³ S/cm")
    with pytest.raises(PermissionDenied):  # the team cannot accept its own milestone
        delivery.accept_milestone(s.teams[0], milestone)
    with pytest.raises(ValidationFailed) as error:
        delivery.return_milestone(s.issuer, milestone, "")
    assert "reason" in error.value.errors
    delivery.return_milestone(s.issuer, milestone, "电导率未达到阶段目标，请补充复测数据")
    assert milestone.status == "returned" and milestone.return_reason.startswith("电导率")
    with pytest.raises(StateConflict):
        delivery.record_payment(s.issuer, milestone, "10", date.today())
    delivery.submit_evidence(s.teams[0], milestone, "复测报告：电导率 1.1×10⁻³ S/cm")
    assert milestone.status == "submitted" and milestone.return_reason is None
    delivery.accept_milestone(s.issuer, milestone)
    with pytest.raises(ValidationFailed) as error:
        delivery.record_payment(s.issuer, milestone, "60.01", date.today())
    assert "amount" in error.value.errors
    delivery.record_payment(s.issuer, milestone, "40", date.today())
    delivery.record_payment(s.issuer, milestone, Decimal("20"), date.today())
    with pytest.raises(ValidationFailed):
        delivery.record_payment(s.issuer, milestone, "0.01", date.today())
    assert milestone.paid_amount == Decimal("60")
    assert delivery.paid_total(s.applications[0].agreement) == Decimal("60")
    assert delivery.challenge_paid_total(s.challenge) == Decimal("60")


def test_overdue_milestones_are_flagged_once_and_notified(ctx):
    s = awarded()
    signed(s)
    db.session.commit()
    later = date.today() + timedelta(days=61)  # the first milestone (due in 60 days) is overdue then
    assert overdue.flag_overdue(date.today()) == 0
    assert overdue.flag_overdue(later) == 1
    db.session.commit()
    first, second = s.applications[0].agreement.milestones
    assert first.overdue_notified_at is not None and second.overdue_notified_at is None
    notified = {n.user_id for n in db.session.execute(db.select(Notification).where(
        Notification.subject_type == "challenge_milestone", Notification.subject_id == first.id)).scalars()}
    assert {s.teams[0].id, s.issuer.id} <= notified
    assert overdue.flag_overdue(later) == 0  # idempotent


def test_one_extension_of_at_most_a_year(ctx):
    s = awarded()
    signed(s)
    deadline = s.challenge.completion_deadline
    with pytest.raises(ValidationFailed) as error:
        services.extend(s.issuer, s.challenge, deadline + timedelta(days=400), "设备到货延迟")
    assert "extended_to" in error.value.errors
    services.extend(s.issuer, s.challenge, deadline + timedelta(days=180), "设备到货延迟")
    assert s.challenge.effective_completion_deadline == deadline + timedelta(days=180)
    with pytest.raises(StateConflict):
        services.extend(s.issuer, s.challenge, deadline + timedelta(days=200), "再次延期")


def _results(*met: bool) -> list[dict]:
    return [{"met": m, "measured": "1.2×10⁻³" if m else "0.5×10⁻³", "evidence": "检测报告"} for m in met]


def test_failed_acceptance_keeps_the_per_indicator_results(ctx):
    s = awarded()
    signed(s)
    with pytest.raises(ValidationFailed):  # one indicator not met: cannot pass
        services.conclude(s.issuer, s.challenge, "accept", _results(True, False))
    with pytest.raises(ValidationFailed) as error:  # a failure needs its reason
        services.conclude(s.issuer, s.challenge, "fail", _results(True, False))
    assert "reason" in error.value.errors
    services.conclude(s.issuer, s.challenge, "fail", _results(True, False), reason="循环寿命未达标")
    assert s.challenge.stage == "failed" and [row["met"] for row in s.challenge.acceptance] == [True, False]


def test_accepted_when_every_indicator_is_met(ctx):
    s = awarded(funding_mode="award")
    signed(s)
    services.conclude(s.issuer, s.challenge, "accept", _results(True, True), reward_paid=Decimal("100"))
    assert s.challenge.stage == "accepted" and s.challenge.reward_paid == Decimal("100")


def test_terminate_with_a_reason(ctx):
    s = awarded()
    signed(s)
    with pytest.raises(ValidationFailed):
        services.conclude(s.issuer, s.challenge, "terminate")
    services.conclude(s.issuer, s.challenge, "terminate", reason="技术路线被证明不可行")
    assert s.challenge.stage == "terminated" and s.challenge.stage_reason == "技术路线被证明不可行"


def test_cancellation_before_the_award_only(ctx):
    issuer = f.user(f.organization("enterprise"))
    challenge = published_challenge(issuer, f.broker())
    services.cancel(issuer, challenge, "需求已由内部团队解决")
    assert challenge.stage == "cancelled"
    s = awarded()
    with pytest.raises(StateConflict):
        services.cancel(s.issuer, s.challenge, "不想做了")


def test_another_organisation_cannot_see_a_milestone(ctx):
    from marketplace.errors import NotFound

    s = awarded()
    signed(s)
    stranger = f.user(f.organization("enterprise"))
    milestone = s.applications[0].agreement.milestones[0]
    with pytest.raises(NotFound):
        delivery.get_milestone(milestone.id, stranger)
    with pytest.raises(NotFound):
        delivery.submit_evidence(stranger, milestone, "冒充")


def test_flag_overdue_cli(ctx, runner):
    s = awarded()
    signed(s)
    db.session.commit()
    later = (date.today() + timedelta(days=300)).isoformat()  # both milestones overdue then
    result = runner.invoke(args=["challenges", "flag-overdue", "--today", later])
    assert result.exit_code == 0 and "2 overdue milestones" in result.output
    result = runner.invoke(args=["challenges", "flag-overdue", "--today", later])
    assert "0 overdue milestones" in result.output
