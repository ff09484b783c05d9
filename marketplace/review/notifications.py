"""The owner hears the review's outcome: a receiver of the declared lifecycles' ``transitioned`` signal tells the
members of the listing's organisation (in-app, and queued for e-mail) when a reviewer publishes or rejects a listing
of any reviewed kind (achievements, patents, demands, 揭榜挂帅 challenges) or its pending changes — a rejection with
the reviewer's reason. The one place for these notifications; the platform itself (bulk imports as the system
actor) tells nobody."""
from __future__ import annotations

from .. import kinds
from ..alerts.messages import N_, Message
from ..alerts.services import notify_members
from ..workflow import transitioned

CATEGORY = "review"
#: transition -> (kind -> title; ``%(title)s`` the record's), and whether the reviewer's reason is the body
OUTCOMES = {
    "publish": ({"achievement": N_("您的科技成果「%(title)s」已审核通过并发布"),
                 "patent": N_("您的专利「%(title)s」已审核通过并发布"),
                 "demand": N_("您的技术需求「%(title)s」已审核通过并发布"),
                 "challenge": N_("您的榜单「%(title)s」已审核通过并发布")}, False),
    "reject": ({"achievement": N_("您的科技成果「%(title)s」被退回修改"),
                "patent": N_("您的专利「%(title)s」被退回修改"),
                "demand": N_("您的技术需求「%(title)s」被退回修改"),
                "challenge": N_("您的榜单「%(title)s」被退回修改")}, True),
    "publish_changes": ({"achievement": N_("您的科技成果「%(title)s」的修改已审核通过并发布"),
                         "patent": N_("您的专利「%(title)s」的修改已审核通过并发布"),
                         "demand": N_("您的技术需求「%(title)s」的修改已审核通过并发布"),
                         "challenge": N_("您的榜单「%(title)s」的修改已审核通过并发布")}, False),
    "reject_changes": ({"achievement": N_("您的科技成果「%(title)s」的修改被退回"),
                        "patent": N_("您的专利「%(title)s」的修改被退回"),
                        "demand": N_("您的技术需求「%(title)s」的修改被退回"),
                        "challenge": N_("您的榜单「%(title)s」的修改被退回")}, True),
}
REASON = N_("退回原因：%(reason)s")


def tell_owner(record, transition: str, reason: str | None = None) -> int:
    """Notify the owning organisation's members of a review decision on ``record`` (each in their language);
    returns how many."""
    kind = kinds.of(record)
    titles, with_reason = OUTCOMES[transition]
    body = Message(REASON, reason=reason) if with_reason and reason else None
    return notify_members([record.org_id], Message(titles[kind.name], title=record.title), category=CATEGORY,
                          body=body, link=f"/{kind.collection}/{record.id}", subject=(kind.name, record.id))


@transitioned.connect
def _on_transition(sender, record=None, transition: str = "", actor=None, params=None, **extra) -> None:
    if sender in kinds.LISTING_KINDS and transition in OUTCOMES and not getattr(actor, "is_system", False):
        tell_owner(record, transition, (params or {}).get("reason"))
