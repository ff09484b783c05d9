"""Input of a 榜单 (challenge): what the issuer drafts. Server-owned fields (stage, org, status) are never loaded."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from flask_login import current_user

from ..listing_schemas import ListingStateOut
from ..taxonomy import INDUSTRIES, ORG_TYPES, REGIONS, TECHNICAL_FIELDS
from ..validation import Amount, Choice, ChoiceList, Date, InputSchema, Int, Text, UtcDateTime
from ..web.messages import N_
from ..workflow.challenges import CHALLENGE_EXECUTION, STAGE_LABELS
from .models import FundingMode

FUNDING_MODES = {
    FundingMode.AWARD.value: ("揭榜奖励", "One-off award"),
    FundingMode.MILESTONE.value: ("里程碑式资助", "Milestone funding"),
    FundingMode.HORSE_RACE.value: ("赛马", "Horse race (parallel teams)"),
    FundingMode.POST_HOC.value: ("事后资助", "Post-hoc funding"),
}
CONSORTIUM_RULES = {
    "not_allowed": ("不接受联合体", "No consortium"),
    "allowed": ("允许联合体（创新联合体）", "Consortium allowed"),
    "required": ("须组建联合体", "Consortium required"),
}
MAX_INDICATORS = 20


class IndicatorInput(InputSchema):
    """One technical indicator (技术指标): what is measured, the target, its unit and how it is verified."""

    metric = Text(required=True, max_length=200)
    target = Text(required=True, max_length=100)
    unit = Text(max_length=30)
    verification = Text(max_length=500)


class ChallengeInput(InputSchema):
    title = Text(required=True, max_length=200, min_length=4)
    background = Text(max_length=10000)
    problem = Text(required=True, max_length=10000, min_length=10)
    indicators = fields.List(fields.Nested(IndicatorInput), required=True,
                             validate=validate.Length(min=1, max=MAX_INDICATORS,
                                                      error=f"请填写 1 到 {MAX_INDICATORS} 项技术指标"),
                             error_messages={"required": N_("请至少填写一项技术指标"), "invalid": "应为列表"})
    technical_field = Choice(TECHNICAL_FIELDS, required=True, label="技术领域")
    industry = Choice(INDUSTRIES, label="所属行业")
    reward_amount = Amount(required=True)
    cofunding_share = fields.Decimal(places=2, as_string=False, allow_none=True,
                                     validate=validate.Range(min=0, max=100, error=N_("配套资金比例应在 0 到 100 之间（%）")),
                                     error_messages={"invalid": N_("请输入有效的比例（%）")})
    funding_mode = Choice(FUNDING_MODES, required=True, label="资助方式")
    max_winners = Int(1, 3)
    application_deadline = Date(required=True)
    completion_deadline = Date(required=True)
    eligible_org_types = ChoiceList(ORG_TYPES, label="机构类型")
    eligible_regions = ChoiceList(REGIONS, label="地区代码")
    consortium = Choice(CONSORTIUM_RULES, label="联合体要求")
    ip_terms = Text(max_length=4000)
    confidentiality = Text(max_length=4000)
    contact = Text(max_length=200)
    region = Choice(REGIONS, label="地区代码")

    @validates_schema
    def _dates_and_winners(self, data, partial=None, **kwargs):
        opens, ends = data.get("application_deadline"), data.get("completion_deadline")
        if opens is not None and ends is not None and ends <= opens:
            raise ValidationError(N_("完成期限应晚于揭榜截止日期"), field_name="completion_deadline")
        winners, mode = data.get("max_winners"), data.get("funding_mode")
        if winners is not None and mode is not None:
            if mode == FundingMode.HORSE_RACE and not 2 <= winners <= 3:
                raise ValidationError(N_("赛马方式应同时支持 2 到 3 个团队"), field_name="max_winners")
            if mode != FundingMode.HORSE_RACE and winners != 1:
                raise ValidationError(N_("只有赛马方式可以确定多个揭榜方"), field_name="max_winners")


class CriterionInput(InputSchema):
    """One criterion of the review rubric (评审细则)."""

    name = Text(required=True, max_length=100)
    weight = fields.Decimal(places=2, as_string=False, required=True,
                            validate=validate.Range(min=0, min_inclusive=False, max=100, error=N_("权重应大于 0、不超过 100")),
                            error_messages={"required": "此项为必填项", "invalid": N_("请输入有效的权重")})
    min = Int(0, 1000, required=True)
    max = Int(1, 1000, required=True)
    comments_required = fields.Bool(load_default=False)

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("min") is not None and data.get("max") is not None and data["max"] <= data["min"]:
            raise ValidationError(N_("最高分应高于最低分"), field_name="max")


class RubricInput(InputSchema):
    criteria = fields.List(fields.Nested(CriterionInput), required=True,
                           validate=validate.Length(min=1, max=20, error="请填写 1 到 20 项评审指标"),
                           error_messages={"required": N_("请至少填写一项评审指标"), "invalid": "应为列表"})

    @validates_schema
    def _unique_names(self, data, **kwargs):
        names = [criterion["name"] for criterion in data.get("criteria") or []]
        if len(names) != len(set(names)):
            raise ValidationError(N_("评审指标名称不能重复"), field_name="criteria")


class IndicatorOut(Schema):
    metric = fields.Str()
    target = fields.Str()
    unit = fields.Str(allow_none=True)
    verification = fields.Str(allow_none=True)


def _public_results(challenge) -> dict:
    """What anyone may know of a challenge's applications: how many, and the winners' organisations."""
    applied = [a for a in challenge.applications if a.status not in ("interested", "withdrawn")]
    winners = [a.organization.name for a in challenge.applications if a.status in ("awarded", "eliminated")
               and a.organization is not None]
    return {"applications": len(applied), "winners": winners}


class ChallengeSummaryOut(Schema):
    """The short form used in lists."""

    id = fields.Int(dump_only=True)
    title = fields.Str()
    technical_field = fields.Str()
    industry = fields.Str(allow_none=True)
    reward_amount = fields.Float()
    funding_mode = fields.Str(metadata={"enum": list(FUNDING_MODES)})
    application_deadline = fields.Date()
    completion_deadline = fields.Date()
    region = fields.Str(allow_none=True)
    org_id = fields.Int(dump_only=True)
    org_name = fields.Function(lambda c: c.organization.name if c.organization else None, dump_only=True,
                               metadata={"type": "string"})
    status = fields.Str(dump_only=True)
    stage = fields.Str(dump_only=True, metadata={"enum": list(STAGE_LABELS)})
    published_at = UtcDateTime(dump_only=True, allow_none=True)


class ChallengeOut(ListingStateOut, ChallengeSummaryOut):
    background = fields.Str(allow_none=True)
    problem = fields.Str()
    indicators = fields.List(fields.Nested(IndicatorOut))
    cofunding_share = fields.Float(allow_none=True)
    max_winners = fields.Int()
    eligible_org_types = fields.List(fields.Str())
    eligible_regions = fields.List(fields.Str())
    consortium = fields.Str(metadata={"enum": list(CONSORTIUM_RULES)})
    ip_terms = fields.Str(allow_none=True)
    confidentiality = fields.Str(allow_none=True)
    contact = fields.Str(allow_none=True)
    stage_reason = fields.Str(dump_only=True, allow_none=True)
    extended_to = fields.Date(dump_only=True, allow_none=True)
    extension_reason = fields.Str(dump_only=True, allow_none=True)
    rubric = fields.List(fields.Dict(), dump_only=True)
    defence_at = UtcDateTime(dump_only=True, allow_none=True)
    defence_place = fields.Str(dump_only=True, allow_none=True)
    acceptance = fields.List(fields.Dict(), dump_only=True, allow_none=True)
    reward_paid = fields.Float(dump_only=True, allow_none=True)
    reject_reason = fields.Str(dump_only=True, allow_none=True)
    version = fields.Int(dump_only=True)
    results = fields.Function(_public_results, dump_only=True,
                              metadata={"type": "object", "description": "公开结果：申请数、揭榜方机构（不含申请内容）"})
    execution_actions = fields.Function(lambda c: CHALLENGE_EXECUTION.available(current_user, c), dump_only=True,
                                        metadata={"type": "array", "items": {"type": "string"},
                                                  "description": "调用者现在可以执行的组织实施操作"})
