"""marshmallow building blocks with messages in the user's language (Chinese msgids, English via the catalogue).

Every input path — web forms, the JSON API and bulk imports — validates through schemas built from these, so a
rule and its message live in one place.
"""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .web.messages import N_, tr

REQUIRED = "此项为必填项"
NULL = "此项不能为空"

_MESSAGES = {"required": REQUIRED, "null": NULL}


def _msgs(**extra) -> dict:
    return {**_MESSAGES, **extra}


def Text(required: bool = False, max_length: int | None = None, min_length: int | None = None, **kw) -> fields.Str:
    """A text field; ``validate`` adds rules of the field's own (a ``validate.Regexp`` is documented as its
    ``pattern``)."""
    extra = kw.pop("validate", None) or []
    validators = list(extra) if isinstance(extra, (list, tuple)) else [extra]
    if max_length or min_length:
        if min_length and max_length:
            message = f"长度应在 {min_length} 到 {max_length} 个字符之间"
        elif max_length:
            message = f"不能超过 {max_length} 个字符"
        else:
            message = f"至少需要 {min_length} 个字符"
        validators.append(validate.Length(min=min_length, max=max_length, error=message))
    if required:
        validators.append(validate.Length(min=1, error=REQUIRED))
    return fields.Str(required=required, validate=validators, allow_none=not required,
                      error_messages=_msgs(invalid="请输入文本"), **kw)


INVALID_CHOICE = N_("无效的%(label)s：%(value)s")


def invalid_choice(label: str, value) -> str:
    """``无效的技术领域：abc`` in the user's language (``label`` a msgid, or a lazy text; the value as given)."""
    return tr(INVALID_CHOICE, label=tr(str(label)), value=value)


class OneOf(validate.OneOf):
    """marshmallow's OneOf whose message names the field by ``label``, written when the value fails (in the
    request's language: a message built when the schema is declared could only be Chinese)."""

    def __init__(self, choices, label: str):
        super().__init__(choices)
        self.label = label

    def _format_error(self, value) -> str:
        return invalid_choice(self.label, value)


def Choice(vocabulary, required: bool = False, label: str = N_("选项"), **kw) -> fields.Str:
    return fields.Str(required=required, allow_none=not required, validate=OneOf(list(vocabulary), label),
                      error_messages=_msgs(invalid="请输入文本"), **kw)


def ChoiceList(vocabulary, label: str = N_("选项"), required: bool = False, **kw) -> fields.List:
    inner = fields.Str(validate=OneOf(list(vocabulary), label), error_messages=_msgs(invalid="请输入文本"))
    return fields.List(inner, required=required, load_default=list,
                       error_messages=_msgs(invalid="应为列表"), **kw)


def TextList(max_items: int = 20, max_length: int = 50, **kw) -> fields.List:
    inner = fields.Str(validate=validate.Length(min=1, max=max_length, error=f"每项不超过 {max_length} 个字符"),
                       error_messages=_msgs(invalid="请输入文本"))
    return fields.List(inner, load_default=list,
                       validate=validate.Length(max=max_items, error=f"最多 {max_items} 项"),
                       error_messages=_msgs(invalid="应为列表"), **kw)


def Int(low: int | None = None, high: int | None = None, required: bool = False, **kw) -> fields.Int:
    validators = []
    if low is not None or high is not None:
        validators.append(validate.Range(min=low, max=high, error=f"应为 {low} 到 {high} 之间的整数"))
    return fields.Int(required=required, allow_none=not required, strict=False, validate=validators,
                      error_messages=_msgs(invalid="请输入整数"), **kw)


def Amount(required: bool = False, **kw) -> fields.Decimal:
    """A money amount in 万元, non-negative, two decimals."""
    return fields.Decimal(places=2, as_string=False, required=required, allow_none=not required,
                          validate=validate.Range(min=0, max=10_000_000, error="金额应为 0 到 1000 亿之间的数字（单位：万元）"),
                          error_messages=_msgs(invalid="请输入有效的金额（单位：万元）", special="请输入有效的金额"),
                          **kw)


