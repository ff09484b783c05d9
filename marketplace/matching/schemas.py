"""Schemas of the matching API: the free-text request, results with explanations, curation actions."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from search.schema import facet_fields

from ..validation import Choice, InputSchema, Int, Text, UtcDateTime, utc_timestamp
from ..web.messages import N_
from .models import TARGET_KINDS

MAX_TEXT = 5000
MAX_SIZE = 100
MAX_FILTER_VALUES = 20


def _filter_values(value) -> bool:
    values = value if isinstance(value, list) else [value]
    if len(values) > MAX_FILTER_VALUES:
        raise ValidationError(f"每个筛选条件最多 {MAX_FILTER_VALUES} 个值")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (str, int)) or len(str(v)) > 100:
            raise ValidationError("筛选值应为字符串、整数或它们的列表")
    return True


class MatchTextInput(InputSchema):
    """``POST /match/achievements`` and ``/match/patents``."""

    text = Text(required=True, max_length=MAX_TEXT, metadata={
        "description": "需求描述（可以是一段话或几个关键词）", "example": "印染废水脱色处理"})
    size = fields.Int(strict=True, load_default=10, validate=validate.Range(min=1, error="应为不小于 1 的整数"),
                      error_messages={"invalid": "请输入整数", "null": "此项不能为空"},
                      metadata={"description": f"返回条数，1–{MAX_SIZE}（更大的值按 {MAX_SIZE} 处理）"})
    filters = fields.Dict(keys=fields.Str(), values=fields.Raw(validate=_filter_values), load_default=dict,
                          error_messages={"invalid": N_("筛选条件应为 JSON 对象")},
                          metadata={"description": "分面筛选，如 {\"technical_field\": [\"new_materials\"]}"})

    kind = "achievement"

    @validates("filters")
    def _known_facets(self, value, **kwargs):
        unknown = sorted(set(value) - set(facet_fields(self.kind)))
        if unknown:
            raise ValidationError("不支持的筛选字段：" + "、".join(unknown))

    @validates("text")
    def _not_blank(self, value, **kwargs):
        if not (value or "").strip():
            raise ValidationError("请填写需求描述")


class PatentMatchTextInput(MatchTextInput):
    kind = "patent"


class SizeArgs(InputSchema):
    size = Int(1, MAX_SIZE, load_default=20, metadata={"description": f"返回条数，1–{MAX_SIZE}"})


class DemandMatchArgs(SizeArgs):
    kind = Choice(TARGET_KINDS, label="匹配类型", load_default="achievement",
                  metadata={"description": "achievement（科技成果）或 patent（开放许可专利）"})
    show_dismissed = fields.Bool(load_default=False, error_messages={"invalid": N_("应为 true 或 false")},
                                 metadata={"description": "是否列出已忽略的结果（经纪人）"})


class RecommendInput(InputSchema):
    note = Text(max_length=2000, metadata={"description": "推荐说明（发给双方）"})
    open_lead = fields.Bool(load_default=False, error_messages={"invalid": N_("应为 true 或 false")},
                            metadata={"description": "同时在经纪业务看板上建立一条商机线索"})


class Explanation(Schema):
    matched_terms = fields.List(fields.Str(), metadata={"description": "双方共有的关键词"})
    technical_field = fields.Dict(metadata={"description": "{value, wanted, agrees}"})
    industry = fields.Dict(metadata={"description": "{common, wanted, agrees}"})
    trl = fields.Dict(metadata={"description": "{value, required_min, fit}"})
    price = fields.Dict(metadata={"description": "{amount, negotiable, budget_min, budget_max, within_budget}"})
    region = fields.Dict(metadata={"description": "{value, wanted, same}"})
    reasons = fields.List(fields.Str(), metadata={"description": "给人看的中文理由"})
    found_by_meaning = fields.Bool(metadata={"description": "关键词检索未找到、由语义模型找到的结果（仅此时出现）"})


class MatchOut(Schema):
    id = fields.Function(lambda c: c.record.id, metadata={"type": "integer"})
    kind = fields.Str()
    external_id = fields.Function(lambda c: getattr(c.record, "external_id", None), allow_none=True,
                                  metadata={"type": "string"})
    title = fields.Function(lambda c: c.record.title, metadata={"type": "string"})
    org_name = fields.Function(lambda c: c.record.organization.name if c.record.organization else None,
                               metadata={"type": "string"})
    score = fields.Float(metadata={"description": "匹配度：0–1 的校准分数，约等于这条结果被判为相关的概率；各需求之间可比"})
    band = fields.Function(lambda c: c.band, metadata={
        "type": "string", "enum": ["high", "medium", "low"],
        "description": "匹配度档位：high 高（≥ 0.5）、medium 中（0.2–0.5）、low 低（< 0.2）"})
    explanation = fields.Nested(Explanation)
    pinned = fields.Function(lambda c: bool(c.curation and c.curation.pinned), metadata={"type": "boolean"})
    dismissed = fields.Function(lambda c: bool(c.curation and c.curation.dismissed), metadata={"type": "boolean"})
    recommended_at = fields.Function(
        lambda c: utc_timestamp(c.curation.recommended_at) if c.curation and c.curation.recommended_at else None,
        allow_none=True, metadata={"type": "string", "format": "date-time"})


class MatchList(Schema):
    results = fields.List(fields.Nested(MatchOut), required=True)


_EXPLANATION_KEYS = tuple(Explanation._declared_fields)


def match_json(candidate) -> dict:
    """What :class:`MatchOut` dumps, built directly: the schema documents the API, but dumping ten results through
    it costs about 1 ms of a 10 ms match request (a test keeps the two equal)."""
    record, curation = candidate.record, candidate.curation
    organization = record.organization
    explanation = candidate.explanation
    return {
        "id": record.id, "kind": candidate.kind, "external_id": getattr(record, "external_id", None),
        "title": record.title, "org_name": organization.name if organization else None,
        "score": float(candidate.score), "band": candidate.band,
        "explanation": {key: explanation[key] for key in _EXPLANATION_KEYS if key in explanation},
        "pinned": bool(curation and curation.pinned), "dismissed": bool(curation and curation.dismissed),
        "recommended_at": utc_timestamp(curation.recommended_at) if curation and curation.recommended_at else None,
    }


class CurationOut(Schema):
    demand_id = fields.Int()
    target_kind = fields.Str()
    target_id = fields.Int()
    pinned = fields.Bool()
    dismissed = fields.Bool()
    note = fields.Str(allow_none=True)
    recommended_at = UtcDateTime(allow_none=True)
    updated_at = UtcDateTime()
