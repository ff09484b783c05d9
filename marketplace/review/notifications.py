"""The owner hears the review's outcome: a receiver of the declared lifecycles' ``transitioned`` signal tells the
members of the listing's organisation (in-app, and queued for e-mail) when a reviewer publishes or rejects a listing
of any reviewed kind (achievements, patents, demands, 揭榜挂帅 challenges) or its pending changes — a rejection with
the reviewer's reason. The one place for these notifications; the platform itself (bulk imports as the system
actor) tells nobody."""
from __future__ import annotations

from .. import kinds
from ..alerts.services import notify_members
from ..workflow import transitioned

CATEGORY = "review"
#: What each kind's owner calls the record in a notification title.
NOUNS = {"achievement": "科技成果", "patent": "专利", "demand": "技术需求", "challenge": "榜单"}
#: transition -> (title pattern, whether the reviewer's reason is the body)
OUTCOMES = {
    "publish": ("您的{noun}「{title}」已审核通过并发布", False),
    "reject": ("您的{noun}「{title}」被退回修改", True),
    "publish_changes": ("您的{noun}「{title}」的修改已审核通过并发布", False),
    "reject_changes": ("您的{noun}「{title}」的修改被退回", True),
}


def tell_owner(record, transition: str, reason: str | None = None) -> int:
    """Notify the owning organisation's members of a review decision on ``record``; returns how many."""
    kind = kinds.of(record)
    pattern, with_reason = OUTCOMES[transition]
    title = pattern.format(noun=NOUNS.get(kind.name, ""), title=record.title)
    body = f"退回原因：{reason}" if with_reason and reason else None
    return notify_members([record.org_id], title, category=CATEGORY, body=body,
                          link=f"/{kind.collection}/{record.id}", subject=(kind.name, record.id))


@transitioned.connect
def _on_transition(sender, record=None, transition: str = "", actor=None, params=None, **extra) -> None:
    if sender in kinds.LISTING_KINDS and transition in OUTCOMES and not getattr(actor, "is_system", False):
        tell_owner(record, transition, (params or {}).get("reason"))
