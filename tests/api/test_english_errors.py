"""The API's error messages in English (issue 12): every operation of the served OpenAPI document is sent requests
that must fail — no token, an empty body, each body property and query parameter of the wrong type, a stale
If-Match, ids that do not exist, the records of a small world, a method the path does not take — as a member and as
a broker, with ``Accept-Language: en``; no problem document may hold Chinese in its title, detail or errors (apart
from the world's own data, which stays as written). The same requests in Chinese (``zh-CN``, or no header) still
answer in Chinese."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import select

from marketplace.deals import services as deals
from marketplace.extensions import db
from tests import factories as f
from tests.challenges.helpers import published_challenge
from tests.deals.deal_world import contract, credit_code

from .conftest import API, ApiClient, make_token
from .openapi_check import resolve

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
METHODS = ("get", "post", "put", "patch", "delete")
MISSING = 999999
# a value of the wrong type for each schema type (an object for text: a number would be taken as its digits)
WRONG = {"string": {"x": 1}, "integer": "abc", "number": "abc", "boolean": "abc", "array": "abc", "object": "abc"}


def _world() -> tuple[dict[str, int], dict[str, str]]:
    """Organisation A (a university: ``member``, its ``owner``), B (an enterprise: ``issuer``), a ``broker``; a draft
    achievement, patent and demand of A, a published challenge of B, a contract between A and B. Ids by path
    parameter (and by collection for ``record_id``), tokens by user."""
    university = f.organization("university")
    enterprise = f.organization("enterprise")
    for org in (university, enterprise):
        org.credit_code = credit_code()
    owner, member = f.user(university, role="org_admin"), f.user(university)
    issuer, broker = f.user(enterprise, role="org_admin"), f.broker()
    achievement = f.achievement(member)
    patent = f.patent(member)
    demand = f.demand(member)
    challenge = published_challenge(issuer, broker)
    deal = deals.create_deal(broker, contract(university, enterprise))
    ids = {"org_id": university.id, "user_id": member.id, "achievement_id": achievement.id, "patent_id": patent.id,
           "demand_id": demand.id, "challenge_id": challenge.id, "target_id": achievement.id, "year": 2025,
           "achievements": achievement.id, "patents": patent.id, "demands": demand.id, "challenges": challenge.id,
           "achievement": achievement.id, "patent": patent.id, "demand": demand.id, "challenge": challenge.id,
           "deals": deal.id}
    tokens = {name: make_token(user) for name, user in
              (("member", member), ("owner", owner), ("issuer", issuer), ("broker", broker))}
    db.session.commit()
    return ids, tokens


def _stored_texts() -> list[str]:
    """Every text the world's rows hold that has Chinese in it (user data: answers may quote it as written)."""
    texts = set()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            texts.update(value for value in row if isinstance(value, str) and CJK.search(value))
    return sorted(texts, key=len, reverse=True)


def _value(spec: dict, parameter: dict, path: str, ids: dict[str, int], real: bool):
    schema = resolve(spec, parameter.get("schema", {}))
    name = parameter["name"]
    if "enum" in schema:
        return schema["enum"][0]
    if not real:
        return MISSING
    if name == "record_id":  # /achievements/{record_id}, /review/patent/{record_id} …: the collection names it
        collection = next((part for part in path.split("/") if part in ids), None)
        return ids.get(collection, MISSING)
    return ids.get(name, MISSING)


def _url(spec: dict, path: str, parameters: list, ids: dict[str, int], real: bool) -> str:
    url = path
    for parameter in parameters:
        parameter = resolve(spec, parameter)
        if parameter["in"] == "path":
            url = url.replace("{%s}" % parameter["name"], str(_value(spec, parameter, path, ids, real)))
    return url


def _body_properties(spec: dict, operation: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {})
    schema = resolve(spec, content.get("application/json", {}).get("schema", {}))
    return {name: resolve(spec, item) for name, item in schema.get("properties", {}).items()}


