"""The broker pipeline: finding opportunities, moving them through their stages (every move through
:data:`marketplace.workflow.deals.OPPORTUNITY`), editing and re-attributing them, linking the contract, and the
board (columns by stage with counts and expected amounts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..audit.services import record as audit
from ..errors import NotFound, PermissionDenied, StateConflict, ValidationFailed
from ..extensions import db
from ..listing_edits import check_version
from ..permissions import can_see_opportunity, is_platform_admin, is_system
from ..validation import load_or_raise
from ..web.messages import N_, tr
from ..workflow.deals import DEAL, OPPORTUNITY, _deal_registered, _has_deal
from .opportunity_input import OpportunityEdit
from .models import Opportunity, OpportunityStage
from .opportunities import (ADMIN_ATTRIBUTES, agency_of, broker_for, clean_amount, clean_notes, clean_title)

#: the stage moves a page or the API may ask for (``edit`` is :func:`edit`)
MOVES = ("negotiate", "sign", "register", "perform", "win", "lose")
STAGES = [OpportunityStage(stage) for stage in OPPORTUNITY.states]
SIGN_NEEDS_DEAL = N_("签约前须先登记合同：请先点击「登记合同」录入合同并关联到此商机")
REGISTER_NEEDS_REGISTRATION = N_("合同尚未完成技术合同认定登记（当前：%(status)s），登记后才能标记为已登记")
ALREADY_ATTRIBUTED = N_("该商机已归属其他技术经纪人")
ONLY_BROKERS_TAKE = N_("只有技术经纪人可以认领线索")
DEAL_TAKEN = N_("该合同已关联到另一个商机")
OPTIONS = (joinedload(Opportunity.broker), joinedload(Opportunity.seller_org), joinedload(Opportunity.buyer_org),
           joinedload(Opportunity.agency))


def get_opportunity(actor, record_id: int) -> Opportunity:
    """The opportunity if ``actor`` may see it (staff), else 404 — the same answer as a missing id."""
    opportunity = db.session.get(Opportunity, record_id)
    if opportunity is None or not can_see_opportunity(actor, opportunity):
        raise NotFound()
    return opportunity


def actions(actor, opportunity) -> list[str]:
    """What ``actor`` may do now: the lifecycle's available transitions, and ``take`` on an unattributed one."""
    names = OPPORTUNITY.available(actor, opportunity)
    if can_take(actor, opportunity):
        names.append("take")
    return names


def can_take(actor, opportunity) -> bool:
    return (opportunity.broker_id is None and getattr(actor, "is_broker", False) and not is_system(actor)
            and OPPORTUNITY.can(actor, opportunity, "edit"))


def _attribute(opportunity, broker) -> None:
    opportunity.broker = broker
    opportunity.agency = agency_of(broker)


def _taken_by(actor, opportunity) -> bool:
    """An unattributed lead worked by a broker becomes theirs (admins work it without taking it)."""
    if opportunity.broker_id is None and not is_system(actor) and not is_platform_admin(actor) \
            and getattr(actor, "is_broker", False):
        _attribute(opportunity, actor)
        return True
    return False


def take(actor, opportunity, expected_version: int | None = None) -> Opportunity:
    """A broker takes an unattributed lead (认领): it is attributed to them and their agency."""
    check_version(opportunity, expected_version)
    OPPORTUNITY.check(actor, opportunity, "edit")  # 404 for non-staff, 403 when someone else's, 409 when closed
    if not getattr(actor, "is_broker", False) or is_system(actor):
        raise PermissionDenied(ONLY_BROKERS_TAKE)
    if opportunity.broker_id not in (None, actor.id):
        raise StateConflict(ALREADY_ATTRIBUTED)
    _attribute(opportunity, actor)
    db.session.flush()
    audit(actor, "opportunity.take", opportunity, {"broker_id": actor.id})
    return opportunity


def _refusal(actor, opportunity, name: str) -> str | None:
    """The specific 409 of a stage move whose condition on the contract fails (after visibility and permission)."""
    transition = OPPORTUNITY.transition(name)
    if not (OPPORTUNITY.visible(actor, opportunity) and OPPORTUNITY.permits(actor, transition, opportunity)):
        return None
    if str(opportunity.stage) not in transition.source:
        return None
    if name == "sign" and not _has_deal(opportunity):
        return tr(SIGN_NEEDS_DEAL)
    if name == "register" and not _deal_registered(opportunity):
        if opportunity.deal is None:
            return tr(SIGN_NEEDS_DEAL)
        return tr(REGISTER_NEEDS_REGISTRATION, status=DEAL.state_label(opportunity.deal.registration_status))
    return None


def move(actor, opportunity, name: str, *, reason: str | None = None,
         expected_version: int | None = None) -> Opportunity:
    """Apply stage move ``name`` (:data:`MOVES`): 404 for non-staff, 403 for another broker's opportunity, 409 on
    the wrong stage (signing needs a contract; 登记 needs the contract registered), 422 to lose without a reason.
    A broker moving an unattributed lead takes it."""
    if name not in MOVES:
        raise NotFound()
    check_version(opportunity, expected_version)
    refusal = _refusal(actor, opportunity, name)
    if refusal is not None:
        raise StateConflict(refusal)
    OPPORTUNITY.apply(actor, opportunity, name, **({"reason": reason} if name == "lose" else {}))
    _taken_by(actor, opportunity)
    db.session.flush()
    return opportunity


