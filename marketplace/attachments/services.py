"""Storing, finding and deleting attachments. The type is decided from the file's content, never its name."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import filetype
from flask import current_app

from ..access import can_edit, can_see
from ..audit.services import record as audit
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from .models import Attachment

# MIME type detected from content -> extension used for the stored file
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
}
MAX_PER_RECORD = 20


class UnsupportedFileType(ValidationFailed):
    """The content is not one of the allowed types (whatever the file is called)."""

    status = 415
_SNIFF_BYTES = 8192


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def detect_type(head: bytes) -> str | None:
    """The allowed MIME type of a file starting with ``head``, or None."""
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        return None
    return kind.mime


def _clean_name(name: str | None, extension: str) -> str:
    # Keep the user's (possibly Chinese) name for display and download, without any path part.
    base = os.path.basename((name or "").replace("\\", "/")).strip().replace("\x00", "")
    return (base or f"attachment.{extension}")[:255]


def _parent_field(parent) -> str:
    return {"achievements": "achievement_id", "demands": "demand_id"}[parent.__tablename__]


def add_attachment(actor, parent, stream, filename: str | None) -> Attachment:
    """Store an uploaded file for ``parent`` (an achievement or demand the actor's organisation owns)."""
    if not can_edit(actor, parent):
        raise NotFound()
    if len(parent.attachments) >= MAX_PER_RECORD:
        raise ValidationFailed(errors={"file": [f"每条记录最多 {MAX_PER_RECORD} 个附件"]})
    head = stream.read(_SNIFF_BYTES)
    if not head:
        raise ValidationFailed(errors={"file": ["请选择要上传的文件"]})
    mime = detect_type(head)
    if mime is None:
        raise UnsupportedFileType(errors={"file": ["不支持的文件类型：仅支持 PDF、PNG/JPG 图片和 Office 文档"]})
    extension = ALLOWED_TYPES[mime]
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path = upload_folder() / stored_name
    size = len(head)
    with open(path, "wb") as out:
        out.write(head)
        while chunk := stream.read(1024 * 1024):
            out.write(chunk)
            size += len(chunk)
    attachment = Attachment(org_id=parent.org_id, original_name=_clean_name(filename, extension),
                            stored_name=stored_name, content_type=mime, size=size,
                            uploaded_by_id=getattr(actor, "id", None), **{_parent_field(parent): parent.id})
    db.session.add(attachment)
    db.session.flush()
    audit(actor, "attachment.add", parent, {"attachment_id": attachment.id, "name": attachment.original_name})
    return attachment


def _parent(attachment: Attachment):
    return attachment.achievement or attachment.demand


def get_downloadable(actor, attachment_id: int) -> tuple[Attachment, Path]:
    """The attachment and its file if ``actor`` may see its parent; 404 otherwise (as if it did not exist)."""
    attachment = db.session.get(Attachment, attachment_id)
    parent = _parent(attachment) if attachment else None
    if parent is None or not can_see(actor, parent):
        raise NotFound()
    path = upload_folder() / attachment.stored_name
    if not path.is_file():
        raise NotFound("附件文件已丢失")
    return attachment, path


def delete_attachment(actor, attachment_id: int):
    """Delete the attachment (row now, file after the row is gone); returns the parent record."""
    attachment = db.session.get(Attachment, attachment_id)
    parent = _parent(attachment) if attachment else None
    if parent is None or not can_see(actor, parent) or not can_edit(actor, parent):
        raise NotFound()
    audit(actor, "attachment.delete", parent, {"attachment_id": attachment.id, "name": attachment.original_name})
    db.session.delete(attachment)
    return parent, upload_folder() / attachment.stored_name
