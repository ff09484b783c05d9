"""Inquiries (意向/洽谈): sending one about a published listing, messages both ways, declining with a reason, closing,
and who sees which. Every state change goes through the INQUIRY lifecycle (:mod:`marketplace.workflow.deals`), which
checks visibility (404 outside the thread), permission (403) and state (409) and writes the audit event.

Against spam: one open inquiry per (asking organisation, listing) at a time (a second answers 409 naming the open
one), a size limit on messages (422 on the field), and rate limits per user on the pages and the API
(:mod:`.limits`)."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func
from sqlalchemy.orm import joinedload

from .. import kinds
from ..accounts.models import User
from ..attachments.services import add_attachment
from ..audit.services import record as audit
from ..errors import Conflict, NotFound, PermissionDenied
from ..extensions import db
from ..listings import PUBLISHED
from ..permissions import can_send_inquiry, in_inquiry_thread, is_member_of, require_verified_email
from ..validation import load_or_raise
from ..web.messages import N_, tr
from ..workflow.deals import INQUIRY, LIVE
from . import notifications
from .models import SUBJECT_KINDS, Inquiry, InquiryMessage, InquiryStatus
from .schemas import DeclineInput, InquiryInput, MessageInput

#: the refusals that name the kind of listing, one message per kind (numbers are placeholders: see translate_message)
OWN_LISTING = {"achievement": N_("不能就本机构发布的成果发起洽谈"), "patent": N_("不能就本机构发布的专利发起洽谈"),
               "demand": N_("不能就本机构发布的需求发起洽谈"), "challenge": N_("不能就本机构发布的榜单发起洽谈")}
ALREADY_ASKED = {
    "achievement": N_("本机构已就该成果发起洽谈且尚未结束，请在原洽谈中继续沟通：/inquiries/%(n0)s"),
    "patent": N_("本机构已就该专利发起洽谈且尚未结束，请在原洽谈中继续沟通：/inquiries/%(n0)s"),
    "demand": N_("本机构已就该需求发起洽谈且尚未结束，请在原洽谈中继续沟通：/inquiries/%(n0)s"),
    "challenge": N_("本机构已就该榜单发起洽谈且尚未结束，请在原洽谈中继续沟通：/inquiries/%(n0)s")}


class DuplicateInquiry(Conflict):
    """The asking organisation already has an open inquiry about this listing (``existing_id``)."""

    def __init__(self, existing_id: int, kind: str):
        super().__init__(ALREADY_ASKED[kind] % {"n0": existing_id},
                         errors={"subject_id": [f"已有进行中的洽谈（编号 {existing_id}）"]})
        self.existing_id = existing_id


# -- the listing asked about ------------------------------------------------------------------------------------------

def subject_of(kind: str, subject_id: int):
    """The published listing an inquiry may be about; 404 for anything else (unknown kind, missing, unpublished)."""
    if kind not in SUBJECT_KINDS:
        raise NotFound()
    record = db.session.get(kinds.get(kind).model, subject_id)
    if record is None or record.status != PUBLISHED:
        raise NotFound()
    return record


def open_inquiry_about(org_id: int | None, kind: str, subject_id: int) -> Inquiry | None:
    """The asking organisation's inquiry about this listing that is still going on, if any."""
    if org_id is None:
        return None
    return db.session.execute(db.select(Inquiry).where(
        Inquiry.asker_org_id == org_id, Inquiry.subject_kind == kind, Inquiry.subject_id == subject_id,
        Inquiry.status.in_(list(LIVE))).order_by(Inquiry.id).limit(1)).scalar_one_or_none()


def responsible_broker() -> User | None:
    """The active broker with the fewest inquiries still going on (ties: lowest id); None without brokers."""
    live = (db.select(Inquiry.broker_id, func.count().label("n")).where(Inquiry.status.in_(list(LIVE)))
            .group_by(Inquiry.broker_id).subquery())
    return db.session.execute(
        db.select(User).outerjoin(live, live.c.broker_id == User.id)
        .where(User.platform_role == "broker", User.active.is_(True))
        .order_by(func.coalesce(live.c.n, 0), User.id).limit(1)).scalar_one_or_none()


# -- sending, messages, decline, close --------------------------------------------------------------------------------

def _author_org(actor, inquiry: Inquiry) -> int | None:
    """The side a message comes from: the asking or the holding organisation; None for the broker."""
    for org_id in (inquiry.asker_org_id, inquiry.holder_org_id):
        if is_member_of(actor, org_id):
            return org_id
    return None


