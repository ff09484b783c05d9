"""What the API answers about contracts, and the documented request bodies.

Amounts (万元) are answered as JSON strings with 4 decimals ("120.5000"), exact like the ``Numeric`` column: a JSON
number would pass through binary floating point in most clients. Requests may send amounts as strings or numbers
(both are read as exact decimals, at most 4 places), as the other amount fields of the API accept."""
from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from ..taxonomy import label
from ..validation import InputSchema, UtcDateTime
from ..workflow.deals import DEAL
from .contract_input import ContractInput, PaymentInput, RewardInput
from .editing import RefuseInput, RegisterInput
from .services import LinksInput
from .vocabularies import CONTRACT_FIELDS, CONTRACT_SUBTYPES, CONTRACT_TYPES


def Amount(description: str = "万元（字符串，4 位小数）") -> fields.Decimal:  # noqa: N802  (a field factory)
    return fields.Decimal(places=4, as_string=True, metadata={"description": description})


def _subtype_label(deal) -> str:
    return label(CONTRACT_SUBTYPES.get(deal.contract_type, {}), deal.contract_subtype)


class PartyOut(Schema):
    role = fields.Str()
    org_id = fields.Int(allow_none=True)
    name = fields.Str()
    credit_code = fields.Str(allow_none=True)
    nature = fields.Str(metadata={"description": "主体性质代码"})
    country = fields.Str()
    region = fields.Str(allow_none=True)
    flags = fields.List(fields.Str())
    enterprise_size = fields.Str(allow_none=True)
    industry = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    legal_representative = fields.Str(allow_none=True)
    contact = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    postcode = fields.Str(allow_none=True)


class PaymentOut(Schema):
    id = fields.Int()
    received_on = fields.Date()
    amount = Amount()
    note = fields.Str(allow_none=True)


class RewardOut(Schema):
    id = fields.Int()
    form = fields.Str(metadata={"enum": ["cash", "equity"]})
    amount = Amount()
    persons = fields.Int()
    awarded_on = fields.Date(allow_none=True)


class DealSummaryOut(Schema):
    """A contract in a list."""

    id = fields.Int()
    name = fields.Str()
    contract_type = fields.Str(metadata={"enum": list(CONTRACT_TYPES)})
    contract_type_label = fields.Function(lambda d: label(CONTRACT_TYPES, d.contract_type))
    contract_subtype = fields.Str()
    contract_subtype_label = fields.Function(_subtype_label)
    total_amount = Amount()
    technical_amount = Amount()
    signed_on = fields.Date()
    technical_field = fields.Str(metadata={"enum": list(CONTRACT_FIELDS)})
    registration_status = fields.Str(metadata={"enum": DEAL.states})
    registration_status_label = fields.Function(lambda d: DEAL.state_label(d.registration_status))
    registration_number = fields.Str(allow_none=True)
    seller_name = fields.Function(lambda d: d.seller.name if d.seller else None)
    buyer_name = fields.Function(lambda d: d.buyer.name if d.buyer else None)
    version = fields.Int()


class DealOut(DealSummaryOut):
    """A contract with every field of the registration form, its parties, payments and rewards."""

    equity_investment = fields.Bool()
    payment_method = fields.Str()
    related_party = fields.Bool()
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    plan_source = fields.Str()
    ip_type = fields.Str()
    socio_economic_goal = fields.Str(allow_none=True)
    registration_reason = fields.Str(allow_none=True, metadata={"description": "不予登记的原因"})
    registered_on = fields.Date(allow_none=True)
    seller_consents_to_publish = fields.Bool()
    buyer_consents_to_publish = fields.Bool()
    external_id = fields.Str(allow_none=True)
    notes = fields.Str(allow_none=True)
    parties = fields.List(fields.Nested(PartyOut))
    payments = fields.List(fields.Nested(PaymentOut))
    received_amount = Amount("已到账合计，万元（字符串，4 位小数）")
    rewards = fields.List(fields.Nested(RewardOut))
    inquiry_id = fields.Int(allow_none=True)
    demand_id = fields.Int(allow_none=True)
    challenge_id = fields.Int(allow_none=True)
    underlying_deal_id = fields.Int(allow_none=True)
    achievement_ids = fields.Function(lambda d: [a.id for a in d.achievements])
    patent_ids = fields.Function(lambda d: [p.id for p in d.patents])
    broker_id = fields.Int(allow_none=True)
    agency_org_id = fields.Int(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    actions = fields.Function(lambda d: DEAL.available(current_user, d),
                              metadata={"type": "array", "items": {"type": "string"},
                                        "description": "调用者现在可以执行的操作，例如 [\"edit\", \"register\"]"})


# -- documented request bodies (the services validate) ----------------------------------------------------------------

class DealCreateBody(ContractInput, LinksInput):
    """A new contract: the registration form's fields and parties, and the records it came from."""


class DealPaymentBody(PaymentInput):
    """A payment received: date and amount in 万元 (a string or a number, at most 4 decimals)."""


class DealRewardBody(RewardInput):
    """A reward to individuals: cash or equity, amount in 万元, number of persons, date."""


class ConsentInput(InputSchema):
    consent = fields.Bool(load_default=True, metadata={"description": "true 同意成交公示（默认），false 撤回同意"})


ACTION_BODIES = {"register": RegisterInput, "refuse": RefuseInput, "consent": ConsentInput}
