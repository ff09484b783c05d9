"""Money under a contract: payments received (到账, the basis of 当年到账金额) and rewards to individuals (现金 /
股权, for the annual conversion report). Recording one is the lifecycle's ``record_payment`` / ``record_reward``
(who may: staff, and the seller for payments), which writes the audit event; deleting one is checked by the same
rule and audited as ``deal.delete_payment`` / ``deal.delete_reward``."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from ..audit.services import record as audit
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import is_system
from ..validation import load_or_raise
from ..web.messages import N_
from ..workflow.deals import DEAL
from .contract_input import PaymentInput, RewardInput
from .labels import labelled
from .models import Deal, DealPayment, DealReward


def _load(schema, data: dict) -> dict:
    try:
        return load_or_raise(schema, data)
    except ValidationFailed as error:
        raise labelled(error) from None


def _audit(actor, action: str, deal: Deal, details: dict) -> None:
    audit(actor if not is_system(actor) else None, action, deal, details)


def add_payment(actor, deal: Deal, data: dict) -> DealPayment:
    """A payment received: date (not in the future) and amount in 万元. Flushes, does not commit."""
    DEAL.check(actor, deal, "record_payment")
    values = _load(PaymentInput(), data)
    errors = {}
    if values["received_on"] > date.today():
        errors["received_on"] = [N_("到账日期不能晚于今天")]
    if values["amount"] <= 0:
        errors["amount"] = [N_("到账金额应大于 0")]
    if errors:
        raise labelled(ValidationFailed(errors=errors))
    payment = DealPayment(received_on=values["received_on"], amount=values["amount"], note=values.get("note") or None)
    deal.payments.append(payment)
    db.session.flush()
    DEAL.apply(actor, deal, "record_payment", payment_id=payment.id, received_on=payment.received_on.isoformat(),
               amount=f"{payment.amount:f}")
    return payment


def delete_payment(actor, deal: Deal, payment_id: int) -> None:
    """Remove a payment recorded by mistake (same rule as recording one)."""
    DEAL.check(actor, deal, "record_payment")
    payment = next((p for p in deal.payments if p.id == payment_id), None)
    if payment is None:
        raise NotFound()
    _audit(actor, "deal.delete_payment", deal, {"payment_id": payment.id, "received_on":
                                                 payment.received_on.isoformat(), "amount": f"{payment.amount:f}"})
    deal.payments.remove(payment)
    db.session.flush()


def add_reward(actor, deal: Deal, data: dict) -> DealReward:
    """A reward to individuals: form (现金 / 股权), amount in 万元, number of persons, date. Staff."""
    DEAL.check(actor, deal, "record_reward")
    values = _load(RewardInput(), data)
    awarded_on = values.get("awarded_on")
    if awarded_on is not None and awarded_on > date.today():
        raise labelled(ValidationFailed(errors={"awarded_on": [N_("奖励日期不能晚于今天")]}))
    reward = DealReward(form=values["form"], amount=values["amount"], persons=values["persons"], awarded_on=awarded_on)
    deal.rewards.append(reward)
    db.session.flush()
    DEAL.apply(actor, deal, "record_reward", reward_id=reward.id, form=reward.form, amount=f"{reward.amount:f}",
               persons=reward.persons)
    return reward


def delete_reward(actor, deal: Deal, reward_id: int) -> None:
    DEAL.check(actor, deal, "record_reward")
    reward = next((r for r in deal.rewards if r.id == reward_id), None)
    if reward is None:
        raise NotFound()
    _audit(actor, "deal.delete_reward", deal, {"reward_id": reward.id, "form": reward.form,
                                                "amount": f"{reward.amount:f}", "persons": reward.persons})
    deal.rewards.remove(reward)
    db.session.flush()


def received_by_year(deal: Deal) -> list[tuple[int, Decimal]]:
    """Payments received per calendar year (当年到账金额), oldest first."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for payment in deal.payments:
        totals[payment.received_on.year] += payment.amount
    return sorted(totals.items())
