"""Input and output of 揭榜 (applications) and 评审 (reviews). Server-owned fields (status, org, scores, rank) are
never loaded; reviewer identities appear only in what staff and the reviewer read, never in an applicant's result."""
from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..validation import Amount, Date, InputSchema, Int, Text, UtcDateTime
from ..web.messages import N_
from ..workflow.challenges import APPLICATION, REVIEW

MAX_ID = 2**31 - 1
MAX_ITEMS = 50


def _list(nested, too_many: str, max_items: int = MAX_ITEMS, **kw) -> fields.List:
    """``too_many``: the message for more than ``max_items`` items (a msgid with ``%(n0)s``: looked up by number)."""
    return fields.List(nested, validate=validate.Length(max=max_items, error=too_many % {"n0": max_items}),
                       error_messages={"invalid": "应为列表", "null": "此项不能为空"}, **kw)


def _ids(too_many: str) -> fields.List:
    return _list(fields.Int(strict=True, validate=validate.Range(min=1, max=MAX_ID, error="无效的编号"),
                            error_messages={"invalid": "应为整数编号"}), too_many)


class TeamMemberInput(InputSchema):
    name = Text(required=True, max_length=100)
    title = Text(max_length=100)  # 职称
    role = Text(max_length=200)  # 分工


class ConsortiumMemberInput(InputSchema):
    org_id = Int(1, MAX_ID, required=True)
    role = Text(required=True, max_length=200)


class MilestoneProposalInput(InputSchema):
    deliverable = Text(required=True, max_length=1000)
    due = Date(required=True)
    amount = Amount()


class ApplicationInput(InputSchema):
    """What the applicant edits (PATCH semantics: any subset of the fields)."""

    proposal = Text(max_length=20000)
    technical_route = Text(max_length=20000)
    team = _list(fields.Nested(TeamMemberInput), N_("团队成员最多 %(n0)s 项"))
    consortium = _list(fields.Nested(ConsortiumMemberInput), N_("联合体成员最多 %(n0)s 项"), max_items=20)
    achievement_ids = _ids(N_("前期成果最多 %(n0)s 项"))
    patent_ids = _ids(N_("相关专利最多 %(n0)s 项"))
    budget = Amount()
    proposed_milestones = _list(fields.Nested(MilestoneProposalInput), N_("里程碑最多 %(n0)s 项"), max_items=20)


class ReviewerInput(InputSchema):
    reviewer_id = Int(1, MAX_ID, required=True)


class ScoreInput(InputSchema):
    # values are checked against the rubric by reviews.submit_review (a number within the criterion's range; a
    # numeric string is read too); the document states what a client sends
    scores = fields.Dict(keys=fields.Str(), values=fields.Raw(metadata={"type": "number"}), required=True,
                         error_messages={"required": N_("请为每项评审指标打分"), "invalid": N_("应为 指标名称 → 分数 的对象")},
                         metadata={"example": {"技术先进性": 85}})
    comments = fields.Dict(keys=fields.Str(), values=fields.Raw(allow_none=True, metadata={"type": "string"}),
                           load_default=dict,
                           error_messages={"invalid": N_("应为 指标名称 → 评语 的对象")})


class ReasonInput(InputSchema):
    reason = Text(required=True, max_length=2000)


class DefenceInput(InputSchema):
    at = UtcDateTime(required=True, error_messages={"required": "此项为必填项",
                                                        "invalid": N_("请输入有效的时间（ISO 8601）")})
    place = Text(required=True, max_length=200)


# -- output ---------------------------------------------------------------------------------------------------------

class TeamMemberOut(Schema):
    name = fields.Str()
    title = fields.Str(allow_none=True)
    role = fields.Str(allow_none=True)


class ConsortiumMemberOut(Schema):
    org_id = fields.Int()
    org_name = fields.Str(allow_none=True)
    role = fields.Str()


class MilestoneProposalOut(Schema):
    deliverable = fields.Str()
    due = fields.Str(metadata={"format": "date"})
    amount = fields.Str(allow_none=True, metadata={"description": "万元"})


