"""The demo dataset: shape, counts, vocabularies, references, uniqueness, text lengths, determinism and speed."""
from __future__ import annotations

import re
import time
from collections import Counter
from datetime import date

import pytest

from marketplace.achievements.schemas import AchievementInput
from marketplace.deals.identifiers import is_valid_credit_code
from marketplace.demands.schemas import DemandInput
from marketplace.demo.dataset import demo_dataset
from marketplace.patents.schemas import OpenLicenceInput, PatentInput
from marketplace.taxonomy import (INDUSTRIES, IP_TYPES, LEGAL_STATUSES, LISTING_STATUSES, ORG_TYPES, PATENT_TYPES,
                                  REGIONS, TECHNICAL_FIELDS, TRANSFER_MODES)

KEYS = {
    "organizations": {"name", "org_type", "region", "description", "website", "credit_code"},
    "users": {"email", "name", "password", "org", "org_role", "platform_role"},
    "achievements": {"external_id", "org", "owner", "title", "summary", "description", "keywords",
                     "technical_field", "industries", "trl", "ip_type", "transfer_modes", "price_amount", "benefits",
                     "team", "region", "contact", "status", "published_year", "quality_year", "patent_numbers"},
    "patents": {"number", "title", "abstract", "patent_type", "ipc_codes", "applicant", "org", "owner",
                "legal_status", "filing_date", "grant_date", "expiry_date", "region", "status", "open_licence"},
    "demands": {"org", "owner", "title", "problem", "indicators", "keywords", "industry", "technical_field",
                "budget_min", "budget_max", "deadline", "region", "cooperation_modes", "trl_min", "status"},
    "challenges": {"key", "org", "stage", "days_left", "title", "field", "industry", "reward", "mode", "problem",
                   "indicators", "applicants", "reason"},  # scenarios run by marketplace.demo.challenges
    "deals": {"years_ago", "contracts"},  # contracts per year, made by marketplace.demo.deals
}
MAJOR_FIELDS = ["new_materials", "biomedicine", "optoelectronics", "agriculture", "equipment", "new_energy",
                "environment", "automotive", "ai", "medical_devices"]
MINOR_FIELDS = ["chemicals", "electronics", "mining", "civil", "food"]
FIXED_LOGINS = ["admin", "broker", "university", "researcher", "institute", "enterprise", "engineer", "investor"]
IPC = re.compile(r"^[A-H]\d{2}[A-Z] \d{1,4}/\d{2,6}$")
LOCARNO = re.compile(r"^LOC\(15\) \d{2}-\d{2}$")
NUMBER = re.compile(r"^(ZL|CN)(\d{4})([123])(\d{7})\.(\d)$")
TERMS = {"invention_patent": 20, "utility_model": 10, "design": 15}


@pytest.fixture(scope="module", params=[2026, 7])
def data(request):
    return demo_dataset(request.param)


def by_name(data):
    return {o["name"]: o for o in data["organizations"]}


def members(data):
    result = {}
    for user in data["users"]:
        result.setdefault(user["org"], set()).add(user["email"])
    return result


def test_shape(data):
    assert set(data) == set(KEYS)
    for kind, keys in KEYS.items():
        for item in data[kind]:
            assert set(item) == keys, (kind, set(item) ^ keys)


def test_counts(data):
    assert len(data["organizations"]) >= 40
    assert len(data["achievements"]) >= 320
    assert len(data["patents"]) >= 150
    assert len(data["demands"]) >= 70
    fields = Counter(a["technical_field"] for a in data["achievements"])
    assert all(fields[f] >= 25 for f in MAJOR_FIELDS), fields
    assert all(fields[f] >= 5 for f in MINOR_FIELDS), fields
    assert 30 <= sum(1 for p in data["patents"] if p["open_licence"]) <= 50


def test_organizations(data):
    orgs = data["organizations"]
    assert {o["org_type"] for o in orgs} == set(ORG_TYPES)
    regions = Counter(o["region"] for o in orgs)
    assert len(regions) >= 8
    assert regions.most_common(1)[0][0] == "220000" and regions["220000"] > len(orgs) / 2
    for org in orgs:
        assert org["region"] in REGIONS and org["org_type"] in ORG_TYPES
        assert 10 <= len(org["description"]) <= 200
        assert org["website"] is None or re.match(r"^https://[a-z0-9.]+\.example\.cn$", org["website"])


def test_organisations_have_valid_distinct_credit_codes(data):
    """统一社会信用代码 (GB 32100): valid check character, 登记管理部门 and 机构类别 after the type, the region in the
    organisation's province, the same for an organisation whatever the seed."""
    codes = {o["name"]: o["credit_code"] for o in data["organizations"]}
    assert len(set(codes.values())) == len(codes)
    prefixes = {"government": "11", "university": "12", "institute": "12", "enterprise": "91",
                "broker_agency": "91", "investor": "91"}
    for org in data["organizations"]:
        code = org["credit_code"]
        assert is_valid_credit_code(code) and code == code.upper(), org["name"]
        assert code[:2] == prefixes[org["org_type"]] and code[2:4] == org["region"][:2], (org["name"], code)
    assert codes == {o["name"]: o["credit_code"] for o in demo_dataset(99)["organizations"]}


