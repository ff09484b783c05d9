"""JSON API (/api/v1) of a challenge's delivery: agreements (签约/军令状), milestones (evidence, acceptance,
return, payments), 赛马 checkpoints, the extension, the delivery start and acceptance (验收). Every change goes
through :mod:`.delivery`, :mod:`.horse_race` or :mod:`.services`; responses carry ``actions`` (what the caller may
do now, from the declared lifecycles)."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..api_common import VersionedBody, commit, etag, expected_version, read_endpoint, write_endpoint
from ..errors import NotFound
from ..listing_edits import check_version
from ..validation import load_or_raise, UtcDateTime
from ..web.messages import N_
from ..workflow.challenges import AGREEMENT, CHALLENGE_EXECUTION, MILESTONE
from . import delivery, horse_race, services
from .delivery_schemas import (AcceptanceInput, AgreementInput, CheckpointInput, EvidenceInput, ExtendInput,
                               PaymentInput, ReturnInput, SignInput)

blp = Blueprint("api_challenge_delivery", __name__,
                description="揭榜挂帅实施：签约（军令状）、里程碑与拨付、赛马节点评估、延期、验收")

MAX_ID = 2**31 - 1
ID = f"<int(max={MAX_ID}):record_id>"
ERRORS = (403, 404, 409, 422)


def _actions(lifecycle):
    return fields.Function(lambda record: lifecycle.available(current_user, record), dump_only=True,
                           metadata={"type": "array", "items": {"type": "string"},
                                     "description": "调用者现在可以执行的操作"})


def _money(**kw):
    return fields.Decimal(places=2, as_string=True, dump_only=True, metadata={"description": "万元"}, **kw)


class ChallengeMilestoneOut(Schema):
    id = fields.Int()
    agreement_id = fields.Int()
    seq = fields.Int()
    deliverable = fields.Str()
    due_on = fields.Date()
    tranche = _money()
    criteria = fields.Str(allow_none=True)
    indicator_refs = fields.List(fields.Int())
    checkpoint = fields.Bool()
    status = fields.Str(metadata={"enum": list(MILESTONE.state_labels)})
    evidence = fields.Str(allow_none=True)
    return_reason = fields.Str(allow_none=True)
    submitted_at = UtcDateTime(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
    paid_amount = _money(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    overdue_notified_at = UtcDateTime(allow_none=True, metadata={"description": "逾期提醒时间（已逾期）"})
    version = fields.Int()
    actions = _actions(MILESTONE)


class ChallengeAgreementOut(Schema):
    id = fields.Int()
    application_id = fields.Int()
    challenge_id = fields.Function(lambda agreement: agreement.application.challenge_id, metadata={"type": "integer"})
    status = fields.Str(metadata={"enum": list(AGREEMENT.state_labels)})
    funding = _money()
    paid = fields.Function(lambda agreement: str(delivery.paid_total(agreement)),
                           metadata={"type": "string", "description": "已拨付（万元）"})
    pledge = fields.Str()
    issuer_signed_on = fields.Date(allow_none=True)
    team_signed_on = fields.Date(allow_none=True)
    first_tranche_share = _money(allow_none=True)
    milestones = fields.List(fields.Nested(ChallengeMilestoneOut))
    version = fields.Int()
    actions = _actions(AGREEMENT)


class ChallengeTeamOut(Schema):
    application_id = fields.Int(attribute="id")
    org_id = fields.Int()
    status = fields.Str()
    result_reason = fields.Str(allow_none=True)
    agreement_id = fields.Function(lambda a: a.agreement.id if a.agreement is not None else None,
                                   metadata={"type": "integer", "nullable": True})


class ChallengeExecutionOut(Schema):
    """A challenge's execution: stage, deadlines, acceptance, the funded teams and what was paid."""

    id = fields.Int()
    stage = fields.Str(metadata={"enum": list(CHALLENGE_EXECUTION.state_labels)})
    stage_reason = fields.Str(allow_none=True)
    funding_mode = fields.Str()
    reward_amount = _money()
    completion_deadline = fields.Date()
    extended_to = fields.Date(allow_none=True)
    extension_reason = fields.Str(allow_none=True)
    acceptance = fields.List(fields.Dict(), allow_none=True)
    reward_paid = _money(allow_none=True)
    paid = fields.Function(lambda challenge: str(delivery.challenge_paid_total(challenge)),
                           metadata={"type": "string", "description": "已拨付给各团队的资金（万元）"})
    teams = fields.Function(lambda challenge: ChallengeTeamOut(many=True).dump(
        [a for a in challenge.applications if a.status in ("awarded", "eliminated")]),
        metadata={"type": "array", "items": {"type": "object"}})
    version = fields.Int()
    actions = _actions(CHALLENGE_EXECUTION)


class ChallengeCheckpointOut(ChallengeExecutionOut):
    checkpoint = fields.Dict(metadata={"description": "本次评估：淘汰的申请、释放与转移的资金"})


# -- agreements -------------------------------------------------------------------------------------------------------

@blp.route(f"/challenge-applications/{ID}/agreement")
class ApplicationAgreement(MethodView):
    @read_endpoint(blp, ChallengeAgreementOut, errors=(404,))
    def get(self, record_id):
        """揭榜方的协议（军令状）"""
        application = delivery.get_application(record_id, current_user)
        if application.agreement is None:
            raise NotFound(N_("尚未起草协议"))
        return application.agreement, etag(application.agreement)

    @write_endpoint(blp, ChallengeAgreementOut, body=AgreementInput, errors=ERRORS, if_match=True,
                    body_description="资助总额、军令状和里程碑；签约前可重新起草（替换全部里程碑）")
    def put(self, record_id, payload):
        """起草或重新起草协议（发榜单位或平台工作人员）"""
        application = delivery.get_application(record_id, current_user)
        if application.agreement is not None:
            check_version(application.agreement, expected_version(payload))
        agreement = delivery.draft_agreement(current_user, application, payload)
        commit()
        return agreement, etag(agreement)


