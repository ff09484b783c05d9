"""Keeping the statistics' summary tables (:class:`~.models.ContractFact` and its money by year,
:class:`~.models.ContractMoney`) in step with the contracts.

Every flush that creates, changes or deletes a contract, one of its parties, payments or rewards re-derives those
contracts' rows in the same transaction (an ``after_flush`` listener): a refused contract loses its rows, a
resubmitted one gets them back. Writers that bypass the ORM (bulk inserts) call :func:`refresh` with the ids they
wrote, or with none to re-derive every row."""
from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from sqlalchemy import BigInteger, case, cast, delete, event, func, insert, literal, select
from sqlalchemy.orm import Session

from ..deals.models import Deal, DealParty, DealPayment, DealReward, RegistrationStatus
from .contracts import BUYER, SELLER, nature_group, province, units, with_parties
from .models import ContractFact, ContractMoney

CHUNK = 500
DEALS = Deal.__table__
FACTS = ContractFact.__table__
MONEY = ContractMoney.__table__
PAYMENTS, REWARDS = DealPayment.__table__, DealReward.__table__
COLUMNS = ["deal_id", "signed_on", "year", "month", "contract_type", "kind", "category", "technical_field", "ip_type",
           "plan_source", "seller_type", "buyer_type", "seller_province", "buyer_province", "seller_org_id",
           "seller_name", "broker_id", "total_units", "technical_units"]


MONEY_COLUMNS = ["kind", "seller_type", "year", "form", "deal_id", "seller_province", "buyer_province",
                 "technical_field", "seller_org_id", "units", "persons"]


def _year(column):
    return cast(func.extract("year", column), BigInteger)


def derivation():
    """The summary rows of the counted contracts, derived from the deals and their parties (Core: runs inside a
    flush)."""
    deal = DEALS.c
    year = _year(deal.signed_on)
    month = year * 100 + cast(func.extract("month", deal.signed_on), BigInteger)
    statement = select(
        deal.id, deal.signed_on, year, month, deal.contract_type, deal.contract_type + literal(".") +
        deal.contract_subtype, case((deal.equity_investment.is_(True), literal("equity")), else_=deal.contract_type),
        deal.technical_field, deal.ip_type, deal.plan_source, nature_group(SELLER), nature_group(BUYER),
        province(SELLER), province(BUYER), SELLER.c.org_id, SELLER.c.name, deal.broker_id, units(deal.total_amount),
        units(deal.technical_amount)).select_from(DEALS)
    return with_parties(statement).where(deal.registration_status != RegistrationStatus.REFUSED.value)


def money_derivations():
    """The money rows of the counted contracts (payments, then rewards), derived from their payments, rewards and
    summary rows (which must be derived first)."""
    fact, payment, reward = FACTS.c, PAYMENTS.c, REWARDS.c
    carried = (fact.seller_province, fact.buyer_province, fact.technical_field, fact.seller_org_id)
    received = _year(payment.received_on)
    payments = select(literal("payment"), fact.seller_type, received, literal(""), fact.deal_id, *carried,
                      func.sum(units(payment.amount)), literal(0)) \
        .select_from(FACTS.join(PAYMENTS, payment.deal_id == fact.deal_id)) \
        .group_by(fact.deal_id, received, fact.seller_type, *carried)
    awarded = _year(func.coalesce(reward.awarded_on, fact.signed_on))
    rewards = select(literal("reward"), fact.seller_type, awarded, reward.form, fact.deal_id, *carried,
                     func.sum(units(reward.amount)), func.sum(reward.persons)) \
        .select_from(FACTS.join(REWARDS, reward.deal_id == fact.deal_id)) \
        .group_by(fact.deal_id, awarded, reward.form, fact.seller_type, *carried)
    return payments, rewards


def refresh(connection, deal_ids: Iterable[int] | None = None) -> None:
    """Re-derive the summary rows and money rows of ``deal_ids`` (every contract when None) on ``connection``."""
    if deal_ids is None:
        connection.execute(delete(MONEY))
        connection.execute(delete(FACTS))
        connection.execute(insert(FACTS).from_select(COLUMNS, derivation()))
        for statement in money_derivations():
            connection.execute(insert(MONEY).from_select(MONEY_COLUMNS, statement))
        return
    ids = sorted(set(deal_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        connection.execute(delete(MONEY).where(MONEY.c.deal_id.in_(chunk)))
        connection.execute(delete(FACTS).where(FACTS.c.deal_id.in_(chunk)))
        connection.execute(insert(FACTS).from_select(COLUMNS, derivation().where(DEALS.c.id.in_(chunk))))
        for statement in money_derivations():
            connection.execute(insert(MONEY).from_select(MONEY_COLUMNS,
                                                         statement.where(FACTS.c.deal_id.in_(chunk))))


def _touched(session) -> set[int]:
    ids = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Deal):
            ids.add(obj.id)
        elif isinstance(obj, (DealParty, DealPayment, DealReward)):
            ids.add(obj.deal_id)
    ids.discard(None)
    return ids


@event.listens_for(Session, "after_flush")
def _refresh_touched_contracts(session, flush_context) -> None:
    ids = _touched(session)
    if ids:
        refresh(session.connection(), ids)
