"""Recording deals (technology contracts). The one way a contract comes into being — by a broker on the page or the
API, from an open licence taken in one step, from the pipeline, or by the importer — is :func:`record_deal`.
:func:`create_deal` is the staff's path (page and API): it resolves the records the contract came from (inquiry,
opportunity, the contract a 技术中介 contract brokered, …) and calls :func:`record_deal`."""
from __future__ import annotations

from marshmallow import fields, validate

from ..audit.services import record as audit
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..permissions import can_record_deals, can_see_deal, is_system, require
from ..validation import InputSchema, Int, load_or_raise
from ..web.messages import N_, tr
from ..workflow.deals import OPPORTUNITY
from .contract_input import ContractInput, apply_contract
from .identifiers import CHINA
from .labels import labelled
from .models import Deal, Opportunity
from .opportunities import agency_of
from .pipeline import link_deal
from .vocabularies import ORG_TYPE_NATURES

RECORDERS = "只有技术经纪人或平台管理员可以登记合同"
MAX_ID = 2**31 - 1
MAX_LINKS = 50


def party_from_org(org, role: str) -> dict:
    """A contract party pre-filled from a platform organisation (the user confirms or corrects it)."""
    nature = ORG_TYPE_NATURES.get(org.org_type, "150")
    flags = ["tech_transfer_agency"] if org.org_type == "broker_agency" else []
    if org.org_type in ("university", "institute"):
        flags.append("rd_institution")
    return {"role": role, "org_id": org.id, "name": org.name, "credit_code": getattr(org, "credit_code", None),
            "nature": nature, "country": CHINA, "region": org.region, "flags": flags}


def party_roles(data: dict) -> list[str]:
    """The roles of the submitted parties in order (a party's errors are keyed by its position)."""
    parties = data.get("parties")
    if not isinstance(parties, list):
        return []
    roles = [party.get("role") if isinstance(party, dict) else None for party in parties]
    return [role if isinstance(role, str) else None for role in roles]  # a role that is no text names no one


def load_contract(data: dict) -> dict:
    """``data`` validated by :class:`ContractInput`; a 422 whose message names every field in error in Chinese."""
    try:
        return load_or_raise(ContractInput(), data)
    except ValidationFailed as error:
        raise labelled(error, party_roles(data)) from None


def check_unique_numbers(loaded: dict, deal: Deal | None = None) -> None:
    """合同登记编号 and an imported record's external id are unique across contracts: a 422 naming the contract
    that holds it (the database's unique constraints catch a race: 409)."""
    errors = {}
    for name, message in (("registration_number", N_("该合同登记编号已用于合同「%(name)s」")),
                          ("external_id", N_("该外部编号已用于合同「%(name)s」"))):
        value = loaded.get(name)
        if not value:
            continue
        query = db.select(Deal.name).where(getattr(Deal, name) == value)
        if deal is not None and deal.id is not None:
            query = query.where(Deal.id != deal.id)
        holder = db.session.execute(query.limit(1)).scalar_one_or_none()
        if holder is not None:
            errors[name] = [tr(message, name=holder)]
    if errors:
        raise labelled(ValidationFailed(errors=errors))


def record_deal(actor, data: dict, *, authorised: bool = False, inquiry=None, demand=None, challenge=None,
                achievements=(), patents=(), broker=None, agency=None, underlying=None) -> Deal:
    """Validate ``data`` (:class:`ContractInput`), create the deal with its links and write the audit event
    ``deal.create``. Staff record deals; ``authorised=True`` is for a service that has checked its own rule
    (a licensee taking an open licence creates its 技术许可 deal). Flushes, does not commit."""
    require(authorised or can_record_deals(actor), RECORDERS)
    loaded = load_contract(data)
    check_unique_numbers(loaded)
    deal = Deal(created_by_id=getattr(actor, "id", None))
    apply_contract(deal, loaded)
    deal.inquiry, deal.demand, deal.challenge = inquiry, demand, challenge
    deal.achievements = list(achievements)
    deal.patents = list(patents)
    deal.broker = broker if broker is not None else (actor if getattr(actor, "is_broker", False) and
                                                      not is_system(actor) else None)
    deal.agency = agency
    deal.underlying_deal = underlying
    db.session.add(deal)
    db.session.flush()
    audit(actor if not is_system(actor) else None, "deal.create", deal,
          {"contract_type": deal.contract_type, "contract_subtype": deal.contract_subtype})
    return deal


def get_deal(actor, record_id: int) -> Deal:
    """The contract if ``actor`` may see it (both parties, staff); else 404, as for a missing id."""
    deal = db.session.get(Deal, record_id)
    if deal is None or not can_see_deal(actor, deal):
        raise NotFound()
    return deal


