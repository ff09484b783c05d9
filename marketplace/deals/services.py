"""Recording deals (technology contracts). The one way a contract comes into being — by a broker on the page or the
API, from an open licence taken in one step, from the pipeline, or by the importer — is :func:`record_deal`."""
from __future__ import annotations

from ..audit.services import record as audit
from ..extensions import db
from ..permissions import can_record_deals, is_system, require
from ..validation import load_or_raise
from .contract_input import ContractInput, apply_contract
from .identifiers import CHINA
from .models import Deal
from .vocabularies import ORG_TYPE_NATURES

RECORDERS = "只有技术经纪人或平台管理员可以登记合同"


def party_from_org(org, role: str) -> dict:
    """A contract party pre-filled from a platform organisation (the user confirms or corrects it)."""
    nature = ORG_TYPE_NATURES.get(org.org_type, "150")
    flags = ["tech_transfer_agency"] if org.org_type == "broker_agency" else []
    if org.org_type in ("university", "institute"):
        flags.append("rd_institution")
    return {"role": role, "org_id": org.id, "name": org.name, "credit_code": getattr(org, "credit_code", None),
            "nature": nature, "country": CHINA, "region": org.region, "flags": flags}


def record_deal(actor, data: dict, *, authorised: bool = False, inquiry=None, demand=None, challenge=None,
                achievements=(), patents=(), broker=None, agency=None, underlying=None) -> Deal:
    """Validate ``data`` (:class:`ContractInput`), create the deal with its links and write the audit event
    ``deal.create``. Staff record deals; ``authorised=True`` is for a service that has checked its own rule
    (a licensee taking an open licence creates its 技术许可 deal). Flushes, does not commit."""
    require(authorised or can_record_deals(actor), RECORDERS)
    loaded = load_or_raise(ContractInput(), data)
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