def test_every_broker_agency_has_a_broker(data):
    brokers = {u["org"] for u in data["users"] if u["platform_role"] == "broker"}
    agencies = {o["name"] for o in data["organizations"] if o["org_type"] == "broker_agency"}
    assert brokers == agencies


def test_users(data):
    users, orgs = data["users"], by_name(data)
    assert [u["email"] for u in users[:8]] == [f"{p}@demo.techmarket.cn" for p in FIXED_LOGINS]
    fixed = {u["email"].split("@")[0]: u for u in users[:8]}
    assert fixed["admin"]["platform_role"] == "admin" and orgs[fixed["admin"]["org"]]["org_type"] == "government"
    assert fixed["broker"]["platform_role"] == "broker"
    assert orgs[fixed["broker"]["org"]]["org_type"] == "broker_agency"
    assert fixed["university"]["org_role"] == "org_admin" and fixed["researcher"]["org_role"] == "member"
    assert fixed["university"]["org"] == fixed["researcher"]["org"]
    assert orgs[fixed["university"]["org"]]["org_type"] == "university"
    assert orgs[fixed["institute"]["org"]]["org_type"] == "institute"
    assert fixed["enterprise"]["org"] == fixed["engineer"]["org"]
    assert orgs[fixed["enterprise"]["org"]]["org_type"] == "enterprise"
    assert orgs[fixed["investor"]["org"]]["org_type"] == "investor"
    for user in users:
        assert user["email"].endswith("@demo.techmarket.cn") and user["password"] == "demo12345"
        assert user["org"] in orgs and user["org_role"] in ("member", "org_admin")
        assert user["platform_role"] in (None, "broker", "admin")
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", user["name"])
    admins = Counter(u["org"] for u in users if u["org_role"] == "org_admin")
    assert set(admins) == set(orgs) and set(admins.values()) == {1}


def test_uniqueness(data):
    def unique(values):
        values = list(values)
        return len(values) == len(set(values))

    assert unique(o["name"] for o in data["organizations"])
    assert unique(u["email"] for u in data["users"])
    assert unique(u["name"] for u in data["users"])
    assert unique(p["number"] for p in data["patents"])
    assert unique(a["external_id"] for a in data["achievements"])
    assert unique(a["title"] for a in data["achievements"])
    assert unique(d["title"] for d in data["demands"])


def test_vocabularies(data):
    for a in data["achievements"]:
        assert a["technical_field"] in TECHNICAL_FIELDS and a["ip_type"] in IP_TYPES
        assert 1 <= len(a["industries"]) <= 3 and set(a["industries"]) <= set(INDUSTRIES)
        assert 1 <= len(a["transfer_modes"]) <= 3 and set(a["transfer_modes"]) <= set(TRANSFER_MODES)
        assert a["status"] in LISTING_STATUSES and a["region"] in REGIONS
    for p in data["patents"]:
        assert p["patent_type"] in PATENT_TYPES and p["legal_status"] in LEGAL_STATUSES
        assert p["status"] in LISTING_STATUSES and p["region"] in REGIONS
        assert 1 <= len(p["ipc_codes"]) <= 3
        pattern = LOCARNO if p["patent_type"] == "design" else IPC
        assert all(pattern.match(code) for code in p["ipc_codes"]), p["ipc_codes"]
    for d in data["demands"]:
        assert d["industry"] in INDUSTRIES and d["technical_field"] in TECHNICAL_FIELDS
        assert 1 <= len(d["cooperation_modes"]) <= 3 and set(d["cooperation_modes"]) <= set(TRANSFER_MODES)
        assert d["status"] in LISTING_STATUSES and d["region"] in REGIONS


def test_references(data):
    orgs, people = by_name(data), members(data)
    patents = {p["number"]: p for p in data["patents"]}
    for p in data["patents"]:
        assert orgs[p["org"]]["org_type"] in ("university", "institute", "enterprise")
        assert p["applicant"] == p["org"] and p["owner"] in people[p["org"]]
        assert p["region"] == orgs[p["org"]]["region"]
    holders = Counter(orgs[a["org"]]["org_type"] for a in data["achievements"])
    assert set(holders) == {"university", "institute", "enterprise"}
    assert holders["enterprise"] < (holders["university"] + holders["institute"]) / 3
    for a in data["achievements"]:
        assert a["owner"] in people[a["org"]] and a["region"] == orgs[a["org"]]["region"]
        assert len(a["patent_numbers"]) <= 3
        assert all(patents[n]["org"] == a["org"] for n in a["patent_numbers"])
    for d in data["demands"]:
        assert orgs[d["org"]]["org_type"] == "enterprise"
        assert d["owner"] in people[d["org"]] and d["region"] == orgs[d["org"]]["region"]


