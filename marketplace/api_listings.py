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
from sqlalchemy.orm import selectinload

from . import listing_edits
from .listing_edits import check_version
from .permissions import is_signed_in
from .records import get_visible, suspended_org_ids, visible_filter
from .api_common import (LOCATION_HEADER, page_schema, PageArgs, Unauthorized, VersionedBody, commit, envelope, etag, expected_version,
                         full_replacement, read_endpoint, write_endpoint)
from .extensions import db
from .listings import PUBLISHED
from .reading import ListSpec
from .taxonomy import LISTING_STATUSES
from .validation import Choice, Text, load_or_raise

MAX_ID = 2**31 - 1


class ListingArgs(PageArgs):
    """The scope arguments every listing collection accepts; the filters and sorts of each kind come from its
    ListSpec (``<kind>/reading.py``) through :meth:`marketplace.reading.ListSpec.api_args`."""

    mine = fields.Bool(load_default=False, truthy={"1", "true", "yes"}, falsy={"0", "false", "no", ""},
                       error_messages={"invalid": "应为 1 或 0"},
                       metadata={"description": "1 = 本机构的全部记录（任何状态，需登录）"})
    status = Choice(LISTING_STATUSES, label="状态",
                    metadata={"description": "按状态筛选；未发布的状态只对本机构和审核人员可见"})


def listing_scope(model, args: dict) -> tuple[list, bool, list[int]]:
    """The visibility conditions of a listing collection, whether only published records are in scope, and the
    organisations whose records are withheld from it: public records for everyone (published, less those of
    suspended organisations); ``mine`` = the caller's organisation (any status); ``status`` within what the caller
    may see."""
    conditions, withheld = [], []
    if args.get("mine"):
        if not current_user.is_authenticated:
            raise Unauthorized("查看本机构的记录需要登录")
        conditions.append(model.org_id == current_user.org_id if current_user.org_id else db.false())
    if args.get("status"):
        conditions += [visible_filter(model, current_user), model.status == args["status"]]
    elif not args.get("mine"):
        conditions.append(model.status == PUBLISHED)
        withheld = suspended_org_ids()
    public = args.get("status") == PUBLISHED or not (args.get("mine") or args.get("status"))
    return conditions, public, withheld


def listing_page(spec: ListSpec, args: dict, options=()) -> dict:
    """GET of a listing collection: the records in the caller's scope matching the kind's filters, sorted, one
    page, as the list envelope. The same ListSpec builds the kind's public page."""
    scope, public, withheld = listing_scope(spec.model, args)
    if is_signed_in(current_user) and hasattr(spec.model, "pending_revision"):
        # members and reviewers see each item's pending changes and actions: one query for the page, not one per row
        options = (*options, selectinload(spec.model.pending_revision))
    page = spec.read(spec.from_api(args), scope=scope, public=public, page=args["page"], per_page=args["page_size"],
                     options=options, withheld_orgs=withheld)
    return envelope(page)


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
    """PATCH (``partial``) or PUT (full replacement) through the service ``update``, which decides by the
    listing's state (in place, a pending revision of a published listing, or 409)."""
    record = get_visible(model, record_id, current_user)
    version = expected_version(payload)
    data = payload if partial else full_replacement(input_schema, payload)
    update(current_user, record, data, expected_version=version, partial=partial)
    commit()
    return record, etag(record)


def delete_record(model, delete: Callable, record_id: int, payload: dict | None = None) -> None:
    """Delete a draft (or rejected record) through the service ``delete``."""
    record = get_visible(model, record_id, current_user)
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


class ReasonBody(VersionedBody):
    """Body of a refusal: the reason the submitter reads."""

    reason = Text(max_length=2000, metadata={"description": "原因（退回时必填），提交方据此修改", "example": "请补充技术指标"})


def register_actions(blp, segment: str, kind, out_schema, path_prefix: str = "",
                     only: tuple[str, ...] | None = None) -> None:
    """Add ``POST <path_prefix>/<segment>/<id>/<action>`` for every transition of the kind's lifecycle that is a
    button (everything but ``edit`` and ``delete``, which are PATCH/PUT and DELETE), or for those in ``only``. The
    transition decides who may (403), from which state (409, naming the state and what can be done now) and what
    it needs (a reason: 422)."""
    collection = kind.collection
    for transition in kind.lifecycle.transitions:
        if transition.name in ("edit", "delete") or (only is not None and transition.name not in only):
            continue
        needs_reason = transition.name.startswith("reject")
        view = write_endpoint(blp, out_schema, body=ReasonBody if needs_reason else VersionedBody,
                              body_description=None if needs_reason else "可选：客户端看到的版本号",
                              body_required=needs_reason, errors=(403, 404, 409, 422), if_match=True)(
            _action_view(kind, transition.name, transition.label))
        action_path = transition.name.replace("_", "-")
        blp.route(f"{path_prefix}/{segment}/<int(max={MAX_ID}):record_id>/{action_path}", methods=["POST"],
                  endpoint=f"{collection}_{transition.name}")(view)


def _action_view(kind, action: str, label: str):
    def view(record_id: int, payload: dict):
        record = get_visible(kind.model, record_id, current_user)
        values = load_or_raise(ReasonBody(), payload)
        check_version(record, expected_version(payload))
        listing_edits.perform(current_user, record, action, reason=values.get("reason"))
        commit()
        return record, etag(record)

    view.__name__ = view.__qualname__ = f"{kind.model.__tablename__}_{action}"
    view.__doc__ = label
    return view


def register_listing_api(blp, kind, spec: ListSpec, *, input_schema, out_schema, list_item_schema, patch_schema,
                         create_service: Callable, update_service: Callable, delete_service: Callable,
                         texts: dict[str, str], list_options=()) -> None:
    """The whole JSON API of a listing kind on ``blp``: ``GET|POST /<collection>`` (the list, read through the kind's
    filter spec, and creating a draft), ``GET|PATCH|PUT|DELETE /<collection>/<id>`` and the lifecycle actions.
    ``texts`` holds the operation summaries: ``list``, ``create``, ``read``, ``delete``. The views are named
    ``<Model>s`` and ``<Model>Item`` (for ``url_for``)."""
    name, collection = kind.model.__name__, kind.collection
    args_schema = spec.api_args(ListingArgs, f"{name}Args")
    page = page_schema(list_item_schema, f"{name}Page")

    class Collection(MethodView):
        @read_endpoint(blp, page, query=args_schema, errors=(401,))
        @_method(blp, f"{name}s", texts["list"])
        def get(self, args):
            return listing_page(spec, args, options=list_options)

        @write_endpoint(blp, out_schema, status=201, headers=LOCATION_HEADER, body=input_schema, errors=(403,))
        @_method(blp, f"{name}s", texts["create"])
        def post(self, payload):
            return create_record(create_service, payload, f".{name}Item")

    Collection.__name__ = Collection.__qualname__ = f"{name}s"
    Collection.__module__ = blp.import_name
    blp.route(f"/{collection}")(Collection)
    register_item(blp, collection, kind.model, out_schema, input_schema=input_schema, patch_schema=patch_schema,
                  update_service=update_service, delete_service=delete_service, read_summary=texts["read"],
                  delete_summary=texts["delete"], endpoint=f"{name}Item")
    register_actions(blp, collection, kind, out_schema)
