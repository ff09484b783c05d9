"""The create and edit forms of every listing kind: one handler each, described per kind by a :class:`ListingForm`.

The services decide everything (who may, in which state, in place or as a pending revision); these handlers turn
the form into data, show errors next to their fields (422), a concurrent edit as a clear message (409) and a
refused edit (wrong state) as a message on the record's page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import listing_edits
from ..attachments import services as attachments
from ..errors import Conflict, PermissionDenied, ValidationFailed
from ..extensions import db
from ..kinds import RecordKind
from ..listings import PUBLISHED, from_json
from ..permissions import can_create_listing
from ..records import get_visible
from ..unit_of_work import commit
from .actions import run_action
from .forms import field_errors, flash_error, form_to_data, form_values, version_arg


@dataclass(frozen=True)
class ListingForm:
    kind: RecordKind
    template: str
    create: Callable  # service (actor, data) -> record
    update: Callable  # service (actor, record, data, expected_version) -> record
    schema: Any
    fields: tuple[str, ...]
    multi: tuple[str, ...] = ()
    split: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()
    created_message: str = ""
    no_org_message: str = ""
    to_data: Callable[[dict], dict] | None = None  # extra form → data rules (e.g. 面议 clears the price)
    to_values: Callable[[Any, dict], dict] | None = None  # record + values → what the form shows
    new_values: Callable[[Any], dict] = field(default=lambda user: {})
    context: Callable[[], dict] = field(default=lambda: {})

    def data(self) -> dict:
        data = form_to_data(request.form, self.schema, self.fields, multi=self.multi, split=self.split,
                            ints=self.ints)
        return self.to_data(data) if self.to_data else data

    def typed(self) -> dict:
        return form_values(request.form, self.multi + self.ints)

    def values_of(self, record) -> dict:
        """What the form shows for ``record``: its values, with its pending changes when it is published."""
        values = {name: listing_edits.current_value(record, name) for name in self.fields}
        if record.status == PUBLISHED:
            for name, value in listing_edits.proposed_values(record).items():
                values[name] = from_json(type(record), name, value)
        values = self.to_values(record, values) if self.to_values else values
        return {**values, "version": record.version}

    def page(self, record, values: dict, errors=None, status: int = 200, conflict=None):
        return render_template(self.template, record=record, form=values, errors=errors or {}, conflict=conflict,
                               **self.context()), status


def create(form: ListingForm):
    """GET: an empty form; POST: a draft of the user's organisation (errors shown next to their fields)."""
    if not can_create_listing(current_user):
        raise PermissionDenied(form.no_org_message)
    if request.method == "GET":
        return form.page(None, form.new_values(current_user))
    try:
        record = form.create(current_user, form.data())
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return form.page(None, form.typed(), field_errors(error), 422)
    flash(_(form.created_message), "success")
    failed = _attach_chosen_files(form.kind, record)
    for name, reason in failed:
        flash(_("附件“%(name)s”未上传：%(reason)s", name=name, reason=reason), "error")
    if failed:
        flash(_("记录已保存为草稿，其余附件已上传；可在下方重新上传未成功的附件"), "info")
        return redirect(url_for(form.kind.show_endpoint, record_id=record.id) + "#attachments")
    return redirect(url_for(form.kind.show_endpoint, record_id=record.id))


def _attach_chosen_files(kind: RecordKind, record) -> list[tuple[str, str]]:
    """Files chosen on the new-record form (``files``), attached once the record exists, each in its own
    transaction through the attachments service: a refused file is named with its reason and never loses the
    record or the other files. Returns (file name, reason) for each refused file."""
    if not kind.attachments:
        return []
    failed = []
    for file in request.files.getlist("files"):
        if file is None or not file.filename:
            continue
        try:
            attachments.add_attachment(current_user, record, file.stream, file.filename)
            commit()
        except (ValidationFailed, Conflict, PermissionDenied) as error:
            db.session.rollback()
            reasons = [text for messages in field_errors(error).values() for text in messages]
            failed.append((file.filename, " ".join(reasons)))
    return failed


def edit(form: ListingForm, record_id: int):
    """Edit a listing as its lifecycle allows: in place (draft, rejected) or as changes for review (published).
    The hidden version field turns a concurrent edit into a 409 page instead of a lost update."""
    record = get_visible(form.kind.model, record_id, current_user)
    try:
        form.kind.lifecycle.check(current_user, record, "edit")
    except Conflict as error:
        flash_error(error)
        return redirect(url_for(form.kind.show_endpoint, record_id=record.id))
    if request.method == "GET":
        return form.page(record, form.values_of(record))
    was_published = record.status == PUBLISHED
    try:
        form.update(current_user, record, form.data(), version_arg(request.form))
        commit()
    except Conflict as error:
        db.session.rollback()
        return form.page(record, form.typed(), {}, 409, conflict=error)
    except ValidationFailed as error:
        db.session.rollback()
        return form.page(record, form.typed(), field_errors(error), 422)
    if was_published:
        flash(_("修改已提交审核；审核通过前，公开页面仍显示已发布的内容"), "success")
    else:
        flash(_("修改已保存"), "success")
    return redirect(url_for(form.kind.show_endpoint, record_id=record.id))


def register_routes(bp, form: ListingForm) -> None:
    """Add the kind's form and button routes to its blueprint: ``/new`` (create), ``/<id>/edit`` and
    ``POST /<id>/<action>`` (the lifecycle buttons), as endpoints ``create``, ``edit`` and ``action``."""

    @login_required
    def create_view():
        return create(form)

    @login_required
    def edit_view(record_id: int):
        return edit(form, record_id)

    @login_required
    def action_view(record_id: int, action: str):
        return run_action(form.kind, record_id, action)

    bp.add_url_rule("/new", "create", create_view, methods=["GET", "POST"])
    bp.add_url_rule("/<int:record_id>/edit", "edit", edit_view, methods=["GET", "POST"])
    bp.add_url_rule("/<int:record_id>/<action>", "action", action_view, methods=["POST"])
