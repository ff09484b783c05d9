"""Who hears about an inquiry (in-app, and queued for e-mail): the holder's members and the responsible broker when it
is sent; the other side (and the broker) on each message; the asker when it is answered or declined (with the
reason); the other side when it is closed; the broker when it went unanswered. State changes and messages arrive
through the INQUIRY lifecycle's ``transitioned`` signal; a new inquiry is announced by :func:`inquiry_sent`."""
from __future__ import annotations

from ..accounts.models import Membership, User
from ..alerts.messages import N_, Label, Lines, Message, Text
from ..alerts.services import notify
from ..deals.vocabularies import INQUIRY_DECLINE_REASONS
from ..extensions import db
from ..workflow import transitioned
from .models import Inquiry

CATEGORY = "inquiry"
EXCERPT = 300

SENT = N_("「%(asker)s」就「%(subject)s」发起洽谈")
ANSWERED = N_("「%(holder)s」回复了您关于「%(subject)s」的洽谈")
NEW_MESSAGE = N_("洽谈「%(subject)s」有新消息")
DECLINED = N_("「%(holder)s」婉拒了您关于「%(subject)s」的洽谈")
DECLINE_REASON = N_("婉拒原因：%(reason)s")
DECLINE_NOTE = N_("说明：%(note)s")
CLOSED = N_("关于「%(subject)s」的洽谈已结束")
OVERDUE = N_("洽谈超时未回复：「%(subject)s」")
OVERDUE_DAYS = N_("「%(asker)s」向「%(holder)s」发起的洽谈已超过 %(days)s 天未获回复，请跟进。")
OVERDUE_LONG = N_("「%(asker)s」向「%(holder)s」发起的洽谈长时间未获回复，请跟进。")


def _members(*org_ids: int | None) -> list[int]:
    ids = [org_id for org_id in org_ids if org_id is not None]
    if not ids:
        return []
    return list(db.session.execute(db.select(User.id).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id.in_(ids), User.active.is_(True)).order_by(User.id)).scalars())


def _platform_admins() -> list[int]:
    return list(db.session.execute(db.select(User.id).where(
        User.platform_role == "admin", User.active.is_(True)).order_by(User.id)).scalars())


def _tell(user_ids, inquiry: Inquiry, title: Text, body: Text | None = None, *, skip: int | None = None) -> None:
    for user_id in dict.fromkeys(user_ids):
        if user_id is not None and user_id != skip:
            notify(user_id, CATEGORY, title, body=body, link=f"/inquiries/{inquiry.id}",
                   subject=("inquiry", inquiry.id), email=True)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def inquiry_sent(inquiry: Inquiry) -> None:
    """A new inquiry: the holder's members and the responsible broker."""
    asker = inquiry.asker_org.name if inquiry.asker_org else ""
    title = Message(SENT, asker=asker, subject=inquiry.subject_title)
    body = _excerpt(inquiry.messages[0].body) if inquiry.messages else None
    _tell([*_members(inquiry.holder_org_id), inquiry.broker_id], inquiry, title, body)


def _on_message(inquiry: Inquiry, transition: str, actor, params: dict) -> None:
    message = params.get("message")
    if message is None:
        return
    author = getattr(actor, "id", None)
    if message.author_org_id == inquiry.asker_org_id:
        others = [*_members(inquiry.holder_org_id), inquiry.broker_id]
    elif message.author_org_id == inquiry.holder_org_id:
        others = [*_members(inquiry.asker_org_id), inquiry.broker_id]
    else:  # the broker writes to both sides
        others = _members(inquiry.asker_org_id, inquiry.holder_org_id)
    if transition == "answer":
        title = Message(ANSWERED, holder=inquiry.holder_org.name, subject=inquiry.subject_title)
    else:
        title = Message(NEW_MESSAGE, subject=inquiry.subject_title)
    _tell(others, inquiry, title, _excerpt(message.body), skip=author)


def _on_decline(inquiry: Inquiry, actor) -> None:
    body = Lines(Message(DECLINE_REASON, reason=Label(INQUIRY_DECLINE_REASONS, inquiry.decline_reason)),
                 Message(DECLINE_NOTE, note=inquiry.decline_note) if inquiry.decline_note else None)
    _tell([*_members(inquiry.asker_org_id), inquiry.broker_id], inquiry,
          Message(DECLINED, holder=inquiry.holder_org.name, subject=inquiry.subject_title), body,
          skip=getattr(actor, "id", None))


def _on_close(inquiry: Inquiry, actor) -> None:
    _tell([*_members(inquiry.asker_org_id, inquiry.holder_org_id), inquiry.broker_id], inquiry,
          Message(CLOSED, subject=inquiry.subject_title), skip=getattr(actor, "id", None))


def _on_overdue(inquiry: Inquiry, params: dict) -> None:
    """Unanswered: the responsible broker (platform admins when there is none) follows up."""
    days = params.get("days")
    title = Message(OVERDUE, subject=inquiry.subject_title)
    body = Message(OVERDUE_DAYS if days else OVERDUE_LONG, asker=inquiry.asker_org.name,
                   holder=inquiry.holder_org.name, days=days)
    _tell([inquiry.broker_id] if inquiry.broker_id else _platform_admins(), inquiry, title, body)


@transitioned.connect_via("inquiry")
def _notify(sender, record=None, transition: str = "", actor=None, params=None, **extra) -> None:
    params = params or {}
    if transition in ("post", "answer"):
        _on_message(record, transition, actor, params)
    elif transition == "decline":
        _on_decline(record, actor)
    elif transition == "close":
        _on_close(record, actor)
    elif transition == "flag_overdue":
        _on_overdue(record, params)