def _requests(spec: dict, ids: dict[str, int]):
    """(user, method, url, keyword arguments) of the requests that must fail, operation by operation."""
    for path, operations in spec["paths"].items():
        documented = [method for method in METHODS if method in operations]
        undocumented = next(method for method in METHODS if method not in operations)
        path_parameters = operations.get("parameters", [])
        yield None, undocumented.upper(), _url(spec, path, path_parameters, ids, True), {}
        for method in documented:
            operation = operations[method]
            parameters = [resolve(spec, p) for p in path_parameters + operation.get("parameters", [])]
            takes_json = "application/json" in operation.get("requestBody", {}).get("content", {})
            query = [parameter for parameter in parameters if parameter["in"] == "query"]
            yield None, method.upper(), _url(spec, path, parameters, ids, True), {"json": {}} if takes_json else {}
            for user in ("member", "broker"):
                for real in (False, True):
                    if real and method == "delete":
                        continue  # a delete of the world's record would succeed
                    url = _url(spec, path, parameters, ids, real)
                    if method == "get":
                        yield user, "GET", url, {}
                        for parameter in query:
                            kind = resolve(spec, parameter.get("schema", {})).get("type", "string")
                            wrong = "abc" if kind != "string" else "x" * 5000
                            yield user, "GET", url, {"query_string": {parameter["name"]: wrong}}
                        continue
                    yield user, method.upper(), url, {"json": {}} if takes_json else {}
                    if takes_json:
                        yield user, method.upper(), url, {"data": "{", "content_type": "application/json"}
                        yield user, method.upper(), url, {"json": []}
                        for name, schema in _body_properties(spec, operation).items():
                            wrong = WRONG.get(schema.get("type", "string"), "abc")
                            yield user, method.upper(), url, {"json": {name: wrong}}
                    if real and any(parameter["name"] == "If-Match" for parameter in parameters):
                        yield user, method.upper(), url, {"json": {}, "headers": {"If-Match": '"12345"'}} \
                            if takes_json else {"headers": {"If-Match": '"12345"'}}


def _messages(body: dict) -> list[str]:
    found = [body.get("title", ""), body.get("detail", "")]

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.append(value)

    walk(body.get("errors", {}))
    return [text for text in found if text]


@pytest.fixture
def scan(app, client):
    """Every request in English and in Chinese: {language: [(request, status, messages)]}."""
    with app.test_request_context():
        ids, tokens = _world()
        stored = _stored_texts()
    spec = client.get(f"{API}/openapi.json").get_json()
    answers = defaultdict(list)
    for user, method, url, kwargs in _requests(spec, ids):
        api = ApiClient(client, tokens[user] if user else None)
        for language in ("en", "zh-CN", None):
            if language is None and user is not None:
                continue  # no header: the anonymous requests
            headers = dict(kwargs.get("headers", {}))
            if language:
                headers["Accept-Language"] = language
            response = api.request(method, url, **{**kwargs, "headers": headers})
            assert response.status_code < 500, (user, method, url, kwargs, response.get_data(as_text=True)[:300])
            if response.mimetype != "application/problem+json":
                continue
            texts = []
            for text in _messages(response.get_json()):
                for value in stored:
                    text = text.replace(value, "")
                texts.append(text)
            answers[language or "none"].append((f"{user or 'anon'} {method} {url} {kwargs}", response.status_code,
                                                 texts))
    return answers


def test_api_errors_in_english_and_in_chinese(scan):
    english = scan["en"]
    assert len(english) > 1000, len(english)  # the scan reached the operations
    statuses = {status for _request, status, _texts in english}
    assert {401, 403, 404, 405, 409, 422} <= statuses, statuses

    chinese_left = defaultdict(list)  # message → the first requests that got it
    for request, status, texts in english:
        for text in texts:
            if CJK.search(text) and len(chinese_left[text]) < 2:
                chinese_left[text].append(f"{status} {request}")
    assert not chinese_left, f"{len(chinese_left)} messages still in Chinese:\n" + "\n".join(
        f"{text}  ←  {requests[0]}" for text, requests in sorted(chinese_left.items()))

    for language in ("zh-CN", "none"):
        answered = scan[language]
        assert answered and all(CJK.search(texts[0]) for _request, _status, texts in answered), language
    latin_in_chinese = [text for _request, _status, texts in scan["zh-CN"] for text in texts
                        if re.search(r"\b(must|should|invalid|not|required|only)\b", text, re.I)
                        and not CJK.search(text)]
    assert not latin_in_chinese, sorted(set(latin_in_chinese))[:20]
