"""The list of a user's inquiries, one spec for the page (/inquiries) and the API (GET /api/v1/inquiries).

Scope (not a filter: it depends on who asks): ``box`` = sent by my organisation, received by it, the ones I am the
responsible broker of, or all three (:func:`marketplace.inquiries.services.box_condition`). Filters: state, listing
kind, ``overdue=1`` (still unanswered after INQUIRY_OVERDUE_DAYS days). Sorts: latest activity, newest."""
from __future__ import annotations

from marshmallow import fields

from ..pagination import PER_PAGE, Page
from ..reading import Filter, ListSpec, ReadArgs, Sort
from ..validation import Choice
from ..web.messages import N_
from ..workflow.deals import INQUIRY_LABELS
from .models import SUBJECT_KINDS, Inquiry
from .overdue import overdue_condition
from .services import BOXES, box_condition, list_options

INQUIRIES = ListSpec(
    model=Inquiry,
    filters=[
        Filter("status", Choice(INQUIRY_LABELS, label="洽谈状态"), lambda v: Inquiry.status == v,
               "洽谈状态：open 待回复 / answered 洽谈中 / declined 已婉拒 / closed 已结束"),
        Filter("subject_kind", Choice(SUBJECT_KINDS, label="洽谈对象类型"), lambda v: Inquiry.subject_kind == v,
               "洽谈对象：achievement 科技成果 / patent 专利 / demand 技术需求 / challenge 揭榜挂帅榜单"),
        Filter("overdue", fields.Bool(truthy={"1", "true", "yes"}, falsy={"0", "false", "no"}, allow_none=True,
                                      error_messages={"invalid": N_("应为 1 或 0")}),
               lambda flag: overdue_condition() if flag else ~overdue_condition(),
               "1 = 只看超时未回复的洽谈，0 = 只看其他"),
    ],
    sorts={"latest": Sort("最近有消息的在前", (Inquiry.last_message_at.desc(),)),
           "newest": Sort("最新发起的在前", (Inquiry.created_at.desc(),))},
    default_sort="latest",
    tiebreak=lambda public: (Inquiry.id.desc(),),
)


def read_inquiries(actor, args: ReadArgs, box: str = "all", *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of ``actor``'s inquiries in ``box`` matching ``args``."""
    return INQUIRIES.read(args, scope=[box_condition(actor, box if box in BOXES else "all")], public=False,
                          page=page, per_page=per_page, options=list_options())
