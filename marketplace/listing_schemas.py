"""API fields every listing's item response has: what the caller may do now, and the pending changes (for the
owner and reviewers only)."""
from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from .listing_edits import actions
from .permissions import can_review, owns
from .validation import UtcDateTime


class PendingRevisionOut(Schema):
    changes = fields.Dict(keys=fields.Str(), values=fields.Raw(allow_none=True), dump_only=True,
                          metadata={"description": "字段 → 待审核的新值"})
    submitted_at = UtcDateTime(dump_only=True)
    status = fields.Str(dump_only=True, metadata={"enum": ["pending"]})


def _pending(record):
    if not (owns(current_user, record) or can_review(current_user)):
        return None
    revision = record.pending_revision
    return PendingRevisionOut().dump(revision) if revision is not None else None


class ListingStateOut(Schema):
    actions = fields.Function(lambda record: actions(current_user, record), dump_only=True,
                              metadata={"type": "array", "items": {"type": "string"},
                                        "description": "调用者现在可以执行的操作，例如 [\"withdraw\", \"archive\"]；"
                                                       "edit = 可修改（已发布的记录修改后进入审核，公开内容不变）"})
    pending_revision = fields.Function(_pending, dump_only=True, allow_none=True,
                                       metadata={"type": "object", "nullable": True,
                                                 "description": "已发布记录的待审核修改（仅本机构与审核人员可见）"})