def edit(actor, opportunity, data: dict, expected_version: int | None = None) -> Opportunity:
    """Change the title, notes or expected amount (the broker of record, admins); ``broker_id`` re-attributes
    (admins only). Audited ``opportunity.edit`` with the changed fields."""
    check_version(opportunity, expected_version)
    OPPORTUNITY.apply(actor, opportunity, "edit")
    values = load_or_raise(OpportunityEdit(), data, partial=True)
    changed: dict = {}
    if "title" in values:
        _set(opportunity, "title", clean_title(values["title"]), changed)
    if "notes" in values:
        _set(opportunity, "notes", clean_notes(values["notes"]), changed)
    if "expected_amount" in values:
        _set(opportunity, "expected_amount", clean_amount(values["expected_amount"]), changed)
    if "broker_id" in values and values["broker_id"] != opportunity.broker_id:
        if not (is_platform_admin(actor) or is_system(actor)):
            raise PermissionDenied(ADMIN_ATTRIBUTES)
        broker = broker_for(actor, values["broker_id"])
        _attribute(opportunity, broker)
        changed["broker_id"] = values["broker_id"]
    elif not changed:
        return opportunity
    _taken_by(actor, opportunity)
    db.session.flush()
    audit(actor, "opportunity.edit", opportunity, {"fields": sorted(changed)})
    return opportunity


def _set(opportunity, name: str, value, changed: dict) -> None:
    if getattr(opportunity, name) != value:
        setattr(opportunity, name, value)
        changed[name] = True


def link_deal(actor, opportunity, deal) -> Opportunity:
    """The contract recorded for this opportunity: linked, and the opportunity moves on to 签约 when it was still a
    lead or in negotiation (the deals pages call this after ``record_deal``)."""
    OPPORTUNITY.check(actor, opportunity, "edit")  # 404 for non-staff, 403 for another broker's, 409 when closed
    taken = db.session.execute(db.select(Opportunity.id).where(Opportunity.deal_id == deal.id,
                                                               Opportunity.id != opportunity.id)).first()
    if taken is not None:
        raise StateConflict(DEAL_TAKEN)
    opportunity.deal = deal
    db.session.flush()
    audit(actor, "opportunity.link_deal", opportunity, {"deal_id": deal.id})
    if OPPORTUNITY.can(actor, opportunity, "sign"):
        OPPORTUNITY.apply(actor, opportunity, "sign")
        _taken_by(actor, opportunity)
        db.session.flush()
    return opportunity


# -- the board ------------------------------------------------------------------------------------------------------

@dataclass
class Column:
    stage: OpportunityStage
    count: int = 0
    amount: Decimal = Decimal("0")
    items: list[Opportunity] = field(default_factory=list)


def filtered(actor, *, scope: str = "mine", broker_id: int | None = None, agency_id: int | None = None,
             source: str | None = None, stage: str | None = None):
    """The SELECT of the opportunities ``actor`` asked for (staff only: 404 for anyone else, like a missing page)."""
    if not can_see_opportunity(actor):
        raise NotFound()
    query = db.select(Opportunity)
    if broker_id is not None:
        query = query.where(Opportunity.broker_id == broker_id)
    elif scope == "mine":
        query = query.where(Opportunity.broker_id == getattr(actor, "id", None))
    elif scope == "unassigned":
        query = query.where(Opportunity.broker_id.is_(None))
    elif scope != "all":
        raise ValidationFailed(errors={"scope": [N_("范围应为 mine、unassigned 或 all")]})
    if agency_id is not None:
        query = query.where(Opportunity.agency_org_id == agency_id)
    if source:
        query = query.where(Opportunity.source == source)
    if stage:
        query = query.where(Opportunity.stage == stage)
    return query


def board(actor, *, per_column: int = 50, **filters) -> list[Column]:
    """The board's columns in stage order: each with its count, the sum of expected amounts and its newest
    ``per_column`` opportunities."""
    query = filtered(actor, **filters)
    columns = {stage: Column(stage) for stage in STAGES}
    sub = query.subquery()
    totals = db.session.execute(db.select(sub.c.stage, func.count(), func.sum(sub.c.expected_amount))
                                .group_by(sub.c.stage)).all()
    for stage, count, amount in totals:
        column = columns[OpportunityStage(stage)]
        column.count = count
        column.amount = Decimal(str(amount or 0)).quantize(Decimal("0.0001"))
    for column in columns.values():
        if column.count:
            column.items = list(db.session.execute(
                query.where(Opportunity.stage == column.stage).options(*OPTIONS)
                .order_by(Opportunity.id.desc()).limit(per_column)).unique().scalars())
    return list(columns.values())


def brokers() -> list[User]:
    """Active brokers and admins, for the board's filter and the re-attribution select."""
    return list(db.session.execute(db.select(User).where(User.platform_role.in_(("broker", "admin")),
                                                         User.active.is_(True)).order_by(User.name)).scalars())
