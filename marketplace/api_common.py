"""Shared pieces of the JSON API (/api/v1): authentication guards, JSON bodies, optimistic locking, pagination,
commits and rate limits.

Conventions (also described in the OpenAPI document):

* Lists answer a body envelope ``{"items": [...], "total": N, "page": p, "page_size": s}``; ``page`` starts at 1,
  ``page_size`` is 1–100 (default 20); anything outside answers 422.
* Records carry ``version``; item responses send it as ``ETag: "<version>"``. Updates, deletes and actions accept
  ``If-Match: "<version>"`` (or ``"version": n`` in a JSON body); a stale version answers 409.
* Errors are ``application/problem+json`` (RFC 9457) with ``title``/``detail`` and per-field ``errors`` in Chinese,
  or in English with ``Accept-Language: en`` (translated in :func:`marketplace.errors.problem`).
"""
from __future__ import annotations

import json
from functools import wraps
from http import HTTPStatus

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, missing

from .errors import DomainError, PermissionDenied, ValidationFailed
from .extensions import db, limiter, user_rate_key
from .unit_of_work import commit  # noqa: F401  (the API's views import it from here)
from .pagination import Page, paginate_select
from .validation import InputSchema, Int
from .web.messages import N_

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 100_000
SECURITY = [{"bearerAuth": []}, {"cookieAuth": []}]
OPTIONAL_SECURITY = [{}, *SECURITY]


class Unauthorized(DomainError):
    status = 401
    title = N_("请先登录或提供有效的访问令牌")


class UnsupportedBody(DomainError):
    status = 415
    title = N_("请求体应为 JSON（Content-Type: application/json）")


class Problem(Schema):
    """An RFC 9457 problem document."""

    type = fields.Str(metadata={"example": "about:blank"})
    title = fields.Str(required=True, metadata={"example": "提交的数据有误"})
    status = fields.Int(required=True, metadata={"example": 422})
    detail = fields.Str(metadata={"example": "该记录已被他人修改（当前版本 3，您编辑的是版本 2），请刷新后重试"})
    errors = fields.Dict(keys=fields.Str(), values=fields.Raw(),
                         metadata={"description": "字段 → 错误信息列表", "example": {"title": ["此项为必填项"]}})


class PageArgs(InputSchema):
    """``page`` and ``page_size`` query arguments."""

    page = Int(1, MAX_PAGE, load_default=1, metadata={"description": "页码，从 1 开始"})
    page_size = Int(1, MAX_PAGE_SIZE, load_default=DEFAULT_PAGE_SIZE,
                    metadata={"description": f"每页条数，1–{MAX_PAGE_SIZE}"})


class VersionedBody(InputSchema):
    """Optional body of an action: the version the client acted on (alternative to If-Match)."""

    version = Int(1, 2**31 - 1, metadata={"description": "客户端看到的记录版本（也可用 If-Match 头）"})


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The envelope schema ``{items, total, page, page_size}`` for a list of ``item_schema``."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "total": fields.Int(required=True, metadata={"description": "符合条件的记录总数"}),
        "page": fields.Int(required=True),
        "page_size": fields.Int(required=True),
    }, name=name)


def paginate(query, args: dict) -> dict:
    """Run ``query`` (a select of one entity, filtered and ordered, with its eager-load options) for the page that
    ``args`` (:class:`PageArgs`) asks for, through the one ids-first paginator; returns the envelope dict."""
    return envelope(paginate_select(query, page=args.get("page", 1),
                                    per_page=args.get("page_size", DEFAULT_PAGE_SIZE)))


def envelope(page: Page) -> dict:
    """The list envelope ``{items, total, page, page_size}`` of a :class:`marketplace.pagination.Page`."""
    return {"items": page.items, "total": page.total, "page": page.page, "page_size": page.per_page}


# -- documentation helpers -------------------------------------------------------------------------------------------

def problems(*codes: int):
    """Document problem+json responses for ``codes`` (the components are defined in :mod:`marketplace.api_docs`)."""
    return Blueprint.doc(responses={str(code): HTTPStatus(code).name for code in codes})


def json_body(schema, description: str | None = None, required: bool = True):
    """Document ``schema`` as the JSON request body and pass the raw object to the view as ``payload``.

    The view hands ``payload`` to a service, which validates it (one place for rules and messages)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            kwargs["payload"] = read_json_object()
            return view(*args, **kwargs)

        body = {"required": required, "content": {"application/json": {"schema": schema}}}
        if description:
            body["description"] = description
        return Blueprint.doc(requestBody=body, responses={"400": "BAD_REQUEST", "415": "UNSUPPORTED_MEDIA_TYPE",
                                                          "422": "UNPROCESSABLE_ENTITY"})(wrapper)

    return decorator


def partial_schema(blp: Blueprint, schema_cls: type[Schema], name: str) -> Schema:
    """``schema_cls(partial=True)`` for PATCH bodies, registered in the spec as ``name`` (no required fields)."""
    schema = schema_cls(partial=True)

    @blp.record
    def _register(state) -> None:
        spec = state.app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=schema)

    return schema


def read_json_object() -> dict:
    """The request's JSON object: 400 when malformed, 415 when not JSON, 422 when not an object. No body → {}."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        raise UnsupportedBody()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise DomainError(N_("请求体不是有效的 JSON，请检查格式")) from None
    if not isinstance(data, dict):
        raise ValidationFailed(errors={"_schema": [N_("请求体应为 JSON 对象")]})
    return data


