"""Creating, editing, deleting and acting on listings — one implementation for achievements, patents and demands.

Each kind describes itself with a :class:`ListingEditor` (its input schema, the fields a form or API may set, and a
``prepare`` hook for its own rules such as unique numbers); the rules below are the same for all, for pages, the
API, bulk import and the CLI alike:

* who may create: a member of an organisation (the listing belongs to it); the system for imports;
* who may edit, and in which state: declared by the ``edit`` transition of the kind's lifecycle (404 / 403 / 409);
* editing a draft or a rejected listing changes it in place; editing a **published** listing stores the changes as
  its pending revision (:class:`marketplace.listings.ListingRevision`) for review — the public keeps seeing the
  approved version until a reviewer publishes the changes;
* every change leaves an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from marshmallow import Schema

from . import kinds
from .audit.services import record as audit
from .errors import Conflict, PermissionDenied
from .extensions import db
from .listings import DRAFT, PUBLISHED, ListingRevision, RevisionStatus, current_value, set_value, to_json
from .permissions import can_create_listing
from .timeutil import utcnow
from .validation import load_or_raise
from .workflow import Transition


@dataclass(frozen=True)
class ListingEditor:
    kind: kinds.RecordKind
    schema: Schema
    no_org_message: str  # the refusal to a user without an organisation
    prepare: Callable[[Any, dict, Any], None] | None = None  # (actor, loaded values, record or None): own rules

    @property
    def fields(self) -> list[str]:
        return list(self.schema.fields)

    def load(self, actor, data: dict, record=None, partial: bool = False) -> dict:
        values = load_or_raise(self.schema, data, partial=partial)
        if self.prepare is not None:
            self.prepare(actor, values, record)
        return values


def check_version(record, expected_version: int | None) -> None:
    """Optimistic locking for forms and API updates: the client says which version it edited."""
    if expected_version is not None and int(expected_version) != record.version:
        raise Conflict("该记录已被他人修改（当前版本 %d，您编辑的是版本 %d），请刷新后重试" % (record.version, int(expected_version)))


def create(actor, editor: ListingEditor, data: dict, org=None):
    """A draft listing of the actor's organisation (or of ``org``, for the system) from raw input ``data``."""
    if not can_create_listing(actor):
        raise PermissionDenied(editor.no_org_message)
    org = org or actor.organization
    values = editor.load(actor, {**data}, None)
    record = editor.kind.model(org_id=org.id, owner_id=getattr(actor, "id", None), status=DRAFT)
    if "region" in editor.fields and values.get("region") is None:
        values["region"] = org.region
    db.session.add(record)
    for name, value in values.items():
        set_value(record, name, value)
    db.session.flush()
    audit(actor, f"{editor.kind.name}.create", record)
    return record


def update(actor, editor: ListingEditor, record, data: dict, expected_version: int | None = None,
           partial: bool = False):
    """Apply edits (in place, or as the pending revision of a published listing). ``expected_version`` (the form's
    hidden field or the API's If-Match) guards against lost updates."""
    editor.kind.lifecycle.check(actor, record, "edit")
    check_version(record, expected_version)
    values = editor.load(actor, data, record, partial=partial)
    if record.status == PUBLISHED:
        return propose(actor, editor, record, values)
    changed = [name for name, value in values.items() if current_value(record, name) != _comparable(name, value)]
    for name in changed:
        set_value(record, name, values[name])
    if changed:
        record.updated_at = utcnow()
        audit(actor, f"{editor.kind.name}.update", record, {"fields": changed})
    return record


def _comparable(name: str, value):
    return sorted(value) if name.endswith("_ids") and value is not None else value


def propose(actor, editor: ListingEditor, record, values: dict):
    """Store ``values`` that differ from the published listing as its pending revision (merged with one already
    pending; a field set back to the published value drops out). No difference left: the revision is discarded."""
    revision = record.pending_revision
    changes = dict(revision.changes) if revision is not None else {}
    for name, value in values.items():
        if current_value(record, name) == _comparable(name, value):
            changes.pop(name, None)
        else:
            changes[name] = to_json(_comparable(name, value))
    now = utcnow()
    if revision is None and not changes:
        return record
    if revision is None:
        revision = ListingRevision(kind=editor.kind.name, record_id=record.id, org_id=record.org_id,
                                   base_version=record.version, changes=changes)
        db.session.add(revision)
    revision.author_id = getattr(actor, "id", None)
    revision.submitted_at = now
    revision.changes = changes
    if not changes:
        revision.status = RevisionStatus.DISCARDED
        revision.decided_at = now
    record.updated_at = now  # the listing's version moves on: a form rendered before this edit is stale
    db.session.flush()
    record.__dict__.pop("pending_revision", None)  # reload the view-only relation on next access
    audit(actor, f"{editor.kind.name}.propose_changes", record, {"fields": sorted(changes)})
    return record


def proposed_values(record) -> dict:
    """The values a published listing would have with its pending revision applied (for the edit form)."""
    revision = record.pending_revision
    return dict(revision.changes) if revision is not None else {}


def perform(actor, record, action: str, **params) -> Transition:
    """Apply lifecycle action ``action`` (submit, withdraw, publish, reject, publish_changes, reject_changes,
    discard_changes, close, archive, delete) to ``record`` as ``actor``."""
    return kinds.of(record).lifecycle.apply(actor, record, action, **params)


def actions(actor, record) -> list[str]:
    """What ``actor`` may do to ``record`` now (the buttons of its page, ``actions`` in API responses)."""
    lifecycle = kinds.of(record).lifecycle
    return lifecycle.available(actor, record) if lifecycle is not None else []
