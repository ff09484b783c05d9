"""Lifecycles of inquiries, opportunities (the broker pipeline), deals (technology contracts: their registration)
and patent licences, declared once.

Inquiry::

    open ──answer──▶ answered;  open/answered ──decline (reason code + text)──▶ declined
    open/answered ──close──▶ closed;  post (a message) keeps the state, in open/answered only

Opportunity (``stage``)::

    lead ──negotiate──▶ negotiation ──sign (a contract recorded)──▶ signed ──register (contract registered)──▶
    registered ──perform──▶ in_performance ──win──▶ won;   any open stage ──lose (reason)──▶ lost

Deal (``registration_status``)::

    pending ──register (登记编号, date)──▶ registered;  pending ──refuse (reason)──▶ refused ──resubmit──▶ pending
    edit: pending/refused only (a registered contract's fields are what was registered)

Licence: active ──end──▶ ended.
"""
from __future__ import annotations

from ..deals.models import LicenceStatus, OpportunityStage, RegistrationStatus
from ..deals.vocabularies import INQUIRY_DECLINE_REASONS
from ..errors import ValidationFailed
from ..inquiries.models import InquiryStatus
from ..permissions import (answers_inquiry, can_end_licence, can_record_deals, can_record_payments, can_see_deal,
                           can_see_licence, can_see_opportunity, in_inquiry_thread, is_deal_party,
                           is_inquiry_asker, is_inquiry_holder, is_platform_admin, is_system, works_opportunity)
from ..web.messages import N_
from . import Lifecycle, Transition
from .challenges import reason_of

HOLDER_ONLY = N_("只有成果（需求）持有方或负责的技术经纪人可以执行此操作")
DECLINER_ONLY = N_("只有持有方可以婉拒洽谈")
THREAD_ONLY = N_("只有洽谈双方和负责的技术经纪人可以执行此操作")
SYSTEM_ONLY = N_("只有平台可以执行此操作")
ADMIN_ONLY = N_("只有平台管理员可以执行此操作")
STAFF_ONLY = N_("只有技术经纪人或平台管理员可以登记合同")
PAYMENT_STAFF = N_("只有技术经纪人、平台管理员或卖方可以登记到账")
PARTY_ONLY = N_("只有合同双方可以同意成交公示")
BROKER_OF_RECORD = N_("只有该机会归属的技术经纪人或平台管理员可以推进")
PATENTEE_OR_STAFF = N_("只有专利权人或平台工作人员可以终止许可")

INQUIRY_LABELS = {"open": ("待回复", "Awaiting reply"), "answered": ("洽谈中", "In discussion"),
                  "declined": ("已婉拒", "Declined"), "closed": ("已结束", "Closed")}
OPPORTUNITY_LABELS = {
    "lead": ("线索", "Lead"), "negotiation": ("洽谈", "Negotiation"), "signed": ("签约", "Signed"),
    "registered": ("登记", "Registered"), "in_performance": ("履约", "In performance"), "won": ("成交", "Won"),
    "lost": ("未成交", "Lost"),
}
REGISTRATION_LABELS = {"pending": ("待登记", "Awaiting registration"), "registered": ("已登记", "Registered"),
                       "refused": ("不予登记", "Registration refused")}
LICENCE_LABELS = {"active": ("有效", "In force"), "ended": ("已终止", "Ended")}


def _decline_reason(actor, inquiry, params: dict) -> None:
    code = params.get("reason_code")
    if code not in INQUIRY_DECLINE_REASONS:
        raise ValidationFailed(errors={"reason_code": [N_("请选择婉拒原因")]})
    note = (params.get("note") or "").strip()
    if code == "other" and not note:
        raise ValidationFailed(errors={"note": [N_("选择「其他原因」时请说明原因")]})
    if len(note) > 2000:
        raise ValidationFailed(errors={"note": ["说明不能超过2000个字符"]})
    inquiry.decline_reason, inquiry.decline_note = code, note or None


def _asker_or_holder(user, inquiry) -> bool:
    return is_inquiry_asker(user, inquiry) or is_inquiry_holder(user, inquiry)