@blp.route(f"/challenge-agreements/{ID}/sign", methods=["POST"])
@write_endpoint(blp, ChallengeAgreementOut, body=SignInput, errors=ERRORS, if_match=True)
def sign_agreement(record_id, payload):
    """签约：双方签约日期"""
    agreement = delivery.get_agreement(record_id, current_user)
    check_version(agreement, expected_version(payload))
    delivery.sign_agreement(current_user, agreement, payload.get("issuer_signed_on"), payload.get("team_signed_on"))
    commit()
    return agreement, etag(agreement)


# -- milestones -------------------------------------------------------------------------------------------------------

@blp.route(f"/challenge-milestones/{ID}", methods=["GET"])
@read_endpoint(blp, ChallengeMilestoneOut, errors=(404,))
def get_milestone(record_id):
    """一个里程碑"""
    milestone = delivery.get_milestone(record_id, current_user)
    return milestone, etag(milestone)


def _milestone_action(record_id: int, payload: dict, act) -> tuple:
    milestone = delivery.get_milestone(record_id, current_user)
    check_version(milestone, expected_version(payload))
    act(milestone)
    commit()
    return milestone, etag(milestone)


@blp.route(f"/challenge-milestones/{ID}/evidence", methods=["POST"])
@write_endpoint(blp, ChallengeMilestoneOut, body=EvidenceInput, errors=ERRORS, if_match=True)
def submit_evidence(record_id, payload):
    """提交（或补充后重新提交）里程碑材料（承担单位）"""
    return _milestone_action(record_id, payload,
                             lambda m: delivery.submit_evidence(current_user, m, payload.get("evidence")))


@blp.route(f"/challenge-milestones/{ID}/accept", methods=["POST"])
@write_endpoint(blp, ChallengeMilestoneOut, body=VersionedBody, body_required=False, errors=ERRORS, if_match=True)
def accept_milestone(record_id, payload):
    """里程碑通过（发榜单位或平台工作人员）"""
    return _milestone_action(record_id, payload, lambda m: delivery.accept_milestone(current_user, m))


@blp.route(f"/challenge-milestones/{ID}/return", methods=["POST"])
@write_endpoint(blp, ChallengeMilestoneOut, body=ReturnInput, errors=ERRORS, if_match=True)
def return_milestone(record_id, payload):
    """退回里程碑材料，说明原因（发榜单位或平台工作人员）"""
    return _milestone_action(record_id, payload,
                             lambda m: delivery.return_milestone(current_user, m, payload.get("reason")))


@blp.route(f"/challenge-milestones/{ID}/payments", methods=["POST"])
@write_endpoint(blp, ChallengeMilestoneOut, body=PaymentInput, errors=ERRORS, if_match=True)
def record_payment(record_id, payload):
    """登记拨付（累计不超过本期金额）"""
    return _milestone_action(record_id, payload, lambda m: delivery.record_payment(
        current_user, m, payload.get("amount"), payload.get("paid_on")))


# -- the challenge's execution --------------------------------------------------------------------------------------

def _challenge(record_id: int, payload: dict):
    challenge = services.get_challenge(record_id, current_user)
    check_version(challenge, expected_version(payload))
    return challenge


@blp.route(f"/challenges/{ID}/start-delivery", methods=["POST"])
@write_endpoint(blp, ChallengeExecutionOut, body=VersionedBody, body_required=False, errors=ERRORS, if_match=True)
def start_delivery(record_id, payload):
    """开始攻关实施（全部揭榜方签约后）"""
    challenge = _challenge(record_id, payload)
    services.start_delivery(current_user, challenge)
    commit()
    return challenge, etag(challenge)


@blp.route(f"/challenges/{ID}/checkpoint", methods=["POST"])
@write_endpoint(blp, ChallengeCheckpointOut, body=CheckpointInput, errors=ERRORS, if_match=True)
def checkpoint(record_id, payload):
    """赛马节点评估：未通过的团队淘汰（须说明原因），其未拨付资金按比例转给其余团队"""
    challenge = _challenge(record_id, payload)
    moved = horse_race.checkpoint(current_user, challenge, payload.get("results"))
    commit()
    challenge.checkpoint = moved
    return challenge, etag(challenge)


@blp.route(f"/challenges/{ID}/extend", methods=["POST"])
@write_endpoint(blp, ChallengeExecutionOut, body=ExtendInput, errors=ERRORS, if_match=True)
def extend(record_id, payload):
    """延期（仅一次，最长一年，须说明原因）"""
    challenge = _challenge(record_id, payload)
    values = load_or_raise(ExtendInput(), payload)
    services.extend(current_user, challenge, values["extended_to"], values["reason"])
    commit()
    return challenge, etag(challenge)


@blp.route(f"/challenges/{ID}/acceptance", methods=["POST"])
@write_endpoint(blp, ChallengeExecutionOut, body=AcceptanceInput, errors=ERRORS, if_match=True)
def acceptance(record_id, payload):
    """验收：accept（全部指标达标）、fail（逐项结果与原因）或 terminate（终止，须说明原因）"""
    challenge = _challenge(record_id, payload)
    values = load_or_raise(AcceptanceInput(), payload)
    services.conclude(current_user, challenge, values["outcome"], values.get("results"), values.get("reason"),
                      values.get("reward_paid"))
    commit()
    return challenge, etag(challenge)
