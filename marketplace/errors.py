"""Domain errors and the one place that turns errors into responses.

Services raise these; views never build error responses by hand. API paths (``/api/``) answer
``application/problem+json`` (RFC 9457); pages answer an HTML page with the message.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .web.messages import translate_message


class DomainError(Exception):
    status = 400
    title = "请求无效"

    def __init__(self, message: str | None = None, *, errors: dict[str, Any] | None = None):
        super().__init__(message or self.title)
        self.message = message or self.title
        self.errors = errors or {}


class NotFound(DomainError):
    status = 404
    title = "记录不存在"


class PermissionDenied(DomainError):
    status = 403
    title = "没有权限执行此操作"


class ValidationFailed(DomainError):
    status = 422
    title = "提交的数据有误"


class Conflict(DomainError):
    status = 409
    title = "记录已被他人修改，请刷新后重试"


class StateConflict(Conflict):
    """The record's state does not allow the action (the message names the state and what can be done now)."""

    title = "当前状态不允许此操作"


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def _in_language(value):
    """``errors`` with every message in the request's language (services and schemas write them in Chinese), and
    text keys: marshmallow names list items by index (``{"parties": {0: {...}}}``), JSON keys are text, and mixed
    key types would not even sort."""
    if isinstance(value, dict):
        return {str(key): _in_language(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_in_language(item) for item in value]
    return translate_message(value) if isinstance(value, str) else value


def problem(status: int, title: str, detail: str | None = None, errors: dict | None = None):
    """The problem document; ``detail`` and the messages in ``errors`` are translated here (the title by the
    caller)."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = translate_message(detail)
    if errors:
        body["errors"] = _in_language(errors)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _render(status: int, title: str, detail: str | None = None, errors: dict | None = None):
    if wants_problem_json():
        return problem(status, title, detail, errors)
    return render_template("errors/error.html", status=status, title=title, detail=detail, errors=errors), status


def _with_http_headers(rendered, error: HTTPException):
    """``rendered`` with the headers werkzeug gives ``error`` (``Allow`` on a 405, ``WWW-Authenticate`` …), but not
    its HTML content type."""
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    if isinstance(rendered, tuple):
        return (*rendered, headers)
    for name, value in headers:
        if name not in rendered.headers:
            rendered.headers[name] = value
    return rendered


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain(error: DomainError):
        db.session.rollback()
        return _render(error.status, _(error.title), error.message if error.message != error.title else None,
                       error.errors)

    @app.errorhandler(ValidationError)
    def handle_validation(error: ValidationError):
        db.session.rollback()
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        return _render(422, _("提交的数据有误"), None, messages)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return _render(400, _("表单已过期或缺少安全令牌，请刷新页面后重试"), None)

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        if error.code == 422 and hasattr(error, "data") and "messages" in (error.data or {}):
            # webargs/flask-smorest validation errors: {"json": {field: [msg]}}
            messages = error.data["messages"]
            flat: dict[str, Any] = {}
            for location in messages.values():
                if isinstance(location, dict):
                    flat.update(location)
            return _render(422, _("提交的数据有误"), None, flat or messages)
        titles = {
            400: _("请求无效"), 401: _("请先登录"), 403: _("没有权限执行此操作"), 404: _("页面或记录不存在"),
            405: _("不支持的请求方法"), 409: _("记录已被他人修改，请刷新后重试"),
            413: _("上传的文件太大"), 414: _("网址太长"), 415: _("不支持的文件类型"), 429: _("请求过于频繁，请稍后再试"),
        }
        code = error.code or 500
        # a rate limit declared with its own message (error_message=...) says what was limited
        detail = getattr(getattr(error, "limit", None), "error_message", None) if code == 429 else None
        rendered = _render(code, titles.get(code, error.name), _(detail) if isinstance(detail, str) else None)
        return _with_http_headers(rendered, error)

    @app.errorhandler(500)
    def handle_500(error):
        db.session.rollback()
        return _render(500, _("服务器内部错误，请稍后重试"), None)