class ApplicationOut(Schema):
    id = fields.Int()
    challenge_id = fields.Int()
    challenge_title = fields.Function(lambda a: a.challenge.title)
    org_id = fields.Int()
    org_name = fields.Function(lambda a: a.organization.name if a.organization else None)
    status = fields.Str(metadata={"enum": APPLICATION.states})
    status_label = fields.Function(lambda a: APPLICATION.state_label(a.status))
    terms_accepted_at = UtcDateTime()
    proposal = fields.Str(allow_none=True)
    technical_route = fields.Str(allow_none=True)
    team = fields.List(fields.Nested(TeamMemberOut))
    consortium = fields.List(fields.Nested(ConsortiumMemberOut))
    achievement_ids = fields.List(fields.Int())
    patent_ids = fields.List(fields.Int())
    budget = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "万元"})
    proposed_milestones = fields.List(fields.Nested(MilestoneProposalOut))
    submitted_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = fields.Int()
    actions = fields.Function(lambda a: APPLICATION.available(current_user, a),
                              metadata={"type": "array", "items": {"type": "string"},
                                        "description": "调用者现在可以执行的操作，例如 [\"edit\", \"submit\"]"})


class ApplicationList(Schema):
    items = fields.List(fields.Nested(ApplicationOut))
    total = fields.Int()


class CriterionOut(Schema):
    name = fields.Str()
    weight = fields.Float()
    min = fields.Int()
    max = fields.Int()
    comments_required = fields.Bool()


class RubricOut(Schema):
    challenge_id = fields.Int()
    criteria = fields.List(fields.Nested(CriterionOut))


class ReviewSummaryOut(Schema):
    """A review as its reviewer and staff read it (never shown to applicants)."""

    id = fields.Int()
    application_id = fields.Int()
    reviewer_id = fields.Int()
    status = fields.Str(metadata={"enum": REVIEW.states})
    status_label = fields.Function(lambda r: REVIEW.state_label(r.status))
    scores = fields.Dict(keys=fields.Str(), values=fields.Float())
    comments = fields.Dict(keys=fields.Str(), values=fields.Str())
    conflict_reason = fields.Str(allow_none=True)
    assigned_at = UtcDateTime()
    submitted_at = UtcDateTime(allow_none=True)
    version = fields.Int()
    actions = fields.Function(lambda r: REVIEW.available(current_user, r),
                              metadata={"type": "array", "items": {"type": "string"}})


class ReviewOut(ReviewSummaryOut):
    """The review with what the reviewer scores: the rubric and the application."""

    rubric = fields.List(fields.Nested(CriterionOut), attribute="application.challenge.rubric")
    application = fields.Nested(ApplicationOut)


class ReviewList(Schema):
    items = fields.List(fields.Nested(ReviewSummaryOut))
    total = fields.Int()


class CriterionResultOut(Schema):
    name = fields.Str()
    weight = fields.Float()
    min = fields.Int()
    max = fields.Int()
    mean = fields.Float(allow_none=True)


class CommentOut(Schema):
    criterion = fields.Str()
    comment = fields.Str()


class ResultOut(Schema):
    """结构化评审结果: no reviewer names or ids."""

    application_id = fields.Int()
    outcome = fields.Str(metadata={"enum": APPLICATION.states})
    outcome_label = fields.Str()
    reason = fields.Str(allow_none=True)
    score = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "加权得分（0–100）"})
    rank = fields.Int(allow_none=True)
    ranked_among = fields.Int(metadata={"description": "参与排名的申请数"})
    reviews = fields.Int(metadata={"description": "完成的评审份数"})
    criteria = fields.List(fields.Nested(CriterionResultOut))
    comments = fields.List(fields.Nested(CommentOut))


class RankingItemOut(Schema):
    application_id = fields.Int(attribute="id")
    org_id = fields.Int()
    org_name = fields.Function(lambda a: a.organization.name if a.organization else None)
    status = fields.Str()
    score = fields.Decimal(as_string=True, allow_none=True)
    rank = fields.Int(allow_none=True)


class RankingOut(Schema):
    challenge_id = fields.Int()
    items = fields.List(fields.Nested(RankingItemOut))