def send_inquiry(actor, data: dict, files: Iterable[tuple] = ()) -> Inquiry:
    """发起洽谈 about a published achievement, patent, demand or challenge of another organisation.

    ``data``: subject_kind, subject_id, message, cooperation_mode, budget (万元, optional). ``files``: optional
    ``(stream, filename)`` pairs attached to the inquiry. The responsible broker is the active broker with the
    fewest inquiries going on. The caller commits."""
    values = load_or_raise(InquiryInput(), data or {})
    if not can_send_inquiry(actor):
        raise PermissionDenied(N_("请先加入一个机构再发起洽谈"))
    require_verified_email(actor)
    kind, subject_id = values["subject_kind"], values["subject_id"]
    subject = subject_of(kind, subject_id)
    if subject.org_id == actor.org_id:
        raise PermissionDenied(OWN_LISTING[kind])
    existing = open_inquiry_about(actor.org_id, kind, subject_id)
    if existing is not None:
        raise DuplicateInquiry(existing.id, kind)
    broker = responsible_broker()
    inquiry = Inquiry(subject_kind=kind, subject_id=subject_id, subject_title=subject.title[:200],
                      asker_org_id=actor.org_id, asker_id=actor.id, holder_org_id=subject.org_id,
                      broker_id=broker.id if broker else None, cooperation_mode=values["cooperation_mode"],
                      budget=values.get("budget"), status=InquiryStatus.OPEN)
    inquiry.messages.append(InquiryMessage(author_id=actor.id, author_org_id=actor.org_id,
                                           body=values["message"].strip()))
    db.session.add(inquiry)
    db.session.flush()
    for stream, filename in files:
        add_attachment(actor, inquiry, stream, filename)
    audit(actor, "inquiry.send", inquiry, {"subject_kind": kind, "subject_id": subject_id,
                                           "holder_org_id": subject.org_id, "broker_id": inquiry.broker_id})
    notifications.inquiry_sent(inquiry)
    return inquiry


def post_message(actor, inquiry: Inquiry, body: str | None, *, answer: bool | None = None) -> InquiryMessage:
    """A message in the thread. The holder's first message while the inquiry is open answers it (``answer``);
    every other message is a ``post``. ``answer=True`` lets the responsible broker answer on the holder's behalf.
    The caller commits."""
    values = load_or_raise(MessageInput(), {"body": body})
    if answer is None:
        answer = str(inquiry.status) == InquiryStatus.OPEN and \
            is_member_of(actor, inquiry.holder_org_id) and not is_member_of(actor, inquiry.asker_org_id)
    transition = "answer" if answer else "post"
    INQUIRY.check(actor, inquiry, transition)
    message = InquiryMessage(author_id=getattr(actor, "id", None), author_org_id=_author_org(actor, inquiry),
                             body=values["body"].strip())
    inquiry.messages.append(message)
    db.session.flush()
    INQUIRY.apply(actor, inquiry, transition, message=message)
    return message


def decline_inquiry(actor, inquiry: Inquiry, reason_code: str | None, note: str | None = None) -> Inquiry:
    """婉拒, with a reason from deals.vocabularies.INQUIRY_DECLINE_REASONS ("other" needs the note); the asker sees
    both. The caller commits."""
    INQUIRY.check(actor, inquiry, "decline")
    values = load_or_raise(DeclineInput(), {"reason_code": reason_code, "note": note or None})
    INQUIRY.apply(actor, inquiry, "decline", reason_code=values["reason_code"], note=values.get("note") or "")
    return inquiry


def close_inquiry(actor, inquiry: Inquiry) -> Inquiry:
    """结束洽谈 (either organisation). The caller commits."""
    INQUIRY.apply(actor, inquiry, "close")
    return inquiry


def apply_action(actor, inquiry: Inquiry, name: str, params: dict | None = None) -> Inquiry:
    """The thread's buttons by name (pages and the API): decline (reason_code, note) and close."""
    params = params or {}
    if name == "decline":
        return decline_inquiry(actor, inquiry, params.get("reason_code"), params.get("note"))
    if name == "close":
        return close_inquiry(actor, inquiry)
    raise NotFound(tr(N_("没有这个操作：%(name)s"), name=name))  # messages (post, answer) have their own endpoint


# -- reading ------------------------------------------------------------------------------------------------------

def get_inquiry(actor, inquiry_id: int) -> Inquiry:
    """The inquiry if ``actor`` is in its thread (either organisation, the responsible broker); 404 otherwise."""
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None or not in_inquiry_thread(actor, inquiry):
        raise NotFound()
    return inquiry


def subject_record(inquiry: Inquiry):
    """The listing asked about, if it still exists (None otherwise)."""
    return db.session.get(kinds.get(inquiry.subject_kind).model, inquiry.subject_id)


BOXES = ("all", "sent", "received", "brokered")


def box_condition(actor, box: str = "all"):
    """The inquiries of ``actor`` in ``box``: sent by their organisation, received by it, or (brokers) those they
    are responsible for; ``all`` is the three together."""
    org_id = getattr(actor, "org_id", None)
    user_id = getattr(actor, "id", None)
    sent = Inquiry.asker_org_id == org_id if org_id is not None else db.false()
    received = Inquiry.holder_org_id == org_id if org_id is not None else db.false()
    brokered = Inquiry.broker_id == user_id if user_id is not None else db.false()
    return {"sent": sent, "received": received, "brokered": brokered}.get(box, db.or_(sent, received, brokered))


def list_options() -> tuple:
    return (joinedload(Inquiry.asker_org), joinedload(Inquiry.holder_org), joinedload(Inquiry.broker))
