"""A small validator for responses against the OpenAPI 3.0 document (the subset flask-smorest/apispec emit:
$ref, type, nullable, properties, required, items, enum, pattern, format date/date-time — an RFC 3339 date-time has
its offset, ``Z`` or ``±hh:mm``). No jsonschema needed."""
from __future__ import annotations

import re
from datetime import date, datetime

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}
RFC3339 = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")


def resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        path = node["$ref"].lstrip("#/").split("/")
        node = spec
        for part in path:
            node = node[part]
    return node


def errors(spec: dict, value, schema: dict, where: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema`` (an empty list when it conforms)."""
    schema = resolve(spec, schema)
    if value is None:
        return [] if schema.get("nullable") or not schema.get("type") else [f"{where}: null not allowed"]
    problems: list[str] = []
    kind = schema.get("type")
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{where}: {value!r} is not an integer"]
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"{where}: {value!r} is not a number"]
    elif kind in TYPES and not isinstance(value, TYPES[kind]):
        return [f"{where}: {value!r} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if kind == "string" and schema.get("format") == "date-time":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            problems.append(f"{where}: {value!r} is not a date-time")
        if not RFC3339.match(value):
            problems.append(f"{where}: {value!r} is not an RFC 3339 date-time (its offset missing?)")
    if kind == "string" and "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if kind == "string" and schema.get("format") == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            problems.append(f"{where}: {value!r} is not a date")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: missing required {name}")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                problems.extend(errors(spec, item, properties[name], f"{where}.{name}"))
            elif properties and schema.get("additionalProperties") is False:
                problems.append(f"{where}: unexpected {name}")
            elif properties:
                problems.append(f"{where}: undocumented property {name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems.extend(errors(spec, item, schema["items"], f"{where}[{index}]"))
    return problems


def operation(spec: dict, method: str, path: str) -> tuple[str, dict]:
    """The documented operation for a concrete request path (``/api/v1/achievements/3``)."""
    for template, operations in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path.split("?")[0]) and method.lower() in operations:
            return template, operations[method.lower()]
    raise AssertionError(f"{method} {path} is not documented")


def check_response(spec: dict, method: str, path: str, response) -> None:
    """Assert that ``response`` is documented for the operation and matches the documented schema."""
    template, op = operation(spec, method, path)
    documented = op["responses"].get(str(response.status_code)) or op["responses"].get("default")
    assert documented, f"{response.status_code} not documented for {method} {template}"
    documented = resolve(spec, documented)
    if response.status_code == 204:
        assert not response.data
        return
    content = documented.get("content", {})
    assert response.mimetype in content, f"{response.mimetype} not documented for {method} {template}: {content}"
    problems = errors(spec, response.get_json(), content[response.mimetype].get("schema", {}))
    assert not problems, f"{method} {template} {response.status_code}: {problems[:5]}"
