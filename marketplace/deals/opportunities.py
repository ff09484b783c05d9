"""Opening opportunities (商机) on the broker pipeline. Every way a lead comes into being — by hand
(:func:`create_opportunity`), from an inquiry (:func:`from_inquiry`), from a match recommendation
(:func:`from_recommendation`), from an awarded 揭榜 application (:func:`from_awarded_application`), from an
open-licence request (the licensing service) — ends in :func:`open_opportunity`. Moving its stage and editing it is
:mod:`marketplace.deals.pipeline`."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..accounts.models import Organization, User
from ..achievements.models import Achievement
from ..audit.services import record as audit
from ..challenges.models import Challenge
from ..demands.models import Demand
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..inquiries.models import Inquiry
from ..patents.models import Patent
from ..permissions import can_see_opportunity, in_inquiry_thread, is_platform_admin, is_system, require
from ..validation import invalid_choice, load_or_raise
from ..web.messages import N_
from ..workflow import SYSTEM
from ..workflow.deals import OPPORTUNITY
from .opportunity_input import OpportunityInput
from .models import Opportunity, OpportunityStage
from .vocabularies import OPPORTUNITY_SOURCES

TITLE_MAX = 200
NOTES_MAX = 5000
AMOUNT_MAX = Decimal("10000000")  # 万元: 1000 亿


def attributed_broker(actor, broker=None, inquiry=None):
    """Who the opportunity is attributed to: ``broker`` if given, else the actor if a broker, else the inquiry's."""
    if broker is not None:
        return broker
    if getattr(actor, "is_broker", False) and not is_system(actor):
        return actor
    return getattr(inquiry, "broker", None)


def agency_of(broker):
    """The broker's organisation when it is a technology transfer agency (技术转移机构), else None."""
    org = getattr(broker, "organization", None)
    return org if org is not None and org.org_type == "broker_agency" else None


def clean_title(title) -> str:
    title = (title or "").strip() if isinstance(title, str) or title is None else None
    if title is None:
        raise ValidationFailed(errors={"title": ["请输入文本"]})
    if not title:
        raise ValidationFailed(errors={"title": ["此项为必填项"]})
    if len(title) > TITLE_MAX:
        raise ValidationFailed(errors={"title": [f"不能超过 {TITLE_MAX} 个字符"]})
    return title


def clean_notes(notes) -> str | None:
    if notes is None:
        return None
    if not isinstance(notes, str):
        raise ValidationFailed(errors={"notes": ["请输入文本"]})
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        raise ValidationFailed(errors={"notes": [f"不能超过 {NOTES_MAX} 个字符"]})
    return notes or None


def clean_amount(amount) -> Decimal | None:
    """An expected amount in 万元 (Decimal, 0 … 1000 亿, 4 places), or None."""
    if amount is None or amount == "":
        return None
    if isinstance(amount, float):
        amount = repr(amount)
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(errors={"expected_amount": ["请输入有效的金额（单位：万元）"]}) from None
    if not value.is_finite() or value < 0 or value > AMOUNT_MAX:
        raise ValidationFailed(errors={"expected_amount": ["金额应为 0 到 1000 亿之间的数字（单位：万元）"]})
    return value.quantize(Decimal("0.0001"))


def open_opportunity(actor, *, source: str, title: str, inquiry=None, achievement=None, patent=None, demand=None,
                     challenge=None, seller_org=None, buyer_org=None, broker=None, deal=None, expected_amount=None,
                     notes=None) -> Opportunity:
    """Open an opportunity from ``source`` (:data:`OPPORTUNITY_SOURCES`) and write the audit event
    ``opportunity.create``. Attribution: ``broker`` if given, else ``actor`` if a broker, else the inquiry's
    broker (None: an unattributed lead any broker may take); the agency is the broker's organisation when it is a
    技术转移机构. With a ``deal`` the opportunity moves on to 签约 (``sign``, as the platform).

    Checks no permission: callers check their own rule (hand entry: staff; a licence request: the licensee may
    take the licence). Flushes, does not commit."""
    if source not in OPPORTUNITY_SOURCES:
        raise ValidationFailed(errors={"source": [invalid_choice(N_("来源"), source)]})
    broker = attributed_broker(actor, broker, inquiry)
    opportunity = Opportunity(
        source=source, title=clean_title(title), inquiry=inquiry, achievement=achievement, patent=patent,
        demand=demand, challenge=challenge, seller_org=seller_org, buyer_org=buyer_org, broker=broker,
        agency=agency_of(broker), expected_amount=clean_amount(expected_amount), notes=clean_notes(notes),
        created_by_id=None if is_system(actor) else getattr(actor, "id", None),
    )
    db.session.add(opportunity)
    db.session.flush()
    audit(None if is_system(actor) else actor, "opportunity.create", opportunity,
          {"source": source, **({"broker_id": broker.id} if broker is not None else {})})
    if deal is not None:
        opportunity.deal = deal
        OPPORTUNITY.apply(SYSTEM, opportunity, "sign")
        db.session.flush()
    return opportunity


# -- the sources -------------------------------------------------------------------------------------------------------

STAFF_ONLY = N_("只有技术经纪人或平台管理员可以建立商机")
ADMIN_ATTRIBUTES = N_("只有平台管理员可以把商机归属给其他技术经纪人")
NOT_A_BROKER = N_("该用户不是技术经纪人")
NO_SUCH_RECORD = N_("没有这个编号的记录")

#: the input field of each linked record, and its model
LINKS = {"seller_org_id": Organization, "buyer_org_id": Organization, "achievement_id": Achievement,
         "patent_id": Patent, "demand_id": Demand, "challenge_id": Challenge}


