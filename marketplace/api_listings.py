"""What the achievement, patent and demand APIs share: list filters, the item operations and lifecycle actions.

Every state change goes through a service (which records the audit event); these helpers only find the record
the caller may touch, check the version the client edited and commit.
"""
from __future__ import annotations

from typing import Callable

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from marshmallow import fields

from .access import can_edit, check_version, get_editable, get_visible, visible_filter
from .api_common import (PageArgs, Unauthorized, VersionedBody, commit, etag, expected_version, full_replacement,
                         read_endpoint, write_endpoint)
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

def create_record(create: Callable, payload: dict, item_endpoint: str):
    """POST: create a draft through the service ``create``; answers the record, its ETag and its Location."""
    record = create(current_user, payload)
    commit()
    return record, {"Location": url_for(item_endpoint, record_id=record.id), **etag(record)}


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


def _method(blp, endpoint: str, summary: str):
    """Give a generated MethodView method the module and qualified name it would have if written out in the kind's
    API module (rate-limit keys, tracebacks) and its docstring, which is the operation's summary in the OpenAPI
    document."""

    def decorator(view):
        view.__module__ = blp.import_name
        view.__qualname__ = f"{endpoint}.{view.__name__}"
        view.__doc__ = summary
        return view

    return decorator


def register_item(blp, collection: str, model, out_schema, *, input_schema, patch_schema, update_service: Callable,
                  delete_service: Callable, read_summary: str, delete_summary: str,
                  endpoint: str) -> type[MethodView]:
    """Add ``GET|PATCH|PUT|DELETE /<collection>/<id>`` as the MethodView named ``endpoint`` (for ``url_for``).

    PATCH takes ``patch_schema`` (any subset of the fields), PUT a full ``input_schema`` (missing optional fields
    are cleared); both go through ``update_service``; DELETE (drafts and rejected records) through
    ``delete_service``."""
    full = input_schema()

    class Item(MethodView):
        @read_endpoint(blp, out_schema, errors=(404,))
        @_method(blp, endpoint, read_summary)
        def get(self, record_id):
            return read_visible(model, record_id)

        @write_endpoint(blp, out_schema, body=patch_schema, body_description="只需提交要修改的字段", if_match=True)
        @_method(blp, endpoint, "部分修改")
        def patch(self, record_id, payload):
            return update_record(model, update_service, full, record_id, payload, partial=True)

        @write_endpoint(blp, out_schema, body=input_schema, body_description="完整内容；未提交的可选字段会被清空",
                        if_match=True)
        @_method(blp, endpoint, "整体替换")
        def put(self, record_id, payload):
            return update_record(model, update_service, full, record_id, payload, partial=False)

        @write_endpoint(blp, errors=(403, 404, 422), if_match=True)
        @_method(blp, endpoint, delete_summary)
        def delete(self, record_id):
            delete_record(model, delete_service, record_id)

    Item.__name__ = Item.__qualname__ = endpoint
    Item.__module__ = blp.import_name
    blp.route(f"/{collection}/<int(max={MAX_ID}):record_id>")(Item)
    return Item


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
        view = write_endpoint(blp, out_schema, body=VersionedBody, body_description="可选：客户端看到的版本号",
                              body_required=False, errors=(403, 404, 422), if_match=True)(
            _action_view(model, verb, service, summary))
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
