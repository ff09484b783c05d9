"""Upload, download and delete attachments of records of every kind that carries files (``attachments`` in
:mod:`marketplace.kinds`): ``POST /<collection>/<id>/attachments`` uploads, ``/attachments/<id>`` downloads."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from .. import kinds
from ..errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..web.forms import flash_error
from . import services

bp = Blueprint("attachments", __name__)

#: The kinds whose records carry files; each gets an upload route under its collection.
ATTACHABLE = {name: kind for name, kind in kinds.KINDS.items() if kind.attachments}
#: How to draw a record's page again after a refused upload, for kinds whose detail view is not a plain GET view
#: (kind name -> function(record) returning the page, or the page and a status). Filled by the kinds' views.
PAGES: dict[str, Callable] = {}


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A clear 413 page naming the limit (the request body was refused before the view ran)."""
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024)
    detail = _("单个上传不能超过 %(mb)s MB，请压缩或拆分后重试", mb=f"{limit_mb:g}")
    return render_template("errors/error.html", status=413, title=_("上传的文件太大"), detail=detail,
                           errors=None), 413


@login_required
def upload(kind: str, record_id: int):
    """Attach a file (PDF, PNG/JPG, Office) to a record of the user's organisation.

    Routed as ``POST /<collection>/<record_id>/attachments`` for each kind in :data:`ATTACHABLE`; templates build
    the URL with ``url_for('attachments.upload', kind=<kind name>, record_id=...)``.
    """
    record_kind = ATTACHABLE[kind]
    owner = db.session.get(record_kind.model, record_id)
    if owner is None or not record_kind.can_see(current_user, owner):
        raise NotFound()
    values = record_kind.url_values(owner)
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise ValidationFailed(errors={"file": ["请选择要上传的文件"]})
        services.add_attachment(current_user, owner, file.stream, file.filename)
    except (ValidationFailed, Conflict, PermissionDenied) as error:
        db.session.rollback()
        flash_error(error)
        # Show the record page again (with the message) under a 4xx status rather than redirecting.
        return _page(record_kind, record_id, values), error.status
    db.session.commit()
    flash(_("附件已上传"), "success")
    return redirect(url_for(record_kind.show_endpoint, **values) + "#attachments")


def _page(record_kind, record_id: int, values: dict):
    """The record's page (the body only: the caller sets the status)."""
    if record_kind.name in PAGES:
        page = PAGES[record_kind.name](db.session.get(record_kind.model, record_id))
    else:
        page = current_app.view_functions[record_kind.show_endpoint](**values)
    return page[0] if isinstance(page, tuple) else page


for _kind in ATTACHABLE.values():
    bp.add_url_rule(f"/{_kind.collection}/<int:record_id>/attachments", view_func=upload, methods=["POST"],
                    defaults={"kind": _kind.name})


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int):
    """Send the file as a download (never rendered inline), only to those who may see the owner record."""
    attachment, path = services.get_downloadable(current_user, attachment_id)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, max_age=0, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store" if not _public(attachment) else "public, max-age=300"
    return response


def _public(attachment) -> bool:
    owner = services.owner_of(attachment)
    return owner is not None and bool(getattr(owner, "is_public", False))


@bp.post("/attachments/<int:attachment_id>/delete")
@login_required
def delete(attachment_id: int):
    owner, path = services.delete_attachment(current_user, attachment_id)
    record_kind = kinds.of(owner)
    values = record_kind.url_values(owner)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("附件已删除"), "success")
    return redirect(url_for(record_kind.show_endpoint, **values) + "#attachments")