# -- the records a contract came from ------------------------------------------------------------------------------

def _id(**kw) -> fields.Int:
    return Int(1, MAX_ID, metadata=kw)


def _ids(description: str) -> fields.List:
    return fields.List(fields.Int(strict=False, validate=validate.Range(min=1, max=MAX_ID, error=N_("无效的编号")),
                                  error_messages={"invalid": N_("应为整数编号")}),
                       load_default=list, validate=validate.Length(max=MAX_LINKS, error=f"最多 {MAX_LINKS} 项"),
                       error_messages={"invalid": "应为列表"}, metadata={"description": description})


class LinksInput(InputSchema):
    """Where a contract came from: each id must name an existing record (422 naming the field otherwise)."""

    inquiry_id = _id(description="来源洽谈")
    opportunity_id = _id(description="来源商机（经纪人看板）；创建后该商机关联此合同")
    underlying_deal_id = _id(description="技术中介合同所中介的合同")
    demand_id = _id(description="来源技术需求")
    challenge_id = _id(description="来源揭榜挂帅榜单")
    achievement_ids = _ids("关联科技成果编号")
    patent_ids = _ids("关联专利编号")


def _models() -> dict:
    from ..achievements.models import Achievement
    from ..challenges.models import Challenge
    from ..demands.models import Demand
    from ..inquiries.models import Inquiry
    from ..patents.models import Patent

    return {"inquiry_id": Inquiry, "opportunity_id": Opportunity, "underlying_deal_id": Deal, "demand_id": Demand,
            "challenge_id": Challenge, "achievement_ids": Achievement, "patent_ids": Patent}


def resolve_links(data: dict) -> dict:
    """The records named by :class:`LinksInput` ids in ``data``: ``{"inquiry": Inquiry | None, ...,
    "achievements": [...], "patents": [...]}``; a missing id is a 422 on its field."""
    try:
        loaded = load_or_raise(LinksInput(), data)
    except ValidationFailed as error:
        raise labelled(error) from None
    found: dict = {}
    errors: dict = {}
    for name, model in _models().items():
        value = loaded.get(name)
        if name.endswith("_ids"):
            records = [db.session.get(model, record_id) for record_id in dict.fromkeys(value or [])]
            if any(record is None for record in records):
                errors[name] = [N_("编号不存在")]
            found[name[:-4] + "s"] = [record for record in records if record is not None]
        else:
            record = db.session.get(model, value) if value else None
            if value and record is None:
                errors[name] = [N_("编号不存在")]
            found[name[:-3]] = record
    if errors:
        raise labelled(ValidationFailed(errors=errors))
    return found


def create_deal(actor, data: dict, links: dict | None = None) -> Deal:
    """Staff record a contract (page and API): ``data`` is the contract (:class:`ContractInput`), ``links`` the
    ids of :class:`LinksInput`. From an opportunity, the opportunity's links, broker and agency carry over and the
    opportunity is linked to the new contract (:func:`pipeline.link_deal`: its broker of record, or an admin);
    from an inquiry, its broker."""
    require(can_record_deals(actor), RECORDERS)
    found = resolve_links(links or {})
    opportunity, inquiry, underlying = found["opportunity"], found["inquiry"], found["underlying_deal"]
    if opportunity is not None:
        OPPORTUNITY.check(actor, opportunity, "edit")
    achievements, patents = list(found["achievements"]), list(found["patents"])
    demand, challenge = found["demand"], found["challenge"]
    broker = agency = None
    if opportunity is not None:
        inquiry = inquiry or opportunity.inquiry
        demand, challenge = demand or opportunity.demand, challenge or opportunity.challenge
        if opportunity.achievement is not None and opportunity.achievement not in achievements:
            achievements.append(opportunity.achievement)
        if opportunity.patent is not None and opportunity.patent not in patents:
            patents.append(opportunity.patent)
        broker, agency = opportunity.broker, opportunity.agency
    if inquiry is not None and broker is None:
        broker = inquiry.broker
    if underlying is not None and broker is None:
        broker, agency = underlying.broker, underlying.agency
    if broker is None and getattr(actor, "is_broker", False) and not is_system(actor):
        broker = actor
    agency = agency or agency_of(broker)
    deal = record_deal(actor, data, inquiry=inquiry, demand=demand, challenge=challenge, achievements=achievements,
                       patents=patents, broker=broker, agency=agency, underlying=underlying)
    if opportunity is not None:
        link_deal(actor, opportunity, deal)  # audited; a lead or negotiation moves on to 签约
    return deal