def require_staff(actor) -> None:
    require(can_see_opportunity(actor), STAFF_ONLY)


def broker_for(actor, broker_id: int | None):
    """The broker named by ``broker_id`` (admins attribute to anyone; a broker only to themselves)."""
    if broker_id is None:
        return None
    if not (is_system(actor) or is_platform_admin(actor)) and broker_id != getattr(actor, "id", None):
        raise PermissionDenied(ADMIN_ATTRIBUTES)
    broker = db.session.get(User, broker_id)
    if broker is None or not broker.is_broker or not broker.active:
        raise ValidationFailed(errors={"broker_id": [NOT_A_BROKER]})
    return broker


def linked_records(values: dict) -> dict:
    """``{"seller_org": Organization, ...}`` for the ids in ``values`` (422 on the field when one does not exist)."""
    found, errors = {}, {}
    for field, model in LINKS.items():
        record_id = values.get(field)
        if record_id is None:
            continue
        record = db.session.get(model, record_id)
        if record is None:
            errors[field] = [NO_SUCH_RECORD]
        found[field.removesuffix("_id")] = record
    if errors:
        raise ValidationFailed(errors=errors)
    return found


def create_opportunity(actor, data: dict) -> Opportunity:
    """Staff enter an opportunity by hand (source ``manual``), or from an inquiry when ``inquiry_id`` is given."""
    require_staff(actor)
    values = load_or_raise(OpportunityInput(), data)
    if values.get("inquiry_id") is not None:
        inquiry = db.session.get(Inquiry, values["inquiry_id"])
        if inquiry is None:
            raise ValidationFailed(errors={"inquiry_id": [NO_SUCH_RECORD]})
        return from_inquiry(actor, inquiry, broker=broker_for(actor, values.get("broker_id")))
    return open_opportunity(actor, source="manual", title=values.get("title"),
                            broker=broker_for(actor, values.get("broker_id")),
                            expected_amount=values.get("expected_amount"), notes=values.get("notes"),
                            **linked_records(values))


def existing(**criteria) -> Opportunity | None:
    """The first opportunity matching ``criteria`` (column = value), lost ones left out."""
    query = db.select(Opportunity).filter_by(**criteria).where(Opportunity.stage != OpportunityStage.LOST)
    return db.session.execute(query.order_by(Opportunity.id).limit(1)).scalar_one_or_none()


def for_inquiry(inquiry) -> Opportunity | None:
    """The opportunity opened from ``inquiry``, if any (the latest)."""
    query = db.select(Opportunity).where(Opportunity.inquiry_id == inquiry.id).order_by(Opportunity.id.desc())
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def inquiry_parties(inquiry) -> tuple:
    """(seller, buyer) organisations of an inquiry: an achievement's or patent's holder sells to the asker; a demand's
    or a challenge's issuer buys (so the asker, who offers to solve it, is the seller)."""
    if inquiry.subject_kind in ("demand", "challenge"):
        return inquiry.asker_org, inquiry.holder_org
    return inquiry.holder_org, inquiry.asker_org


SUBJECT_MODELS = {"achievement": Achievement, "patent": Patent, "demand": Demand, "challenge": Challenge}


def from_inquiry(actor, inquiry, *, broker=None) -> Opportunity:
    """A broker turns an inquiry into an opportunity (source ``inquiry``): the subject linked, the parties from the
    inquiry, the budget as the expected amount. An inquiry already turned into an open opportunity gives that one.
    The thread is private: a broker other than its own (admins excepted) gets 404, as for the inquiry itself."""
    require_staff(actor)
    if not (is_system(actor) or is_platform_admin(actor) or in_inquiry_thread(actor, inquiry)):
        raise NotFound()
    found = for_inquiry(inquiry)
    if found is not None and found.stage != OpportunityStage.LOST:
        return found
    subject = db.session.get(SUBJECT_MODELS[inquiry.subject_kind], inquiry.subject_id) \
        if inquiry.subject_kind in SUBJECT_MODELS else None
    seller, buyer = inquiry_parties(inquiry)
    return open_opportunity(actor, source="inquiry", title=inquiry.subject_title, inquiry=inquiry,
                            seller_org=seller, buyer_org=buyer, broker=broker, expected_amount=inquiry.budget,
                            **({inquiry.subject_kind: subject} if subject is not None else {}))


def from_recommendation(actor, demand, kind: str, target) -> Opportunity:
    """A broker who recommends a match opens a lead (source ``match``): the target's holder sells to the demand's
    organisation. The same pair already open gives that opportunity."""
    require_staff(actor)
    link = {"achievement": target} if kind == "achievement" else {"patent": target}
    found = existing(source="match", demand_id=demand.id, **{f"{kind}_id": target.id})
    if found is not None:
        return found
    title = f"{demand.title} ⇄ {target.title}"[:TITLE_MAX]
    return open_opportunity(actor, source="match", title=title, demand=demand, seller_org=target.organization,
                            buyer_org=demand.organization, **link)


def from_awarded_application(actor, application) -> Opportunity:
    """An awarded 揭榜 application becomes an opportunity (source ``challenge``): the applicant sells to the issuer
    for the challenge's reward. One per application (applicant and challenge)."""
    challenge = application.challenge
    found = existing(source="challenge", challenge_id=challenge.id, seller_org_id=application.org_id)
    if found is not None:
        return found
    title = f"{challenge.title} · {application.organization.name}"[:TITLE_MAX]
    return open_opportunity(actor, source="challenge", title=title, challenge=challenge,
                            seller_org=application.organization, buyer_org=challenge.organization,
                            expected_amount=challenge.reward_amount)
