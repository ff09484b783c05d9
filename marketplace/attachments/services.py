"""Storing, finding and deleting attachments. The type is decided from the file's content, never its name."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import filetype
from flask import current_app

from .. import kinds
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


def can_attach(actor, owner) -> bool:
    """``actor`` may add files to ``owner`` (and delete them) now: see ``can_attach`` in :mod:`marketplace.kinds`."""
    kind = kinds.of(owner)
    return kind.attachments and kind.can_attach(actor, owner)


def add_attachment(actor, owner, stream, filename: str | None) -> Attachment:
    """Store an uploaded file for ``owner`` (a record of a kind with attachments) if its kind lets ``actor`` add
    files now; 404 if the actor may not see the owner, 403/409 with the reason for a private record's refusals."""
    kind = kinds.of(owner)
    if not kind.attachments:
        raise NotFound()
    kind.check_attach(actor, owner)
    if len(owner.attachments) >= MAX_PER_RECORD:
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
    attachment = Attachment(owner_kind=kind.name, owner_id=owner.id, org_id=kind.org_id_of(owner),
                            original_name=_clean_name(filename, extension), stored_name=stored_name,
                            content_type=mime, size=size, uploaded_by_id=getattr(actor, "id", None))
    owner.attachments.append(attachment)
    db.session.flush()
    audit(actor, "attachment.add", owner, {"attachment_id": attachment.id, "name": attachment.original_name})
    return attachment


def owner_of(attachment: Attachment):
    """The record ``attachment`` belongs to (None if it is gone or its kind no longer carries files)."""
    kind = kinds.KINDS.get(attachment.owner_kind)
    if kind is None or not kind.attachments:
        return None
    return db.session.get(kind.model, attachment.owner_id)


def _visible(actor, attachment_id: int) -> tuple[Attachment, object]:
    """The attachment and its owner if ``actor`` may see the owner; 404 otherwise (as if it did not exist)."""
    attachment = db.session.get(Attachment, attachment_id)
    owner = owner_of(attachment) if attachment else None
    if owner is None or not kinds.of(owner).can_see(actor, owner):
        raise NotFound()
    return attachment, owner


def get_downloadable(actor, attachment_id: int) -> tuple[Attachment, Path]:
    """The attachment and its file if ``actor`` may see its owner; 404 otherwise (as if it did not exist)."""
    attachment, _owner = _visible(actor, attachment_id)
    path = upload_folder() / attachment.stored_name
    if not path.is_file():
        raise NotFound("附件文件已丢失")
    return attachment, path


def delete_attachment(actor, attachment_id: int):
    """Delete the attachment (row now, file after the row is gone); returns the owner record and the file's path."""
    attachment, owner = _visible(actor, attachment_id)
    kinds.of(owner).check_attach(actor, owner)
    audit(actor, "attachment.delete", owner, {"attachment_id": attachment.id, "name": attachment.original_name})
    db.session.delete(attachment)
    return owner, upload_folder() / attachment.stored_name
