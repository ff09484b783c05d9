"""The listing lifecycle of achievements, patents and demands, declared once.

    draft ──submit──▶ submitted ──publish (holder verified)──▶ published ──archive──▶ archived
      ▲                  │  └──reject (reason)──▶ rejected ──submit──▶ submitted
      └────withdraw──────┴──────────────────────── published          (demands: published ──close──▶ closed)

``edit`` keeps the state: a draft or a rejected listing changes in place; a published one gets a pending revision
that reviewers publish or reject (``publish_changes`` / ``reject_changes``), which its owner may discard
(``discard_changes``). ``delete`` removes a draft or a rejected listing.
"""
from __future__ import annotations

from ..errors import ValidationFailed
from ..extensions import db
from ..listings import (ARCHIVED, CLOSED, DRAFT, PUBLISHED, REJECTED, SUBMITTED, RevisionStatus, from_json,
                        set_value)
from ..permissions import can_archive, can_review, can_see_listing, owns, require_verified_email
from ..taxonomy import LISTING_STATUSES
from ..timeutil import utcnow
from ..web.messages import N_
from . import Lifecycle, Transition

MAX_REASON = 2000
OWNER_ONLY = N_("只有该记录所属机构的成员可以执行此操作")
REVIEWERS_ONLY = N_("只有技术经纪人或平台管理员可以审核")


def _reason(params: dict) -> str:
    reason = (params.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": ["请填写退回原因，以便提交方修改"]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(errors={"reason": [f"退回原因不能超过{MAX_REASON}个字符"]})
    params["reason"] = reason
    return reason


def _verified_submitter(actor, listing, params: dict) -> None:
    """Only users who verified their e-mail address submit for review (403 otherwise)."""
    require_verified_email(actor)


def _store_reason(actor, listing, params: dict) -> None:
    listing.reject_reason = _reason(params)


def _holder_verified(listing) -> bool:
    """Only a verified organisation's listings are published (marketplace.workflow.organizations)."""
    organization = listing.organization
    return organization is not None and organization.is_verified


HOLDER_NOT_VERIFIED = N_("该记录所属机构尚未通过平台认证，认证通过后才能发布")


def _has_pending_revision(listing) -> bool:
    return listing.pending_revision is not None


def _decide_revision(actor, listing, status: RevisionStatus, reason: str | None = None):
    revision = listing.pending_revision
    revision.status = status
    revision.reject_reason = reason
    revision.decided_at = utcnow()
    revision.decided_by_id = getattr(actor, "id", None)
    return revision


def _publish_changes(actor, listing, params: dict) -> None:
    revision = _decide_revision(actor, listing, RevisionStatus.PUBLISHED)
    for name, value in revision.changes.items():
        set_value(listing, name, from_json(type(listing), name, value))
    listing.updated_at = utcnow()  # a real change of the row: the version (and the search document) moves on
    params["fields"] = ",".join(sorted(revision.changes))


def _reject_changes(actor, listing, params: dict) -> None:
    _decide_revision(actor, listing, RevisionStatus.REJECTED, _reason(params))


def _discard_changes(actor, listing, params: dict) -> None:
    _decide_revision(actor, listing, RevisionStatus.DISCARDED)


def _withdraw(actor, listing, params: dict) -> None:
    if listing.status == PUBLISHED and listing.pending_revision is not None:
        _decide_revision(actor, listing, RevisionStatus.DISCARDED)


def _delete(actor, listing, params: dict) -> None:
    db.session.delete(listing)


LISTING = Lifecycle("listing", LISTING_STATUSES, visible=can_see_listing, transitions=[
    Transition("edit", N_("修改"), frozenset({DRAFT, REJECTED, PUBLISHED}), None, owns, OWNER_ONLY, audited=False),
    Transition("submit", N_("提交审核"), frozenset({DRAFT, REJECTED}), SUBMITTED, owns, OWNER_ONLY,
               stamps=("submitted_at",), effect=_verified_submitter),
    Transition("withdraw", N_("撤回为草稿"), frozenset({SUBMITTED, PUBLISHED}), DRAFT, owns, OWNER_ONLY,
               effect=_withdraw),
    Transition("publish", N_("通过并发布"), frozenset({SUBMITTED}), PUBLISHED, can_review, REVIEWERS_ONLY,
               stamps=("published_at",), clears=("reject_reason",), guard=_holder_verified,
               refusal=HOLDER_NOT_VERIFIED),
    Transition("reject", N_("退回修改"), frozenset({SUBMITTED}), REJECTED, can_review, REVIEWERS_ONLY,
               effect=_store_reason),
    Transition("publish_changes", N_("发布修改"), frozenset({PUBLISHED}), None, can_review, REVIEWERS_ONLY,
               guard=_has_pending_revision, effect=_publish_changes),
    Transition("reject_changes", N_("退回修改内容"), frozenset({PUBLISHED}), None, can_review, REVIEWERS_ONLY,
               guard=_has_pending_revision, effect=_reject_changes),
    Transition("discard_changes", N_("放弃修改"), frozenset({PUBLISHED}), None, owns, OWNER_ONLY,
               guard=_has_pending_revision, effect=_discard_changes),
    Transition("archive", N_("归档"), frozenset({DRAFT, REJECTED, PUBLISHED, CLOSED}), ARCHIVED, can_archive,
               N_("只有记录所属机构的成员或平台管理员可以归档"), effect=_withdraw),
    Transition("delete", N_("删除"), frozenset({DRAFT, REJECTED}), None, owns, OWNER_ONLY, effect=_delete),
])

CLOSE = Transition("close", N_("关闭需求"), frozenset({PUBLISHED}), CLOSED, owns, OWNER_ONLY, effect=_withdraw)

ACHIEVEMENT = LISTING.extended("achievement")
PATENT = LISTING.extended("patent")
DEMAND = LISTING.extended("demand", CLOSE)

#: The actions an owner takes with a button on the record's page (edit is a link; reviewers use the review box).
OWNER_BUTTONS = ("submit", "withdraw", "discard_changes", "close", "archive", "delete")
REVIEW_ACTIONS = ("publish", "reject", "publish_changes", "reject_changes")
