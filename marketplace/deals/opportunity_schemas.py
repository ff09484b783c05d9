"""Output of opportunities (商机) in the API, with the caller's available actions."""
from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from ..workflow.deals import OPPORTUNITY
from .pipeline import actions as available_actions
from .vocabularies import OPPORTUNITY_SOURCES
from ..validation import UtcDateTime


class _Ref(Schema):
    id = fields.Int()
    name = fields.Str()


class OpportunityOut(Schema):
    id = fields.Int()
    title = fields.Str()
    source = fields.Str(metadata={"enum": list(OPPORTUNITY_SOURCES)})
    stage = fields.Str(metadata={"enum": OPPORTUNITY.states})
    stage_label = fields.Function(lambda o: OPPORTUNITY.state_label(o.stage))
    expected_amount = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "万元"})
    notes = fields.Str(allow_none=True)
    lost_reason = fields.Str(allow_none=True)
    inquiry_id = fields.Int(allow_none=True)
    achievement_id = fields.Int(allow_none=True)
    patent_id = fields.Int(allow_none=True)
    demand_id = fields.Int(allow_none=True)
    challenge_id = fields.Int(allow_none=True)
    deal_id = fields.Int(allow_none=True)
    seller_org = fields.Nested(_Ref, allow_none=True)
    buyer_org = fields.Nested(_Ref, allow_none=True)
    agency = fields.Nested(_Ref, allow_none=True, metadata={"description": "经纪人所在的技术转移机构"})
    broker_id = fields.Int(allow_none=True)
    broker_name = fields.Function(lambda o: o.broker.name if o.broker else None)
    created_at = UtcDateTime()
    negotiation_at = UtcDateTime(allow_none=True)
    signed_at = UtcDateTime(allow_none=True)
    registered_at = UtcDateTime(allow_none=True)
    performance_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    version = fields.Int()
    actions = fields.Function(lambda o: available_actions(current_user, o),
                              metadata={"type": "array", "items": {"type": "string"},
                                        "description": "调用者现在可以执行的操作，例如 [\"edit\", \"negotiate\", \"take\"]"})


class OpportunityList(Schema):
    items = fields.List(fields.Nested(OpportunityOut))
    total = fields.Int()
    page = fields.Int()
    page_size = fields.Int()