def Date(required: bool = False, **kw) -> fields.Date:
    return fields.Date(required=required, allow_none=not required,
                       error_messages=_msgs(invalid="请输入有效日期（YYYY-MM-DD）"), **kw)


def utc_timestamp(value: datetime | None) -> str | None:
    """The one way the API writes a timestamp: RFC 3339 in UTC with ``Z`` (``2026-05-05T06:48:06Z``, with the
    microseconds when stored). Stored datetimes are naive UTC (:mod:`marketplace.timeutil`); aware ones are
    converted."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat() + "Z"


class UtcDateTime(fields.DateTime):
    """A timestamp field of the API, written by :func:`utc_timestamp`. Read back, a value with an offset becomes
    naive UTC and one without is taken as UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return utc_timestamp(value)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is not None:
            result = result.astimezone(timezone.utc).replace(tzinfo=None)
        return result


INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # an INTEGER column on PostgreSQL


def _bounded(field: fields.Field) -> None:
    """Give an integer field without a range of its own the range of an INTEGER column (also list items)."""
    if isinstance(field, fields.List):
        _bounded(field.inner)
    elif isinstance(field, fields.Integer) and not any(isinstance(v, validate.Range) for v in field.validators):
        field.validators = [*field.validators, validate.Range(
            min=INT_MIN, max=INT_MAX, error=f"应为 {INT_MIN} 到 {INT_MAX} 之间的整数")]


# marshmallow's own English messages, for the fields declared without ours (the user's language through the
# catalogue, like every other message): by field type, most specific first
_OWN_MESSAGES = (
    (fields.Boolean, {"invalid": N_("应为 true 或 false")}),
    (fields.Integer, {"invalid": N_("请输入整数")}),
    (fields.Number, {"invalid": N_("请输入有效的数字")}),
    (fields.List, {"invalid": N_("应为列表")}),
    (fields.Mapping, {"invalid": N_("应为 JSON 对象")}),
    (fields.Nested, {"type": N_("应为 JSON 对象")}),
    (fields.DateTime, {"invalid": N_("请输入有效的时间（ISO 8601）")}),
    (fields.Date, {"invalid": "请输入有效日期（YYYY-MM-DD）"}),
    (fields.String, {"invalid": "请输入文本"}),
)


def _own_messages(field: fields.Field) -> None:
    """Replace the marshmallow defaults ``field`` still has (messages a declaration gave are kept), in list items
    too."""
    defaults: dict = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    ours = {**_MESSAGES, **next((messages for kind, messages in _OWN_MESSAGES if isinstance(field, kind)), {})}
    for key, message in ours.items():
        if key in defaults and field.error_messages.get(key) == defaults[key]:
            field.error_messages[key] = message
    if isinstance(field, fields.List):
        _own_messages(field.inner)


class InputSchema(Schema):
    """Base for schemas that load user input. Unknown keys are dropped (mass-assignment safe): server-owned
    fields such as ``org_id``, ``status``, ``owner_id`` or ``created_at`` are never loaded. An integer field
    without a range of its own takes that of an INTEGER column (:data:`INT_MAX`): a larger number is a 422 naming
    the field, never an overflow in the database driver, and the OpenAPI document states the bound. Fields
    declared without messages of their own get ours instead of marshmallow's English ones."""

    class Meta:
        unknown = EXCLUDE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _bounded(field_obj)
        _own_messages(field_obj)


def load_or_raise(schema: Schema, data: dict, partial: bool = False) -> dict:
    """Validate ``data``; raise :class:`marketplace.errors.ValidationFailed` with per-field messages."""
    from .errors import ValidationFailed

    try:
        return schema.load(data, partial=partial)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise ValidationFailed(errors=messages) from None