IQ = InquiryStatus
LIVE = frozenset({IQ.OPEN, IQ.ANSWERED})
INQUIRY = Lifecycle("inquiry", INQUIRY_LABELS, visible=in_inquiry_thread, transitions=[
    Transition("post", N_("发送消息"), LIVE, None, in_inquiry_thread, THREAD_ONLY, stamps=("last_message_at",),
               audited=False),
    Transition("answer", N_("回复"), frozenset({IQ.OPEN}), IQ.ANSWERED, answers_inquiry, HOLDER_ONLY,
               stamps=("answered_at", "last_message_at")),
    Transition("decline", N_("婉拒"), LIVE, IQ.DECLINED, answers_inquiry, DECLINER_ONLY, stamps=("declined_at",),
               effect=_decline_reason),
    Transition("close", N_("结束洽谈"), LIVE, IQ.CLOSED, _asker_or_holder, THREAD_ONLY, stamps=("closed_at",)),
    Transition("flag_overdue", N_("标记超时未回复"), frozenset({IQ.OPEN}), None, is_system, SYSTEM_ONLY,
               stamps=("overdue_flagged_at",), guard=lambda inquiry: inquiry.overdue_flagged_at is None),
    Transition("assign_broker", N_("指派技术经纪人"), LIVE, None, is_platform_admin, ADMIN_ONLY),
])


def _lost_reason(actor, opportunity, params: dict) -> None:
    opportunity.lost_reason = reason_of(params)


def _has_deal(opportunity) -> bool:
    return opportunity.deal_id is not None or opportunity.deal is not None


def _deal_registered(opportunity) -> bool:
    return opportunity.deal is not None and opportunity.deal.registration_status == RegistrationStatus.REGISTERED


OP = OpportunityStage
OPEN_STAGES = frozenset({OP.LEAD, OP.NEGOTIATION, OP.SIGNED, OP.REGISTERED, OP.IN_PERFORMANCE})
OPPORTUNITY = Lifecycle("opportunity", OPPORTUNITY_LABELS, state_attr="stage", visible=can_see_opportunity,
                        transitions=[
    Transition("edit", N_("修改"), OPEN_STAGES, None, works_opportunity, BROKER_OF_RECORD, audited=False),
    Transition("negotiate", N_("进入洽谈"), frozenset({OP.LEAD}), OP.NEGOTIATION, works_opportunity, BROKER_OF_RECORD,
               stamps=("negotiation_at",)),
    Transition("sign", N_("已签约"), frozenset({OP.LEAD, OP.NEGOTIATION}), OP.SIGNED, works_opportunity,
               BROKER_OF_RECORD, stamps=("signed_at",), guard=_has_deal),
    Transition("register", N_("已登记"), frozenset({OP.SIGNED}), OP.REGISTERED, works_opportunity, BROKER_OF_RECORD,
               stamps=("registered_at",), guard=_deal_registered),
    Transition("perform", N_("进入履约"), frozenset({OP.SIGNED, OP.REGISTERED}), OP.IN_PERFORMANCE, works_opportunity,
               BROKER_OF_RECORD, stamps=("performance_at",)),
    Transition("win", N_("成交结案"), frozenset({OP.IN_PERFORMANCE}), OP.WON, works_opportunity, BROKER_OF_RECORD,
               stamps=("closed_at",)),
    Transition("lose", N_("未成交结案"), OPEN_STAGES, OP.LOST, works_opportunity, BROKER_OF_RECORD,
               stamps=("closed_at",), effect=_lost_reason),
])


def _refusal_reason(actor, deal, params: dict) -> None:
    deal.registration_reason = reason_of(params)


R = RegistrationStatus
DEAL = Lifecycle("deal", REGISTRATION_LABELS, state_attr="registration_status", visible=can_see_deal, transitions=[
    Transition("edit", N_("修改合同"), frozenset({R.PENDING, R.REFUSED}), None, can_record_deals, STAFF_ONLY),
    Transition("record_payment", N_("登记到账"), frozenset({R.PENDING, R.REGISTERED, R.REFUSED}), None,
               can_record_payments, PAYMENT_STAFF),
    Transition("record_reward", N_("登记个人奖励"), frozenset({R.PENDING, R.REGISTERED, R.REFUSED}), None,
               can_record_deals, STAFF_ONLY),
    Transition("register", N_("登记"), frozenset({R.PENDING}), R.REGISTERED, can_record_deals, STAFF_ONLY,
               clears=("registration_reason",)),
    Transition("refuse", N_("不予登记"), frozenset({R.PENDING}), R.REFUSED, can_record_deals, STAFF_ONLY,
               effect=_refusal_reason),
    Transition("resubmit", N_("重新提交登记"), frozenset({R.REFUSED}), R.PENDING, can_record_deals, STAFF_ONLY),
    Transition("consent", N_("同意成交公示"), frozenset({R.PENDING, R.REGISTERED, R.REFUSED}), None, is_deal_party,
               PARTY_ONLY),
])

L = LicenceStatus
LICENCE = Lifecycle("patent_licence", LICENCE_LABELS, visible=can_see_licence, transitions=[
    Transition("end", N_("终止许可"), frozenset({L.ACTIVE}), L.ENDED, can_end_licence, PATENTEE_OR_STAFF,
               stamps=("ended_at",)),
])
