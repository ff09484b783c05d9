"""Input of opportunities (商机): what staff enter by hand, edit, and send with a stage move. Server-owned fields
(stage, timestamps, creator, agency) are never loaded; the stage moves only through the declared lifecycle."""
from __future__ import annotations

from marshmallow import fields, validate

from ..api_common import PageArgs
from ..validation import Amount, Choice, InputSchema, Int, Text
from ..web.messages import N_
from ..workflow.deals import OPPORTUNITY_LABELS
from .vocabularies import OPPORTUNITY_SOURCES

MAX_ID = 2**31 - 1
SCOPES = ("mine", "unassigned", "all")


def _id(**kw):
    return Int(1, MAX_ID, **kw)


class OpportunityInput(InputSchema):
    """An opportunity entered by hand (or from an inquiry, with ``inquiry_id``)."""

    title = Text(max_length=200, metadata={"description": "商机名称（从洽谈意向转入时可省略）"})
    expected_amount = Amount(metadata={"description": "预计成交额（万元）"})
    notes = Text(max_length=5000, metadata={"description": "备注"})
    seller_org_id = _id(metadata={"description": "卖方（技术供给方）机构"})
    buyer_org_id = _id(metadata={"description": "买方（技术需求方）机构"})
    achievement_id = _id(metadata={"description": "关联成果"})
    patent_id = _id(metadata={"description": "关联专利"})
    demand_id = _id(metadata={"description": "关联需求"})
    challenge_id = _id(metadata={"description": "关联榜单"})
    inquiry_id = _id(metadata={"description": "从该洽谈意向转入（来源为洽谈意向）"})
    broker_id = _id(metadata={"description": "归属的技术经纪人（平台管理员可指定他人；默认为本人）"})


class OpportunityEdit(InputSchema):
    """What may change on an open opportunity (PATCH semantics); ``broker_id`` re-attributes it (admins)."""

    title = Text(max_length=200, min_length=1)
    expected_amount = Amount(metadata={"description": "预计成交额（万元）"})
    notes = Text(max_length=5000)
    broker_id = _id(metadata={"description": "改为归属该技术经纪人（平台管理员）；null 表示不归属任何人"})
    version = _id(metadata={"description": "客户端编辑的版本（也可用 If-Match 头）"})


class MoveInput(InputSchema):
    """The body of a stage action: the version acted on, and the reason when closing as lost."""

    reason = Text(max_length=2000, metadata={"description": "未成交原因（lose 时必填）"})
    version = _id(metadata={"description": "客户端看到的版本（也可用 If-Match 头）"})


class OpportunityArgs(PageArgs):
    scope = fields.Str(load_default="mine", validate=validate.OneOf(SCOPES, error=N_("范围应为 mine、unassigned 或 all")),
                       metadata={"description": "mine：归属我的（默认）；unassigned：未归属的线索；all：全部"})
    stage = Choice(OPPORTUNITY_LABELS, label="阶段")
    source = Choice(OPPORTUNITY_SOURCES, label="来源")
    broker_id = _id(metadata={"description": "归属该技术经纪人的（与 scope 同时给出时以 broker_id 为准）"})
    agency_id = _id(metadata={"description": "归属该技术转移机构的"})
