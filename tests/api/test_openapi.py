"""The OpenAPI document: complete, self-consistent, served with a working Swagger UI (no CDN); real responses
match their documented schemas."""
import pytest

from marketplace.accounts.models import User
from tests import factories as f

from .conftest import ApiClient, assert_problem, database
from .openapi_check import check_response, errors, resolve


OURS = tuple(f"/api/v1/{name}" for name in (
    "me", "tokens", "organizations", "achievements", "patents", "demands", "review", "quality"))


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_document_is_complete(spec):
    assert spec["openapi"].startswith("3.0")
    assert spec["info"]["title"] and "application/problem+json" in spec["info"]["description"]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer" and schemes["cookieAuth"]["in"] == "cookie"
    operations = [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()
                  if method in {"get", "post", "put", "patch", "delete"}]
    assert len(operations) >= 40
    for path, method, op in operations:  # every path, also those of other modules
        assert path.startswith("/api/v1/")
        assert op.get("responses"), (method, path)
        assert any(code.startswith("2") for code in op["responses"]), (method, path)
        if method != "get":  # every write is rate-limited (API_WRITE_RATE_LIMIT, MATCH_RATE_LIMIT, token creation)
            assert "429" in op["responses"], (method, path)
    for path, method, op in operations:
        if not path.startswith(OURS):
            continue
        assert op.get("summary"), (method, path)
        assert "security" in op, (method, path)
        if method != "get":
            assert {"bearerAuth": []} in op["security"] and {} not in op["security"], (method, path)
            assert "401" in op["responses"], (method, path)
        for name in "{" in path and path.split("{")[1:] or []:
            param = name.split("}")[0]
            assert any(p["name"] == param and p["in"] == "path" for p in op.get("parameters", []) +
                       spec["paths"][path].get("parameters", [])), (method, path, param)


def test_every_reference_resolves_and_errors_are_problem_json(spec):
    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                assert resolve(spec, node) is not None
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    responses = spec["components"]["responses"]
    for name in ("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "UNPROCESSABLE_ENTITY", "DEFAULT_ERROR"):
        assert list(responses[name]["content"]) == ["application/problem+json"], name
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"title", "status"}


def test_server_owned_fields_are_read_only(spec):
    schemas = spec["components"]["schemas"]
    for name in ("AchievementOut", "AchievementSummaryOut", "PatentOut", "DemandOut"):
        properties = schemas[name]["properties"]
        for field in ("id", "org_id", "status"):
            assert properties[field].get("readOnly") is True, (name, field)
    for name in ("AchievementInput", "PatentInput", "DemandInput"):
        assert not {"id", "org_id", "owner_id", "status", "version", "created_at"} & set(
            schemas[name]["properties"]), name


def test_list_envelope_and_versioning_are_documented(spec):
    page = spec["components"]["schemas"]["AchievementPage"]
    assert set(page["required"]) == {"items", "total", "page", "page_size"}
    patch = spec["paths"]["/api/v1/achievements/{record_id}"]["patch"]
    body = resolve(spec, patch["requestBody"]["content"]["application/json"]["schema"])
    assert "required" not in body and "title" in body["properties"]  # PATCH: any subset of the fields
    put = spec["paths"]["/api/v1/achievements/{record_id}"]["put"]
    assert "title" in resolve(spec, put["requestBody"]["content"]["application/json"]["schema"])["required"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    assert "409" in patch["responses"] and "422" in patch["responses"]
    listing = spec["paths"]["/api/v1/achievements"]["get"]
    size = next(p for p in listing["parameters"] if p["name"] == "page_size")
    assert size["schema"]["maximum"] == 100


def test_swagger_ui_is_served_locally(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "docs/assets/swagger-ui-bundle.js" in html and "//" not in html.split("swagger-ui-bundle.js")[0][-40:]
    assert "cdn" not in html.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        response = client.get(f"/api/v1/docs/assets/{asset}")
        assert response.status_code == 200 and len(response.data) > 1000, asset
        response.close()
    assert client.get("/api/v1/docs/assets/../../secret_key").status_code == 404


def test_responses_match_their_documented_schemas(world, app, spec, client):
    with database(app) as session:
        patent_id = f.patent(session.get(User, world.ids["owner"])).id

    calls = []

    def call(api, method, path, **kwargs):
        response = api.request(method, path, **kwargs)
        calls.append((method, "/api/v1" + path, response))
        return response

    rid = call(world.owner, "POST", "/achievements", json=f.achievement_data(patent_ids=[patent_id])).get_json()["id"]
    call(world.owner, "PATCH", f"/achievements/{rid}", json={"trl": 5})
    call(world.owner, "PATCH", f"/achievements/{rid}", json={"trl": 5}, headers={"If-Match": '"1"'})  # 409
    call(world.owner, "POST", "/achievements", json={"title": 5})  # 422
    call(world.owner, "POST", "/achievements", data="{", content_type="application/json")  # 400
    call(world.other, "GET", f"/achievements/{rid}")  # 404
    call(world.anon, "POST", f"/achievements/{rid}/submit")  # 401
    call(world.owner, "POST", f"/achievements/{rid}/submit")
    call(world.member, "POST", f"/review/achievement/{rid}/publish")  # 403
    call(world.broker, "GET", "/review/queue")
    call(world.broker, "POST", f"/review/achievement/{rid}/publish")
    call(world.anon, "GET", f"/achievements/{rid}")
    call(world.anon, "GET", "/achievements?sort=trl")
    call(world.owner, "GET", "/achievements?mine=1")
    call(world.anon, "GET", "/achievements?page=0")  # 422 from the query schema
    call(world.admin, "POST", f"/quality/2025/achievements/{rid}")
    call(world.anon, "GET", "/quality/2025")

    call(world.owner, "PUT", f"/patents/{patent_id}/open-licence",
         json={"fee_terms": "入门费5万元 + 销售额2%提成", "term_years": 5, "scope": "全国范围，非独占"})
    call(world.owner, "GET", f"/patents/{patent_id}")
    call(world.owner, "GET", "/patents?mine=1&open_licence=1")
    did = call(world.other, "POST", "/demands", json=f.demand_data(deadline="2030-01-01")).get_json()["id"]
    call(world.other, "GET", f"/demands/{did}")
    call(world.other, "GET", "/demands?mine=1&sort=deadline")
    call(world.other, "DELETE", f"/demands/{did}")

    call(world.owner, "GET", "/me")
    call(world.owner, "GET", "/tokens")
    call(world.anon, "GET", "/organizations")
    call(world.anon, "GET", f"/organizations/{world.ids['org_a']}")
    call(world.owner, "GET", f"/organizations/{world.ids['org_a']}/members")
    call(world.owner, "POST", f"/organizations/{world.ids['org_a']}/invitations", json={"email": "new@example.cn"})

    for method, path, response in calls:
        assert response.status_code < 500, (method, path)
        check_response(spec, method, path, response)
    assert {r.status_code for _m, _p, r in calls} >= {200, 201, 204, 400, 401, 403, 404, 409, 422}


def test_validator_catches_a_wrong_response(spec):
    schema = {"$ref": "#/components/schemas/AchievementOut"}
    assert errors(spec, {"id": "one", "status": 3}, schema)
    assert errors(spec, {"id": 1, "surprise": True}, schema)
    assert not errors(spec, {"id": 1, "title": "x", "trl": None}, schema)


def test_rate_limit_headers_absent_when_limits_disabled(world, client):
    response = ApiClient(client, world.tokens["owner"]).post("/achievements", json={})
    assert_problem(response, 422)
    assert "X-RateLimit-Limit" not in response.headers