def full_replacement(schema: Schema, payload: dict) -> dict:
    """PUT semantics: optional fields missing from ``payload`` are cleared (lists get their empty default)."""
    data = dict(payload)
    for name, field in schema.fields.items():
        if name not in data and not field.required and field.allow_none and field.load_default is missing:
            data[name] = None
    return data


# -- authentication -----------------------------------------------------------------------------------------------

def _read_token_used_for_write() -> bool:
    from .accounts.auth import token_digest
    from .accounts.models import ApiToken

    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    token = db.session.execute(db.select(ApiToken).where(
        ApiToken.token_hash == token_digest(header[7:].strip()), ApiToken.revoked_at.is_(None))).scalar_one_or_none()
    return token is not None and token.scope != "write"


def require_user(view):
    """The view needs a logged-in user (session cookie or personal access token); 401 otherwise.

    A valid read-scoped token used for a write answers 403 with a clear message rather than 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            if _read_token_used_for_write():
                raise PermissionDenied("只读令牌不能执行修改操作，请使用 write 权限的令牌")
            raise Unauthorized(g.get("auth_refusal"))  # e.g. the token's account is suspended
        return view(*args, **kwargs)

    documented = Blueprint.doc(security=SECURITY, responses={"401": "UNAUTHORIZED"})(wrapper)
    return documented


def optional_user(view):
    """Document that the view answers anonymous callers and uses a login when present."""
    return Blueprint.doc(security=OPTIONAL_SECURITY)(view)


# -- optimistic locking and commits ---------------------------------------------------------------------------------

IF_MATCH_PARAMETER = {
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
    "description": "客户端编辑的记录版本，例如 \"3\"（来自 ETag 或 version 字段）；版本过期时返回 409",
}


def versioned(view):
    """Document the optional If-Match header and the 409 answer on a stale version."""
    return Blueprint.doc(parameters=[IF_MATCH_PARAMETER], responses={"409": "CONFLICT"})(view)


def expected_version(payload: dict | None = None) -> int | None:
    """The version the client edited: ``If-Match`` (``"3"``, ``W/"3"``, ``3``) or ``version`` in the body."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        value = header[2:] if header.startswith("W/") else header
        value = value.strip().strip('"')
        if not value.isdigit() or len(value) > 9:
            raise DomainError(N_('If-Match 应为记录的版本号，例如 If-Match: "3"'))
        return int(value)
    if payload and payload.get("version") is not None:
        value = payload["version"]
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() \
                or len(str(value)) > 9:
            raise ValidationFailed(errors={"version": [N_("版本号应为正整数")]})
        return int(value)
    return None


def etag(record) -> dict:
    """Response headers carrying the record's version."""
    return {"ETag": f'"{record.version}"'}


# -- rate limits ----------------------------------------------------------------------------------------------------

def _write_limit() -> str:
    return current_app.config.get("API_WRITE_RATE_LIMIT", "120 per minute")


# One bucket for every API write of a user (or an IP for anonymous calls).
_write_bucket = limiter.shared_limit(_write_limit, scope="api-write", key_func=user_rate_key)


def write_limit(view):
    """The user's shared bucket of API writes (``API_WRITE_RATE_LIMIT``); documents the 429 it answers."""
    return problems(429)(_write_bucket(view))


# -- endpoint decorator stacks ----------------------------------------------------------------------------------------

LOCATION_HEADER = {"Location": {"schema": {"type": "string"}}}


def read_endpoint(blp: Blueprint, out_schema, *, query=None, errors: tuple[int, ...] = (), login: bool = False):
    """The decorators of a read anyone may call (a login is used when present), or with ``login`` only the logged-in:

    ``@optional_user`` (``@require_user``, 401, with ``login``), ``@blp.arguments(query, location="query")`` when
    ``query`` is given, ``@problems(*errors)`` and ``@blp.response(200, out_schema)``."""

    def decorator(view):
        view = blp.response(200, out_schema)(view)
        if errors:
            view = problems(*errors)(view)
        if query is not None:
            view = blp.arguments(query, location="query")(view)
        return require_user(view) if login else optional_user(view)

    return decorator


def write_endpoint(blp: Blueprint, out_schema=None, *, status: int | None = None, headers: dict | None = None,
                   body=None, body_description: str | None = None, body_required: bool = True,
                   errors: tuple[int, ...] = (403, 404), if_match: bool = False):
    """The decorators of a change, outermost first:

    ``@require_user`` (401), ``@write_limit`` (the user's shared write bucket), ``@versioned`` when ``if_match``
    (the view honours If-Match: 409), ``@json_body(body, ...)`` when ``body`` is given (the view gets ``payload``),
    ``@problems(*errors)`` and ``@blp.response(status, out_schema, headers=...)``. ``status`` defaults to 200 with
    an ``out_schema`` and to 204 without."""
    if status is None:
        status = 200 if out_schema is not None else 204

    def decorator(view):
        view = blp.response(status, out_schema, headers=headers)(view)
        if errors:
            view = problems(*errors)(view)
        if body is not None:
            view = json_body(body, description=body_description, required=body_required)(view)
        if if_match:
            view = versioned(view)
        view = write_limit(view)
        return require_user(view)

    return decorator
