"""What the achievement, patent and demand APIs share: list filters, the item operations and lifecycle actions.

Every state change goes through a service (which records the audit event); these helpers only find the record
the caller may touch, check the version the client edited and commit.
"""
from __future__ import annotations

from typing import Callable

from flask_login import current_user
from marshmallow import fields

from .access import can_edit, check_version, get_editable, get_visible, visible_filter
from .api_common import (PageArgs, Unauthorized, VersionedBody, commit, etag, expected_version, full_replacement,
                         json_body, problems, require_user, versioned, write_limit)
from .errors import PermissionDenied
from .extensions import db
from .listings import PUBLISHED
from .taxonomy import LISTING_STATUSES, REGIONS
from .validation import Choice, Int

MAX_ID = 2**31 - 1


class ListingArgs(PageArgs):
    """Query arguments every listing collection accepts."""

    mine = fields.Bool(load_default=False, truthy={"1", "true", "yes"}, falsy={"0", "false", "no", ""},
                       error_messages={"invalid": "应为 1 或 0"},
                       metadata={"description": "1 = 本机构的全部记录（任何状态，需登录）"})
    status = Choice(LISTING_STATUSES, label="状态",
                    metadata={"description": "按状态筛选；未发布的状态只对本机构和审核人员可见"})
    org_id = Int(1, MAX_ID, metadata={"description": "发布机构"})
    region = Choice(REGIONS, label="地区代码")


def listing_query(model, args: dict):
    """A select of ``model`` narrowed by the common arguments: published records for everyone; ``mine`` = the
    caller's organisation (any status); ``status`` within what the caller may see."""
    query = db.select(model)
    if args.get("mine"):
        if not current_user.is_authenticated:
            raise Unauthorized("查看本机构的记录需要登录")
        query = query.where(model.org_id == current_user.org_id) if current_user.org_id else \
            query.where(db.false())
    if args.get("status"):
        query = query.where(visible_filter(model, current_user), model.status == args["status"])
    elif not args.get("mine"):
        query = query.where(model.status == PUBLISHED)
    if args.get("org_id"):
        query = query.where(model.org_id == args["org_id"])
    if args.get("region"):
        query = query.where(model.region == args["region"])
    return query


def newest_first(model):
    """ORDER BY the publication date, newest first; unpublished records (no date) after them, newest first.
    The plain column order lets the (status, published_at, id) indexes serve it."""
    return (model.published_at.desc().nulls_last(), model.id.desc())


# -- item operations ------------------------------------------------------------------------------------------------

def read_visible(model, record_id: int):
    """The record and its ETag, or 404 when the caller may not see it."""
    record = get_visible(model, record_id, current_user)
    return record, etag(record)


def update_record(model, update: Callable, input_schema, record_id: int, payload: dict, *, partial: bool):
    """PATCH (``partial``) or PUT (full replacement) through the service ``update``."""
    record = get_editable(model, record_id, current_user)
    version = expected_version(payload)
    data = payload if partial else full_replacement(input_schema, payload)
    update(current_user, record, data, expected_version=version, partial=partial)
    commit()
    return record, etag(record)


def delete_record(model, delete: Callable, record_id: int, payload: dict | None = None) -> None:
    """Delete a draft (or rejected record) through the service ``delete``."""
    record = get_editable(model, record_id, current_user)
    check_version(record, expected_version(payload))
    delete(current_user, record)
    commit()


def _find_for_action(model, record_id: int, verb: str):
    if verb != "archive":
        return get_editable(model, record_id, current_user)
    record = get_visible(model, record_id, current_user)
    if not (can_edit(current_user, record) or current_user.is_admin):
        raise PermissionDenied("只有记录所属机构的成员或平台管理员可以归档")
    return record


def register_actions(blp, collection: str, model, out_schema, actions: dict[str, tuple[Callable, str]]) -> None:
    """Add ``POST /<collection>/<id>/<verb>`` for each lifecycle verb: ``{verb: (service, summary)}``."""
    for verb, (service, summary) in actions.items():
        view = _action_view(model, verb, service, summary)
        view = blp.response(200, out_schema)(view)
        view = problems(403, 404, 422)(view)
        view = json_body(VersionedBody, description="可选：客户端看到的版本号", required=False)(view)
        view = versioned(view)
        view = write_limit(view)
        view = require_user(view)
        blp.route(f"/{collection}/<int(max={MAX_ID}):record_id>/{verb}", methods=["POST"],
                  endpoint=f"{collection}_{verb}")(view)


def _action_view(model, verb: str, service: Callable, summary: str):
    def view(record_id: int, payload: dict):
        record = _find_for_action(model, record_id, verb)
        check_version(record, expected_version(payload))
        service(current_user, record)
        commit()
        return record, etag(record)

    view.__name__ = view.__qualname__ = f"{model.__tablename__}_{verb}"
    view.__doc__ = summary
    return view
