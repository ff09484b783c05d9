"""The API's contract holds as the OpenAPI document states it (RELIABILITY 16; tools/fuzz_api.py checks the same
over the whole API): a valid document whose bounds are numbers, every timestamp RFC 3339 UTC with ``Z``, documented
constraints equal to the validation, and every error — ids too large, URLs too long, methods not allowed — a 4xx
``application/problem+json``, never a 500."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from marketplace.accounts.models import User
from marketplace.achievements.models import Achievement
from marketplace.deals.opportunities import open_opportunity
from marketplace.http_limits import MAX_ID, MAX_URL_LENGTH
from marketplace.validation import UtcDateTime
from tests import factories as f

from .conftest import API, assert_problem, create, database
from .openapi_check import RFC3339, check_response, resolve

REPO = Path(__file__).resolve().parents[2]
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


@pytest.fixture
def spec(client):
    return client.get(f"{API}/openapi.json").get_json()


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


# -- numbers -----------------------------------------------------------------------------------------------------------

def test_the_document_is_a_valid_openapi_document(spec):
    from openapi_spec_validator import validate

    validate(spec)  # raises on, e.g., maximum: "10000000.00"


def test_every_bound_is_a_number(spec):
    wrong = [(path, key, node[key]) for path, node in _walk(spec) for key in BOUNDS
             if key in node and (isinstance(node[key], bool) or not isinstance(node[key], (int, float)))]
    assert not wrong, wrong[:5]
    schemas = spec["components"]["schemas"]
    assert schemas["AchievementInput"]["properties"]["price_amount"]["maximum"] == 10_000_000
    assert schemas["DemandInput"]["properties"]["budget_min"]["minimum"] == 0
    assert schemas["OpenLicenceInput"]["properties"]["annual_fee"]["maximum"] == 10_000_000


def test_amounts_answered_as_exact_strings_are_documented_as_strings(spec):
    """Contracts answer "120.5000" (exact, like the Numeric column): the document says string, with its pattern."""
    schemas = spec["components"]["schemas"]
    total = schemas["DealOut"]["properties"]["total_amount"]
    assert total["type"] == "string" and re.search(total["pattern"], "120.5000")
    assert schemas["OpportunityOut"]["properties"]["expected_amount"]["type"] == "string"
    assert schemas["DealCreateBody"]["properties"]["total_amount"]["type"] == "number"  # read as a number


# -- timestamps --------------------------------------------------------------------------------------------------------

def test_timestamps_are_utc_with_z(world, app):
    body = create(world.owner, "achievements")
    with database(app) as session:
        stored = session.get(Achievement, body["id"]).created_at
    for answer in (body, world.owner.get(f"/achievements/{body['id']}").get_json()):
        assert RFC3339.match(answer["created_at"]) and answer["created_at"].endswith("Z"), answer["created_at"]
        written = datetime.fromisoformat(answer["created_at"].replace("Z", "+00:00"))
        assert written == stored.replace(tzinfo=timezone.utc)  # stored naive UTC, written as that instant
    tokens = world.owner.get("/tokens").get_json()
    assert tokens and all(token["created_at"].endswith("Z") for token in tokens)


def test_an_aware_time_is_written_in_utc():
    field = UtcDateTime()
    shanghai = timezone(timedelta(hours=8))
    assert field.serialize("t", {"t": datetime(2026, 5, 5, 14, 48, 6, tzinfo=shanghai)}) == "2026-05-05T06:48:06Z"
    assert field.serialize("t", {"t": datetime(2026, 5, 5, 6, 48, 6)}) == "2026-05-05T06:48:06Z"
    assert field.deserialize("2026-05-05T14:48:06+08:00") == datetime(2026, 5, 5, 6, 48, 6)


def test_one_timestamp_field_for_the_whole_api():
    """Every schema writes timestamps through UtcDateTime: a plain fields.DateTime would write them without zone."""
    plain = [str(path.relative_to(REPO)) for path in (REPO / "marketplace").rglob("*.py")
             if "fields.DateTime(" in path.read_text(encoding="utf-8")]
    assert not plain, plain


def test_the_rule_is_documented(spec):
    assert "UTC" in spec["info"]["description"] and "Z" in spec["info"]["description"]


# -- documented constraints equal the validation -----------------------------------------------------------------------

PATENT_NUMBERS = ["ZL202110123456.7", "zl202210123456.7", "CN112345678A", "CN 112345679A", "2021101234567",
                  "ZL20211012345X", "ABC", "ZL2021.7", "ZL２０２１１０１２３４５６.7", " ZL 2023101234567 ", "CN12345678B1",
                  "1234567", "ZL202110123456.77", "ZL\t2024101234567"]


def test_patent_numbers_the_document_allows_are_the_ones_the_api_accepts(world, spec):
    pattern = spec["components"]["schemas"]["PatentInput"]["properties"]["number"]["pattern"]
    for index, number in enumerate(PATENT_NUMBERS):
        documented = re.search(pattern, number) is not None
        response = world.owner.post("/patents", json={"number": number, "title": f"一种方法{index}",
                                                      "applicant": "吉林大学"})
        if documented:
            assert response.status_code == 201, (number, response.get_json())
        else:
            assert_problem(response, 422, "number")


def test_integer_bounds_are_documented_and_enforced(world, spec):
    ids = resolve(spec, spec["components"]["schemas"]["ReadInput"])["properties"]["ids"]["items"]
    assert ids["maximum"] == MAX_ID
    body = assert_problem(world.owner.post("/notifications/read", json={"ids": [10**30]}), 422, "ids")
    assert "2147483647" in str(body["errors"]["ids"])
    assert world.owner.post("/notifications/read", json={"ids": [MAX_ID]}).status_code == 200
    item = spec["paths"]["/api/v1/organizations/{org_id}"]
    parameter = next(p for p in item.get("parameters", []) + item["get"].get("parameters", []) if p["name"] == "org_id")
    assert parameter["schema"]["maximum"] == MAX_ID


@pytest.mark.parametrize("path", [f"{API}/organizations/{10**25}", f"{API}/achievements/{MAX_ID + 1}",
                                  f"{API}/organizations/{10**25}/members"])
def test_ids_beyond_the_column_are_404_problems(world, client, path):
    assert_problem(client.get(path, headers={"Authorization": f"Bearer {world.tokens['owner']}"}), 404)


def test_ids_beyond_the_column_on_pages_are_404(client):
    assert client.get(f"/achievements/{10**25}").status_code == 404


def test_a_reason_that_is_no_text_is_a_422(world, app):
    with database(app) as session:
        opportunity = open_opportunity(session.get(User, world.ids["broker"]), source="manual", title="许可洽谈")
        session.flush()
        opportunity_id = opportunity.id
    assert_problem(world.broker.post(f"/opportunities/{opportunity_id}/lose", json={"reason": [None, None]}),
                   422, "reason")


# -- every error is problem+json ---------------------------------------------------------------------------------------

def test_a_url_too_long_is_a_414_problem(world, client):
    response = client.get(f"{API}/achievements?q=" + "锂" * MAX_URL_LENGTH)
    assert_problem(response, 414)
    assert client.get("/achievements?q=" + "a" * (MAX_URL_LENGTH + 1)).status_code == 414


def test_a_method_not_allowed_is_a_405_problem_with_allow(world, spec):
    response = world.owner.request("PATCH", "/achievements", json={})
    assert_problem(response, 405)
    assert {"GET", "POST"} <= {method.strip() for method in response.headers["Allow"].split(",")}


def test_a_body_too_large_is_a_413_problem(world, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = world.owner.post("/achievements", data=b"{" + b" " * limit + b"}", content_type="application/json")
    assert_problem(response, 413)


def test_error_answers_match_the_document(world, spec):
    response = world.owner.post("/notifications/read", json={"ids": [10**30]})
    check_response(spec, "POST", f"{API}/notifications/read", response)


# -- links -------------------------------------------------------------------------------------------------------------

def test_creations_link_to_what_can_be_done_with_the_record(spec):
    """``links`` from each 201 to the record's operations, so clients and the fuzzer's stateful phase use it."""
    created = spec["paths"]["/api/v1/achievements"]["post"]["responses"]["201"]["links"]
    read = created["get_record_id"]
    assert read == {"operationRef": "#/paths/~1api~1v1~1achievements~1{record_id}/get",
                    "parameters": {"record_id": "$response.body#/id"}}
    assert {"patch_record_id", "post_record_id_submit"} <= set(created)
    for collection in ("demands", "patents", "challenges", "deals", "opportunities", "inquiries"):
        links = spec["paths"][f"/api/v1/{collection}"]["post"]["responses"]["201"]["links"]
        for link in links.values():  # every operationRef names an operation of the document
            path, method = link["operationRef"][len("#/paths/"):].rsplit("/", 1)
            assert method in spec["paths"][path.replace("~1", "/").replace("~0", "~")], link


def test_a_blank_external_id_is_none_and_no_duplicate(world):
    """Found by the fuzzer: a second achievement with external_id "" hit the unique index (500)."""
    first = create(world.owner, "achievements", external_id="")
    second = create(world.owner, "achievements", external_id="  ")
    assert first["external_id"] is None and second["external_id"] is None
    create(world.owner, "achievements", external_id="JLU-1")
    assert_problem(world.owner.post("/achievements", json=f.achievement_data(external_id="JLU-1")), 422, "external_id")


def test_errors_of_list_items_are_named_by_text_keys(world):
    """Found by the fuzzer: a contract whose party fails validation and whose parties break a rule between them
    mixed integer and text keys in ``errors`` (the 422 could not be written: 500)."""
    body = {"name": "00", "contract_type": "development", "contract_subtype": "0", "total_amount": 0.0,
            "technical_amount": 0.0, "payment_method": "lump_sum", "signed_on": "2000-01-01",
            "valid_from": "2000-01-01", "valid_to": "2000-01-01", "technical_field": "electronics",
            "parties": [{"org_id": 0, "name": "0", "credit_code": "", "nature": "011", "country": ""}]}
    problem = assert_problem(world.broker.post("/deals", json=body), 422, "parties")
    assert all(isinstance(key, str) for key in problem["errors"]["parties"])


def test_a_party_role_that_is_no_text_is_a_422(world):
    """Found by the fuzzer: ``"role": {}`` reached the message that names each party by its role (500)."""
    body = {"name": "合同", "contract_type": "development", "parties": [{"role": {}, "name": "甲方"}]}
    assert_problem(world.broker.post("/deals", json=body), 422, "parties")