def test_text_lengths(data):
    for a in data["achievements"]:
        assert 4 <= len(a["title"]) <= 60
        assert 80 <= len(a["summary"]) <= 200, a["summary"]
        assert 200 <= len(a["description"]) <= 500, a["description"]
        assert 3 <= len(a["keywords"]) <= 6 and all(len(k) <= 30 for k in a["keywords"])
        assert 1 <= a["benefits"].count("。") <= 2 and 1 <= a["team"].count("。") <= 2
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,5} \d{3,4}-\d{8}", a["contact"]), a["contact"]
        assert "{" not in a["description"] + a["summary"] + a["benefits"] + a["team"]
    for p in data["patents"]:
        assert 60 <= len(p["abstract"]) <= 150, p["abstract"]
    for d in data["demands"]:
        assert 150 <= len(d["problem"]) <= 400, d["problem"]
        assert re.search(r"\d", d["indicators"]) and "{" not in d["problem"] + d["indicators"]
        assert 3 <= len(d["keywords"]) <= 5


def test_numbers_and_statuses(data):
    achievements = data["achievements"]
    published = [a for a in achievements if a["status"] == "published"]
    assert 0.85 <= len(published) / len(achievements) <= 0.95
    assert {a["status"] for a in achievements} - {"published"} <= {"draft", "submitted"}
    assert 0.2 <= sum(a["price_amount"] is None for a in achievements) / len(achievements) <= 0.4
    assert all(a["price_amount"] is None or isinstance(a["price_amount"], float) and a["price_amount"] > 0
               for a in achievements)
    assert all(1 <= a["trl"] <= 9 for a in achievements)
    assert sum(4 <= a["trl"] <= 8 for a in achievements) / len(achievements) >= 0.7
    for a in achievements:
        assert (a["published_year"] is not None) == (a["status"] == "published")
        assert a["published_year"] is None or 2022 <= a["published_year"] <= 2026
        if a["quality_year"] is not None:
            assert a["status"] == "published" and a["published_year"] <= a["quality_year"] <= 2026
    quality = Counter(a["quality_year"] for a in achievements if a["quality_year"])
    assert 55 <= sum(quality.values()) <= 65 and quality[2026] > quality[2025]
    for d in data["demands"]:
        assert date.fromisoformat(d["deadline"]).year == date.today().year + 1
        assert (d["budget_min"] is None) == (d["budget_max"] is None)
        assert d["budget_min"] is None or 0 < d["budget_min"] <= d["budget_max"]
        assert d["trl_min"] is None or 1 <= d["trl_min"] <= 9
    assert sum(d["status"] == "published" for d in data["demands"]) / len(data["demands"]) >= 0.8


def test_patent_numbers_and_dates(data):
    for p in data["patents"]:
        match = NUMBER.match(p["number"])
        assert match, p["number"]
        prefix, year, kind, serial, check = match.groups()
        digits = year + kind + serial
        assert int(check) == sum(int(d) * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5))) % 11
        assert kind == {"invention_patent": "1", "utility_model": "2", "design": "3"}[p["patent_type"]]
        assert (prefix == "CN") == (p["legal_status"] == "pending")
        filing = date.fromisoformat(p["filing_date"])
        assert int(year) == filing.year
        assert date.fromisoformat(p["expiry_date"]) == filing.replace(year=filing.year + TERMS[p["patent_type"]])
        if p["legal_status"] == "pending":
            assert p["grant_date"] is None
        else:
            assert filing < date.fromisoformat(p["grant_date"]) <= date(2026, 6, 30)
        if p["legal_status"] == "expired":
            assert date.fromisoformat(p["expiry_date"]) < date(2026, 1, 1)
        if p["open_licence"]:
            assert p["legal_status"] == "granted"
            assert set(p["open_licence"]) == {"fee_terms", "annual_fee", "term_years", "scope"}
            assert 1 <= p["open_licence"]["term_years"] <= 5
    assert sum(p["legal_status"] == "granted" for p in data["patents"]) / len(data["patents"]) >= 0.7


def test_records_pass_the_input_schemas(data):
    for a in data["achievements"]:
        assert not AchievementInput().validate({k: v for k, v in a.items() if k in AchievementInput._declared_fields})
    for p in data["patents"]:
        assert not PatentInput().validate({k: v for k, v in p.items() if k in PatentInput._declared_fields})
        if p["open_licence"]:
            assert not OpenLicenceInput().validate(p["open_licence"])
    for d in data["demands"]:
        assert not DemandInput().validate({k: v for k, v in d.items() if k in DemandInput._declared_fields})


def test_demands_meet_achievements(data):
    """Most demands share a topic (keywords and field) with at least one published achievement."""
    published = [a for a in data["achievements"] if a["status"] == "published"]
    answered = sum(any(a["technical_field"] == d["technical_field"] and a["keywords"][0] == d["keywords"][0]
                       for a in published) for d in data["demands"])
    assert answered / len(data["demands"]) >= 0.8


def test_deterministic_and_fast():
    started = time.perf_counter()
    first = demo_dataset(2026)
    assert time.perf_counter() - started < 2
    assert demo_dataset(2026) == first
    assert demo_dataset(2027) != first
