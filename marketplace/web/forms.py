"""Turning submitted HTML forms into the plain dicts services validate, and errors back onto fields."""
from __future__ import annotations

import re
from typing import Any, Iterable

from flask import flash
from marshmallow import Schema
from werkzeug.datastructures import MultiDict

from ..errors import ValidationFailed
from .messages import translate_message  # noqa: F401  (the pages' and views' import)

LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")


def split_list(text: str | None) -> list[str]:
    """``"a，b、c"`` → ``["a", "b", "c"]`` (commas, 、 and semicolons in either width)."""
    return [part.strip() for part in LIST_SEPARATORS.split(text or "") if part.strip()]


def form_to_data(form: MultiDict, schema: Schema, names: Iterable[str], *, multi: Iterable[str] = (),
                 split: Iterable[str] = (), ints: Iterable[str] = ()) -> dict[str, Any]:
    """Input data for ``schema`` from the fields the page renders (``names``).

    Fields the form does not render are left out, so an edit never clears them. Empty optional fields become None
    (clearing them); an empty required field is left out so the schema says "此项为必填项".
    """
    multi, split, ints = set(multi), set(split), set(ints)
    data: dict[str, Any] = {}
    for name in names:
        if name in multi:
            data[name] = [value for value in form.getlist(name) if value]
        elif name in split:
            data[name] = split_list(form.get(name))
        elif name in ints:
            data[name] = [value for value in form.getlist(name) if value]
        else:
            value = (form.get(name) or "").strip()
            if value:
                data[name] = value
            elif not schema.fields[name].required:
                data[name] = None
    return data


def form_values(form: MultiDict, multi: Iterable[str] = ()) -> dict[str, Any]:
    """What the user typed, to show again after a validation error."""
    values: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    for name in multi:
        values[name] = form.getlist(name)
    return values


def _flatten(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flatten(value)]
    if isinstance(messages, (list, tuple)):
        return [text for value in messages for text in _flatten(value)]
    return [str(messages)]


def field_errors(error: ValidationFailed) -> dict[str, list[str]]:
    """``{field: [translated message, ...]}``; messages not tied to a field go under ``"_form"``."""
    errors: dict[str, list[str]] = {}
    for name, messages in (error.errors or {}).items():
        key = "_form" if name in ("_schema", None) else name
        errors.setdefault(key, []).extend(translate_message(text) for text in _flatten(messages))
    if not errors:
        errors["_form"] = [translate_message(error.message)]
    return errors


def flash_error(error: ValidationFailed) -> None:
    """Show a service's refusal (for buttons, which have no field to sit next to) as a flash message."""
    for messages in field_errors(error).values():
        for text in messages:
            flash(text, "error")


def version_arg(form: MultiDict) -> int | None:
    """The record version the form was rendered from (optimistic locking)."""
    try:
        return int(form.get("version", ""))
    except ValueError:
        return None
