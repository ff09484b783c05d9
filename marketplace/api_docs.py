"""The OpenAPI document's shared parts and the self-hosted Swagger UI at /api/v1/docs (no CDN).

flask-smorest serves ``/api/v1/openapi.json`` and the Swagger UI page (OPENAPI_SWAGGER_UI_PATH/URL in config.py);
this module serves the Swagger UI assets from the installed ``swagger_ui_bundle`` package and replaces
flask-smorest's default error responses with our ``application/problem+json`` documents.

It must come first in ``API_MODULES``: the error responses are redefined before other blueprints reference them.
"""
from __future__ import annotations

import re
from decimal import Decimal
from http import HTTPStatus

from apispec import BasePlugin
from flask import send_from_directory
from flask_smorest import Blueprint
from marshmallow import fields

from .api_common import Problem

blp = Blueprint("meta", __name__, description="API 约定：分页、版本（If-Match）、错误格式")

DOCS_ASSETS_RULE = "/api/v1/docs/assets/<path:filename>"

API_DESCRIPTION = """科技成果转化交易平台的 JSON 接口。

**认证**：个人访问令牌 `Authorization: Bearer tmk_...`（read 令牌只能读取，write 令牌可以修改），
或浏览器登录会话（Cookie；修改类请求需带 `X-CSRFToken` 头，令牌可从 `GET /api/v1/me` 的响应头获取）。
访问令牌只能在浏览器登录会话中创建（`POST /api/v1/tokens`），令牌全文只在创建时返回一次；
查看和撤销令牌可以用会话，也可以用 write 令牌。写操作按用户限流（默认每分钟 120 次），超出返回 429。

**分页**：列表返回 `{"items": [...], "total": N, "page": p, "page_size": s}`；`page` 从 1 开始，
`page_size` 为 1–100（默认 20），超出范围返回 422。

**版本与并发**：记录带 `version` 字段，单条记录响应带 `ETag: "<version>"`。修改、删除和状态操作可带
`If-Match: "<version>"`（或请求体中的 `"version"`）；版本已过期时返回 409。

**错误**：所有错误均为 `application/problem+json`（RFC 9457），`title`/`detail` 和 `errors` 中的信息默认为中文，
请求带 `Accept-Language: en` 时为英文；数据校验失败（422）时 `errors` 给出逐字段的错误信息。其他机构未发布的记录一律返回 404，与不存在的记录相同。

**时间与金额**：接口写出的所有时间戳均为 RFC 3339 的 UTC 时间，以 `Z` 结尾（如 `2026-05-05T06:48:06Z`，
有时带微秒）；请求中的时间可带时区偏移（如 `+08:00`），不带偏移的按 UTC 理解。日期（`YYYY-MM-DD`）不带时区。
金额单位为万元：请求中是数字（也可以是数字字符串）；技术合同、商机等需要精确金额的响应以十进制字符串给出（如 `"120.5000"`）。

**编号与长度**：路径中的记录编号不超过 2147483647（更大的编号返回 404）；请求中的整数字段未注明范围时同样以此为界（超出返回 422）。
网址（路径与查询参数）不超过 4096 个字符，更长返回 414。

**服务端字段**：请求体中的 `id`、`org_id`、`owner_id`、`status`、`version`、`created_at` 等字段会被忽略。
"""

_DESCRIPTIONS = {
    400: "请求无效（例如 JSON 格式错误或 If-Match 格式不正确）",
    401: "未登录，或访问令牌无效、已撤销",
    403: "没有权限执行此操作（例如成员不能审核发布，只读令牌不能修改）",
    404: "记录不存在，或属于其他机构且尚未发布",
    409: "记录已被他人修改（版本冲突），请刷新后重试",
    413: "请求体太大",
    415: "请求体应为 JSON",
    422: "提交的数据有误；errors 给出逐字段的中文错误信息",
    429: "请求过于频繁，请稍后再试",
}


def _problem_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


DECIMAL_STRING = r"^-?[0-9]+(\.[0-9]+)?$"


