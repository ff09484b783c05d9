"""What a new contract's form starts with: the parties from the organisations involved (:func:`party_from_org`),
the 技术领域 mapped from the listing's field, the type guessed from the cooperation mode asked for, and the links
to the records it came from. From an inquiry or an opportunity (seller = the holder of the achievement or patent,
buyer = the side that wants it; for a demand or a challenge the one who answers it is the seller), or a 技术中介
contract for a contract the platform brokered (the broker's agency as 中介方)."""
from __future__ import annotations

from datetime import date

from ..errors import NotFound
from ..extensions import db
from .models import Deal, Opportunity
from .opportunities import agency_of, inquiry_parties
from .services import party_from_org
from .vocabularies import FIELD_TO_CONTRACT_FIELD

#: an inquiry's cooperation mode (taxonomy.TRANSFER_MODES) → contract type and sub-type (patent subject, other)
MODE_KINDS: dict[str, tuple[str, str, str]] = {
    "assignment": ("transfer", "patent", "know_how"),
    "licence": ("licence", "patent_ordinary", "know_how"),
    "equity": ("transfer", "patent", "know_how"),
    "joint_development": ("development", "cooperative", "cooperative"),
    "service": ("service", "general", "general"),
}


def _subject(kind: str, record_id: int):
    from ..achievements.models import Achievement
    from ..challenges.models import Challenge
    from ..demands.models import Demand
    from ..patents.models import Patent

    model = {"achievement": Achievement, "patent": Patent, "demand": Demand, "challenge": Challenge}.get(kind)
    return db.session.get(model, record_id) if model is not None and record_id else None


def _field(*records) -> str | None:
    for record in records:
        field = getattr(record, "technical_field", None) if record is not None else None
        if field in FIELD_TO_CONTRACT_FIELD:
            return FIELD_TO_CONTRACT_FIELD[field]
    return None


def _amount(value) -> str | None:
    """万元 as the form shows it: ``Decimal("80.0000")`` → ``"80"``."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _get(model, record_id):
    record = db.session.get(model, record_id) if record_id else None
    if record_id and record is None:
        raise NotFound()
    return record


def from_inquiry(inquiry) -> tuple[dict, dict]:
    """``(contract, links)`` pre-filled from an inquiry about a listing."""
    subject = _subject(inquiry.subject_kind, inquiry.subject_id)
    seller, buyer = inquiry_parties(inquiry)
    kind = MODE_KINDS.get(inquiry.cooperation_mode)
    contract = {"name": inquiry.subject_title, "parties": _parties(seller, buyer),
                "technical_field": _field(subject), "total_amount": _amount(inquiry.budget)}
    if kind:
        contract["contract_type"] = kind[0]
        contract["contract_subtype"] = kind[1] if inquiry.subject_kind == "patent" else kind[2]
        if inquiry.cooperation_mode == "equity":
            contract.update(equity_investment=True, payment_method="equity")
    links = {"inquiry_id": inquiry.id, f"{inquiry.subject_kind}_id": inquiry.subject_id}
    if inquiry.subject_kind in ("achievement", "patent"):
        links = {"inquiry_id": inquiry.id, f"{inquiry.subject_kind}_ids": [inquiry.subject_id]}
    return contract, links


def from_opportunity(opportunity: Opportunity) -> tuple[dict, dict]:
    """``(contract, links)`` pre-filled from an opportunity on the broker pipeline."""
    contract, links = from_inquiry(opportunity.inquiry) if opportunity.inquiry is not None else ({}, {})
    by_role = {party["role"]: party for party in contract.get("parties", [])}
    for role, org in (("seller", opportunity.seller_org), ("buyer", opportunity.buyer_org)):
        if org is not None:
            by_role[role] = party_from_org(org, role)
    if by_role:
        contract["parties"] = [by_role[role] for role in ("seller", "buyer") if role in by_role]
    contract["name"] = opportunity.title or contract.get("name")
    contract["technical_field"] = _field(opportunity.achievement, opportunity.demand, opportunity.challenge) \
        or contract.get("technical_field")
    if opportunity.expected_amount is not None:
        contract["total_amount"] = _amount(opportunity.expected_amount)
    links["opportunity_id"] = opportunity.id
    for name in ("achievement", "patent"):
        if getattr(opportunity, f"{name}_id"):
            links[f"{name}_ids"] = sorted({*links.get(f"{name}_ids", []), getattr(opportunity, f"{name}_id")})
    for name in ("demand", "challenge", "inquiry"):
        if getattr(opportunity, f"{name}_id"):
            links[f"{name}_id"] = getattr(opportunity, f"{name}_id")
    return contract, links


def from_underlying(underlying: Deal, actor) -> tuple[dict, dict]:
    """``(contract, links)`` of a 技术中介 contract for ``underlying``: its parties, with the broker's agency (the
    contract's broker, else the one recording it) as 中介方."""
    broker = underlying.broker or actor
    agency = underlying.agency or agency_of(broker)
    parties = [_copy_party(party) for party in underlying.parties if party.role in ("seller", "buyer")]
    if agency is not None:
        parties.append(party_from_org(agency, "intermediary"))
    contract = {"name": f"{underlying.name}（技术中介）", "contract_type": "service",
                "contract_subtype": "intermediary", "technical_field": underlying.technical_field,
                "plan_source": underlying.plan_source, "ip_type": underlying.ip_type, "parties": parties}
    links = {"underlying_deal_id": underlying.id, "inquiry_id": underlying.inquiry_id,
             "demand_id": underlying.demand_id, "challenge_id": underlying.challenge_id,
             "achievement_ids": [a.id for a in underlying.achievements],
             "patent_ids": [p.id for p in underlying.patents]}
    return contract, {name: value for name, value in links.items() if value}


def _parties(seller, buyer) -> list[dict]:
    parties = []
    if seller is not None:
        parties.append(party_from_org(seller, "seller"))
    if buyer is not None:
        parties.append(party_from_org(buyer, "buyer"))
    return parties


def _copy_party(party) -> dict:
    from .contract_input import PARTY_FIELDS

    return {name: getattr(party, name) for name in PARTY_FIELDS}


def new_contract(actor, *, inquiry_id=None, opportunity_id=None, underlying_id=None) -> tuple[dict, dict]:
    """``(contract, links)`` a new contract's form starts with (404 for an id that does not exist)."""
    from ..inquiries.models import Inquiry

    contract: dict = {"signed_on": date.today().isoformat(), "payment_method": "lump_sum", "plan_source": "none",
                      "ip_type": "none"}
    links: dict = {}
    sources = ((underlying_id, Deal, lambda r: from_underlying(r, actor)), (opportunity_id, Opportunity,
               from_opportunity), (inquiry_id, Inquiry, from_inquiry))
    for record_id, model, build in sources:
        record = _get(model, record_id)
        if record is not None:
            more, more_links = build(record)
            contract.update({name: value for name, value in more.items() if value not in (None, "", [])})
            links.update(more_links)
            break
    return contract, links
