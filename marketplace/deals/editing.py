"""Changing a recorded contract: editing its fields (staff, while it is not registered; optimistic locking on its
version), and the registration decisions and consents of its lifecycle (:data:`marketplace.workflow.deals.DEAL`):
register with the 16-digit 登记编号 and the date, refuse with a reason, resubmit, and each party's consent to the
public 成交公示. Every change goes through the lifecycle, which checks 404 → 403 → 409 and writes the audit event."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..errors import ValidationFailed
from ..extensions import db
from ..listing_edits import check_version
from ..timeutil import utcnow
from ..validation import Date, InputSchema, Text, load_or_raise
from ..web.messages import N_
from ..workflow.deals import DEAL
from .contract_input import PARTY_FIELDS, SCALAR_FIELDS, ContractInput, apply_contract
from .identifiers import is_valid_registration_number
from .labels import labelled
from .models import Deal
from .services import check_unique_numbers, load_contract

#: what registration owns: an edit never changes these (the register action and the importer set them)
REGISTRATION_OWNED = ("registration_number", "external_id")
EDITABLE = tuple(name for name in SCALAR_FIELDS if name not in REGISTRATION_OWNED)
#: fields with a default: left out (not cleared) when a whole contract omits them
DEFAULTED = ("equity_investment", "related_party", "plan_source", "ip_type")
#: what a whole contract (PUT, the page's form) clears when it leaves it out
OPTIONAL = tuple(name for name in EDITABLE if not ContractInput().fields[name].required)


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def contract_data(deal: Deal) -> dict:
    """The contract as input (:class:`ContractInput`'s shape): what an edit form starts from and what a partial
    update (PATCH) is merged onto."""
    data = {name: _plain(getattr(deal, name)) for name in SCALAR_FIELDS}
    data["parties"] = [{name: _plain(getattr(party, name)) for name in PARTY_FIELDS} for party in deal.parties]
    return {name: value for name, value in data.items() if value is not None}


def _changed(before: dict, after: dict) -> list[str]:
    return [name for name in (*EDITABLE, "parties") if before.get(name) != after.get(name)]


def edit_deal(actor, deal: Deal, data: dict, expected_version: int | None = None, *, partial: bool = False) -> Deal:
    """Change the contract's fields. ``partial`` (PATCH): ``data`` is merged onto the current contract (parties,
    when given, replace all parties); otherwise it is the whole contract and optional fields left out are cleared.
    The merged contract is validated as a whole. Staff only, not once registered (the lifecycle's ``edit``); a
    stale ``expected_version`` is a 409. Flushes, does not commit."""
    DEAL.check(actor, deal, "edit")
    check_version(deal, expected_version)
    for name in REGISTRATION_OWNED:
        if name in data and (data[name] or None) != getattr(deal, name):
            raise labelled(ValidationFailed(errors={name: [N_("登记编号和外部编号不能在这里修改：登记编号在「登记」操作中填写")]}))
    before = contract_data(deal)
    merged = {**before, **data} if partial else {**{name: None for name in OPTIONAL}, **data}
    for name in REGISTRATION_OWNED:
        merged.pop(name, None)
    loaded = load_contract({name: value for name, value in merged.items()
                            if value is not None or name not in DEFAULTED})
    check_unique_numbers(loaded, deal)
    apply_contract(deal, loaded)
    deal.updated_at = utcnow()  # the row changes even when only parties did: the version check always runs
    db.session.flush()
    changed = _changed(before, contract_data(deal))
    DEAL.apply(actor, deal, "edit", fields=",".join(changed) or "-")
    return deal


# -- the registration decisions -------------------------------------------------------------------------------------

class RegisterInput(InputSchema):
    registration_number = Text(required=True, max_length=16, metadata={"description": "合同登记编号（16 位数字）"})
    registered_on = Date(required=True, metadata={"description": "登记日期"})


class RefuseInput(InputSchema):
    reason = Text(required=True, max_length=2000, metadata={"description": "不予登记的原因"})


def register_deal(actor, deal: Deal, data: dict) -> Deal:
    """登记: the 16-digit 合同登记编号 (unique across contracts) and the date (not in the future, not before the
    signing date). Staff, from 待登记."""
    DEAL.check(actor, deal, "register")
    try:
        values = load_or_raise(RegisterInput(), data)
    except ValidationFailed as error:
        raise labelled(error) from None
    number, registered_on = values["registration_number"].strip(), values["registered_on"]
    errors = {}
    if not is_valid_registration_number(number):
        errors["registration_number"] = ["合同登记编号应为 16 位数字"]
    if registered_on > date.today():
        errors["registered_on"] = [N_("登记日期不能晚于今天")]
    elif registered_on < deal.signed_on:
        errors["registered_on"] = [N_("登记日期不能早于合同签订日期")]
    if errors:
        raise labelled(ValidationFailed(errors=errors))
    check_unique_numbers({"registration_number": number}, deal)
    DEAL.apply(actor, deal, "register", registration_number=number, registered_on=registered_on.isoformat())
    deal.registration_number, deal.registered_on = number, registered_on
    return deal


def refuse_deal(actor, deal: Deal, data: dict) -> Deal:
    """不予登记, with the reason (both parties see it). Staff, from 待登记."""
    DEAL.check(actor, deal, "refuse")
    reason = data.get("reason")
    DEAL.apply(actor, deal, "refuse", reason=reason if isinstance(reason, str) else "")
    return deal


def resubmit_deal(actor, deal: Deal, data: dict | None = None) -> Deal:
    """重新提交登记 after a refusal (the reason stays on record in the audit history)."""
    DEAL.apply(actor, deal, "resubmit")
    return deal


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "y"):
        return True
    if value is None or (isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off", "n", "")):
        return False
    raise labelled(ValidationFailed(errors={"consent": [N_("应为是或否")]}))


def consent_deal(actor, deal: Deal, data: dict | None = None) -> Deal:
    """A party's member agrees to (``consent`` true, the default) or withdraws from the public 成交公示: sets its
    own side's flag (both flags when the organisation is on both sides). Shown publicly only when both agree."""
    DEAL.check(actor, deal, "consent")
    agree = _flag((data or {}).get("consent", True))
    org_id = getattr(actor, "org_id", None)
    sides = [party.role for party in deal.parties if party.role in ("seller", "buyer") and party.org_id == org_id]
    if not sides and getattr(actor, "is_system", False):
        sides = ["seller", "buyer"]
    DEAL.apply(actor, deal, "consent", consent=agree, sides=",".join(sides))
    for side in sides:
        setattr(deal, f"{side}_consents_to_publish", agree)
    return deal


#: the lifecycle actions with their own inputs, as the page and the API call them
ACTIONS = {"register": register_deal, "refuse": refuse_deal, "resubmit": resubmit_deal, "consent": consent_deal}


def perform(actor, deal: Deal, action: str, data: dict | None = None, expected_version: int | None = None) -> Deal:
    """Apply registration action ``action`` (:data:`ACTIONS`) with its input ``data``; 404 for another name."""
    service = ACTIONS.get(action)
    if service is None:
        DEAL.transition(action)  # 404 for an unknown name
        raise ValidationFailed("此操作不在这里执行")
    DEAL.check(actor, deal, action)
    check_version(deal, expected_version)
    return service(actor, deal, data or {})
