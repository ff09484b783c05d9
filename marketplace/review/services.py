"""The review queue: submitted listings and the pending changes of published ones, first come first reviewed."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, func, literal, literal_column, union_all
from sqlalchemy.orm import selectinload

from .. import kinds
from ..listing_edits import perform
from ..extensions import db
from ..listings import SUBMITTED, ListingRevision, RevisionStatus
from ..timeutil import utcnow
from . import notifications  # noqa: F401  (connects the receiver: owners hear the review's outcome)

REVIEWABLE_KINDS = tuple(kinds.LISTING_KINDS)


# -- the listing lifecycle's verbs (each applies the declared transition: marketplace.workflow.listings) ------------

def submit(actor, listing) -> None:
    """Send a draft (or a rejected listing, after changes) for review."""
    perform(actor, listing, "submit")


def withdraw(actor, listing) -> None:
    """Take a submitted or published listing back to draft."""
    perform(actor, listing, "withdraw")


def publish(actor, listing) -> None:
    perform(actor, listing, "publish")


def reject(actor, listing, reason: str) -> None:
    perform(actor, listing, "reject", reason=reason)


def archive(actor, listing) -> None:
    perform(actor, listing, "archive")


def close(actor, listing) -> None:
    """Close a demand (solved or no longer needed)."""
    perform(actor, listing, "close")


def publish_changes(actor, listing) -> None:
    """Publish a published listing's pending revision."""
    perform(actor, listing, "publish_changes")


def reject_changes(actor, listing, reason: str) -> None:
    perform(actor, listing, "reject_changes", reason=reason)


@dataclass(frozen=True)
class QueueItem:
    """One entry of the review queue: a submitted listing, or the pending changes of a published one."""

    kind: str
    record: object
    revision: ListingRevision | None = None

    @property
    def submitted_at(self):
        return self.revision.submitted_at if self.revision is not None else self.record.submitted_at


def review_queue(kind: str | None = None, page: int = 1, per_page: int = 20):
    """One page of the submitted records, oldest first (first come, first reviewed), and their total.

    ``kind`` narrows the queue to one of REVIEWABLE_KINDS; anything else means all of them. Order: submission time;
    a submitted record without one (only possible when set by hand) counts as submitted now, i.e. after every
    earlier submission; equal times go in REVIEWABLE_KINDS order, then by id. ``page`` starts at 1.

    Paged in the database: a UNION ALL of (kind, id, submission time) over the chosen tables picks the page with
    LIMIT/OFFSET, then only that page's records are loaded (with their organisations, which the queue shows); the
    total is a COUNT over the same union."""
    models = {name: entry.model for name, entry in kinds.LISTING_KINDS.items()}
    chosen = [kind] if kind in models else list(models)
    now = literal(utcnow(), DateTime())
    parts = []
    for name in chosen:
        rank = literal_column(str(REVIEWABLE_KINDS.index(name)), Integer).label("kind_rank")
        parts.append(db.select(rank, models[name].id.label("id"), literal_column("0", Integer).label("revision_id"),
                               func.coalesce(models[name].submitted_at, now).label("queued_at"))
                     .where(models[name].status == SUBMITTED))
        parts.append(db.select(rank, ListingRevision.record_id.label("id"), ListingRevision.id.label("revision_id"),
                               ListingRevision.submitted_at.label("queued_at"))
                     .where(ListingRevision.status == RevisionStatus.PENDING, ListingRevision.kind == name))
    queue = union_all(*parts).subquery("review_queue")
    total = db.session.execute(db.select(func.count()).select_from(queue)).scalar_one()
    if page < 1 or not total:
        return [], total
    keys = [(REVIEWABLE_KINDS[rank], record_id, revision_id) for rank, record_id, revision_id in db.session.execute(
        db.select(queue.c.kind_rank, queue.c.id, queue.c.revision_id)
        .order_by(queue.c.queued_at, queue.c.kind_rank, queue.c.id, queue.c.revision_id)
        .limit(per_page).offset((page - 1) * per_page))]
    loaded = {}
    for name in chosen:
        ids = [record_id for key_kind, record_id, _ in keys if key_kind == name]
        if ids:
            model = models[name]
            for listing in db.session.execute(db.select(model).where(model.id.in_(ids))
                                              .options(selectinload(model.organization))).scalars():
                loaded[name, listing.id] = listing
    revision_ids = [revision_id for _, _, revision_id in keys if revision_id]
    revisions = {revision.id: revision for revision in db.session.execute(
        db.select(ListingRevision).where(ListingRevision.id.in_(revision_ids))).scalars()} if revision_ids else {}
    return [QueueItem(name, loaded[name, record_id], revisions.get(revision_id))
            for name, record_id, revision_id in keys if (name, record_id) in loaded], total


def queue_counts() -> dict[str, int]:
    """The number of submitted records and pending revisions of each kind."""
    revisions = dict(db.session.execute(db.select(ListingRevision.kind, func.count()).where(
        ListingRevision.status == RevisionStatus.PENDING).group_by(ListingRevision.kind)).all())
    return {name: db.session.execute(db.select(func.count()).select_from(entry.model).where(
        entry.model.status == SUBMITTED)).scalar_one() + revisions.get(name, 0)
        for name, entry in kinds.LISTING_KINDS.items()}
