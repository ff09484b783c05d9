"""The contract list, one spec for the page (/deals) and the API (GET /api/v1/deals), and who sees which contracts:
staff see all; a member of an organisation sees the contracts it is a party to; nobody else sees any.

Filters: contract type, registration status, signing year, 技术领域 (the 11 national categories) and a party's
name (part of it). Sorts: signing date (newest first, the default), amount (largest first), recorded (newest)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from ..audit.models import AuditEvent
from ..extensions import db
from ..pagination import PER_PAGE, Page
from ..permissions import can_review, is_signed_in, is_system
from ..reading import Filter, ListSpec, ReadArgs, Sort
from ..validation import Choice, Int, Text
from ..web.messages import N_
from ..workflow.deals import DEAL
from .models import Deal, DealParty
from .vocabularies import CONTRACT_FIELDS, CONTRACT_TYPES, REGISTRATION_STATUSES

MIN_YEAR, MAX_YEAR = 1980, 2100


def _year(year: int):
    return Deal.signed_on.between(date(year, 1, 1), date(year, 12, 31))


def _party(name: str):
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return Deal.id.in_(db.select(DealParty.deal_id).where(DealParty.name.like(pattern, escape="\\")))


DEALS = ListSpec(
    model=Deal,
    filters=[
        Filter("contract_type", Choice(CONTRACT_TYPES, label="合同类别"), lambda v: Deal.contract_type == v,
               "合同类别：development 技术开发 / transfer 技术转让 / licence 技术许可 / consulting 技术咨询 / "
               "service 技术服务"),
        Filter("registration_status", Choice(REGISTRATION_STATUSES, label="登记状态"),
               lambda v: Deal.registration_status == v,
               "登记状态：pending 待登记 / registered 已登记 / refused 不予登记"),
        Filter("year", Int(MIN_YEAR, MAX_YEAR), _year, "签订年份"),
        Filter("technical_field", Choice(CONTRACT_FIELDS, label="技术领域"), lambda v: Deal.technical_field == v,
               "技术领域（11 个国家统计分类）"),
        Filter("party", Text(max_length=100), _party, "合同方名称（包含即可）", unindexed=True),
    ],
    sorts={
        "signed": Sort("签订日期从新到旧"),
        "amount": Sort("合同成交额从高到低", (Deal.total_amount.desc(),)),
        "recorded": Sort("最近录入的在前", (Deal.created_at.desc(),)),
    },
    default_sort="signed",
    tiebreak=lambda public: (Deal.signed_on.desc(), Deal.id.desc()),
)


def visible_scope(user) -> list:
    """WHERE conditions selecting the contracts ``user`` may see (the SQL of ``can_see_deal``)."""
    if is_system(user) or can_review(user):
        return []
    org_id = getattr(user, "org_id", None) if is_signed_in(user) else None
    if org_id is None:
        return [db.false()]
    return [Deal.id.in_(db.select(DealParty.deal_id).where(DealParty.org_id == org_id))]


def page_options() -> tuple:
    return (selectinload(Deal.parties),)


def deals_page(user, args: ReadArgs, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the contracts ``user`` may see, filtered and sorted by ``args``."""
    return DEALS.read(args, scope=visible_scope(user), public=False, page=page, per_page=per_page,
                      options=page_options(), count_cap=10_000)


EVENT_LABELS = {"deal.create": N_("录入合同"), "deal.delete_payment": N_("删除到账记录"),
                "deal.delete_reward": N_("删除个人奖励记录")}


def event_label(action: str) -> str:
    """The msgid naming an audit event of a contract: its transition's label, or one of :data:`EVENT_LABELS`."""
    if action in EVENT_LABELS:
        return EVENT_LABELS[action]
    name = action.split(".", 1)[1] if action.startswith("deal.") else ""
    transition = next((t for t in DEAL.transitions if t.name == name), None)
    return transition.label if transition is not None else action


def event_details(details: dict | None) -> list[str]:
    """What an audit event of a contract changed, as people read it: the state before and after, the changed fields,
    the registration number, a payment's date and amount, a reason — never raw codes."""
    from flask_babel import gettext

    from ..taxonomy import label
    from .labels import FIELD_LABELS
    from .vocabularies import REGISTRATION_STATUSES

    details = details or {}
    shown = []
    if "from" in details and "to" in details:
        shown.append(f"{label(REGISTRATION_STATUSES, details['from'])} → {label(REGISTRATION_STATUSES, details['to'])}")
    fields = [name for name in str(details.get("fields") or "").split(",") if name and name != "-"]
    if fields:
        shown.append(gettext("修改了：") + gettext("、").join(gettext(FIELD_LABELS.get(name, name)) for name in fields))
    if details.get("registration_number"):
        shown.append(gettext("登记编号") + " " + str(details["registration_number"]))
    if details.get("amount") is not None:
        shown.append(" ".join(str(part) for part in (details.get("received_on") or "", details["amount"],
                                                       gettext("万元")) if part))
    if details.get("reason"):
        shown.append(str(details["reason"]))
    return shown


def history(deal: Deal, limit: int = 200) -> list[tuple[AuditEvent, str | None]]:
    """The contract's audit events, oldest first, with the actor's name (who did what, when, from where)."""
    from ..accounts.models import User

    return [tuple(row) for row in db.session.execute(
        db.select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.target_type == Deal.__tablename__, AuditEvent.target_id == deal.id)
        .order_by(AuditEvent.id).limit(limit)).all()]