def _number(value):
    """A documented bound as a JSON number (apispec writes a Decimal field's bounds the way the field dumps them)."""
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def decimal_properties(self, field, ret, **kwargs) -> dict:
    """A Decimal field as the API reads and answers it: bounds are numbers (``maximum: 10000000``); a field
    answered as a string (``as_string``, exact amounts such as ``"120.5000"``) is a decimal string, not a number."""
    if not isinstance(field, fields.Decimal):
        return {}
    bounds = {key: _number(ret.pop(key)) for key in ("minimum", "maximum") if key in ret}
    if field.as_string:
        return {"type": "string", "format": "decimal", "pattern": DECIMAL_STRING,
                **{f"x-{key}": value for key, value in bounds.items()}}
    return bounds


ITEM_PATH = re.compile(r"^(?P<collection>/api/v1/[^{}]+)/\{(?P<param>[^{}/]+)\}(/[^{}]*)?$")
METHODS = ("get", "put", "patch", "delete", "post")


class CreatedLinks(BasePlugin):
    """OpenAPI links from each creation to what can be done with the record it made: ``POST /api/v1/X`` answering
    201 links ``$response.body#/id`` to the one path parameter of ``/api/v1/X/{id}`` and ``/api/v1/X/{id}/…``
    (read, edit, delete, submit …). Clients and the fuzzer's stateful phase (tools/fuzz_api.py) follow them.

    Paths are registered one blueprint route at a time, so each new path links both ways with those already there."""

    def init_spec(self, spec) -> None:
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        paths = self.spec._paths  # apispec keeps the registered paths here; nothing public lists them
        item = ITEM_PATH.match(path)
        if item and item["collection"] in paths:
            self._link(paths[item["collection"]], item["collection"], path, operations, item["param"])
        for other, other_operations in list(paths.items()):
            match = ITEM_PATH.match(other)
            if match and match["collection"] == path:
                self._link(operations, path, other, other_operations, match["param"])

    @staticmethod
    def _link(collection_operations: dict, collection: str, path: str, operations: dict, param: str) -> None:
        responses = (collection_operations.get("post") or {}).get("responses", {})
        created = responses.get("201", responses.get(201))
        if not isinstance(created, dict):
            return
        links = created.setdefault("links", {})
        pointer = path.replace("~", "~0").replace("/", "~1")
        for method in METHODS:
            if method in operations:
                name = re.sub(r"[^A-Za-z0-9]+", "_", f"{method} {path[len(collection):]}").strip("_")
                links[name] = {"operationRef": f"#/paths/{pointer}/{method}",
                               "parameters": {param: "$response.body#/id"}}


def configure_spec(api) -> None:
    """Register the Problem schema, problem+json error responses, the API description, the Decimal field
    rendering (:func:`decimal_properties`) and the creation links (:class:`CreatedLinks`) in ``api``'s spec."""
    if not any(isinstance(plugin, CreatedLinks) for plugin in api.spec.plugins):
        links = CreatedLinks()
        links.init_spec(api.spec)
        api.spec.plugins.append(links)
    converter = api.ma_plugin.converter
    if decimal_properties.__name__ not in {getattr(f, "__name__", "") for f in converter.attribute_functions}:
        converter.add_attribute_function(decimal_properties)
    components = api.spec.components
    if "Problem" not in components.schemas:
        components.schema("Problem", schema=Problem)
    for status in HTTPStatus:
        if status < 400:
            continue
        response = _problem_response(_DESCRIPTIONS.get(status.value, status.phrase))
        target = components.responses if status.name in components.responses else components.responses_lazy
        target[status.name] = response
    target = components.responses if "DEFAULT_ERROR" in components.responses else components.responses_lazy
    target["DEFAULT_ERROR"] = _problem_response("错误（application/problem+json）")
    api.spec.options.setdefault("info", {})["description"] = API_DESCRIPTION


def swagger_ui_asset(filename: str):
    """A Swagger UI file from the installed swagger_ui_bundle package."""
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(swagger_ui_path, filename, max_age=86400)


@blp.record
def _on_register(state) -> None:
    app = state.app
    configure_spec(app.extensions["flask-smorest"]["apis"][""]["ext_obj"])
    if "api_docs_assets" not in app.view_functions:
        app.add_url_rule(DOCS_ASSETS_RULE, endpoint="api_docs_assets", view_func=swagger_ui_asset)
