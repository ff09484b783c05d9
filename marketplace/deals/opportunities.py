"""Opening opportunities (商机) on the broker pipeline. Every way a lead comes into being — by hand, from an
inquiry, from a match recommendation, from an awarded 揭榜 application, from an open-licence request — ends in
:func:`open_opportunity`. Moving its stage is :mod:`marketplace.deals.pipeline`."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..audit.services import record as audit
from ..errors import ValidationFailed
from ..extensions import db
from ..permissions import is_system
from ..workflow import SYSTEM
from ..workflow.deals import OPPORTUNITY
from .models import Opportunity
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
        raise ValidationFailed(errors={"source": [f"无效的来源：{source}"]})
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
