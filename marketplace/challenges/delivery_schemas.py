"""Input of 签约/军令状, 里程碑, 赛马 checkpoints and 验收 (what the issuer and the teams send), and the API's output
schemas live with the endpoints in :mod:`.api_delivery`. Amounts are 万元 (Decimal, two places)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..validation import Amount, Date, InputSchema, Int, Text
from ..web.messages import N_

MAX_MILESTONES = 20


def _positive(data: dict, name: str) -> None:
    if data.get(name) is not None and data[name] <= 0:
        raise ValidationError(N_("金额应大于 0（单位：万元）"), field_name=name)


class MilestoneInput(InputSchema):
    """One milestone of an agreement: deliverable, due date, tranche and the acceptance criteria (tied to the
    challenge's indicators by their position, 0-based)."""

    deliverable = Text(required=True, max_length=2000)
    due_on = Date(required=True)
    tranche = Amount(required=True)
    criteria = Text(max_length=4000)
    indicator_refs = fields.List(fields.Int(strict=True, error_messages={"invalid": N_("请输入指标序号（整数）")}),
                                 load_default=list, validate=validate.Length(max=20, error="最多 20 项"),
                                 error_messages={"invalid": "应为列表"},
                                 metadata={"description": "对应榜单技术指标的序号（从 0 开始）"})
    checkpoint = fields.Bool(load_default=False, error_messages={"invalid": N_("应为 true 或 false")},
                             metadata={"description": "赛马节点评估"})

    @validates_schema
    def _tranche(self, data, **kwargs):
        _positive(data, "tranche")


class AgreementInput(InputSchema):
    """签约/军令状 draft: the agreed funding, the pledge (commitments and consequences) and the milestones."""

    funding = Amount(required=True, metadata={"description": "资助总额（万元）"})
    pledge = Text(required=True, max_length=20000, metadata={"description": "军令状：承诺事项与未完成的责任"})
    milestones = fields.List(fields.Nested(MilestoneInput), required=True,
                             validate=validate.Length(min=1, max=MAX_MILESTONES,
                                                      error=f"请填写 1 到 {MAX_MILESTONES} 个里程碑"),
                             error_messages={"required": N_("请至少填写一个里程碑"), "invalid": "应为列表"})

    @validates_schema
    def _funding(self, data, **kwargs):
        _positive(data, "funding")


class SignInput(InputSchema):
    issuer_signed_on = Date(required=True, metadata={"description": "发榜方签约日期"})
    team_signed_on = Date(required=True, metadata={"description": "揭榜方签约日期"})


class EvidenceInput(InputSchema):
    evidence = Text(required=True, max_length=20000, metadata={"description": "完成情况与证明材料说明"})


class ReturnInput(InputSchema):
    reason = Text(required=True, max_length=2000, metadata={"description": "退回原因，承担单位据此补充"})


class PaymentInput(InputSchema):
    amount = Amount(required=True, metadata={"description": "本次拨付金额（万元）"})
    paid_on = Date(required=True, metadata={"description": "拨付日期"})

    @validates_schema
    def _amount(self, data, **kwargs):
        _positive(data, "amount")


class CheckpointResult(InputSchema):
    application_id = Int(1, 2**31 - 1, required=True)
    passed = fields.Bool(required=True, error_messages={"required": N_("请说明是否通过"), "invalid": N_("应为 true 或 false")})
    reason = Text(max_length=2000, metadata={"description": "评估意见；未通过（淘汰）时必填"})


class CheckpointInput(InputSchema):
    results = fields.List(fields.Nested(CheckpointResult), required=True,
                          validate=validate.Length(min=1, max=3, error=N_("请逐一填写每个揭榜团队的评估结果")),
                          error_messages={"required": N_("请逐一填写每个揭榜团队的评估结果"), "invalid": "应为列表"})


class ExtendInput(InputSchema):
    extended_to = Date(required=True, metadata={"description": "延期后的完成期限（最多延长一年）"})
    reason = Text(required=True, max_length=2000)


class IndicatorResult(InputSchema):
    met = fields.Bool(required=True, error_messages={"required": N_("请说明是否达标"), "invalid": N_("应为 true 或 false")})
    measured = Text(max_length=200)
    evidence = Text(max_length=2000)


class AcceptanceInput(InputSchema):
    outcome = fields.Str(required=True, validate=validate.OneOf(["accept", "fail", "terminate"],
                                                                error=N_("验收结论应为 accept、fail 或 terminate")),
                         error_messages={"required": N_("请选择验收结论")})
    results = fields.List(fields.Nested(IndicatorResult), load_default=None, allow_none=True,
                          metadata={"description": "逐项技术指标的验收结果，按榜单指标顺序"})
    reason = Text(max_length=2000, metadata={"description": "不通过或终止时必填"})
    reward_paid = Amount(metadata={"description": "已兑付的奖励（万元）"})
