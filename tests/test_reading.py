"""One read path per kind: a list page and the API list with the same parameters answer the same records in the
same order; old parameter names still work; an invalid value is a 422 on the API and ignored on the page."""
from __future__ import annotations

import re
from datetime import date

import pytest

from marketplace.extensions import db
from marketplace.patents import services as patents
from marketplace.review import services as review
from tests import factories as f

API = "/api/v1"


@pytest.fixture
def world(app):
    """A university (吉林, 220000) and an enterprise (黑龙江, 230000) with published achievements, patents and
    demands of varied fields, bands and dates, plus a draft of each kind that no list may show."""
    with app.test_request_context():
        university = f.organization("university", region="220000", name="甲大学")
        enterprise = f.organization("enterprise", region="230000", name="乙企业")
        f.organization("institute", region="110000", name="丙研究院")
        uni_user, ent_user, broker = f.user(university, role="org_admin"), f.user(enterprise, role="org_admin"), f.broker()
        for number in range(24):
            owner = uni_user if number % 3 else ent_user
            f.achievement(owner, publish_by=broker, title=f"测试成果{number:02d}", trl=number % 9 + 1,
                          technical_field=["new_materials", "ai", "equipment"][number % 3],
                          ip_type=["invention_patent", "software_copyright"][number % 2],
                          transfer_modes=[["licence"], ["equity", "service"], ["assignment"]][number % 3],
                          region=["220000", "230000", "110000"][number % 3],
                          price_amount=None if number % 5 == 0 else str(number * 37 % 1500 + 1))
        f.achievement(uni_user, title="草稿成果")
        for number in range(8):
            owner = uni_user if number % 2 else ent_user
            patent = f.patent(owner, title=f"测试专利{number:02d}", patent_type=["invention_patent", "utility_model"][number % 2],
                              legal_status="granted" if number < 6 else "expired",
                              expiry_date=None if number == 3 else date(2030 + number % 4, 1, 1).isoformat(),
                              region=["220000", "230000"][number % 2])
            review.submit(owner, patent)
            review.publish(broker, patent)
            if number in (1, 2, 4):
                patents.declare_open_licence(owner, patent, {"fee_terms": "入门费", "term_years": 3, "scope": "全国"})
        f.patent(uni_user, title="草稿专利")
        for number in range(10):
            owner = ent_user if number % 2 else uni_user
            budget = [("5", "8"), ("50", "200"), (None, None), ("300", None), ("20", "60")][number % 5]
            f.demand(owner, publish_by=broker, title=f"技术需求{number:02d}", industry=["energy", "software"][number % 2],
                     technical_field=["new_materials", "ai"][number % 2], region=["220000", "230000"][number % 2],
                     budget_min=budget[0], budget_max=budget[1],
                     deadline=None if number % 4 == 0 else date(2031, 1 + number, 1).isoformat(),
                     cooperation_modes=[["service"], ["joint_development", "licence"]][number % 2])
        f.demand(ent_user, title="草稿需求")
        db.session.commit()
        return {"university": university.id, "enterprise": enterprise.id}


def _page_ids(client, path: str, kind: str) -> tuple[list[int], str]:
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.get_data(as_text=True)
    ids = []
    for found in re.findall(rf'href="/{kind}/(\d+)"', body):
        if int(found) not in ids:
            ids.append(int(found))
    total = re.search(r"共 ([\d,]+)\+? 条", body).group(1).replace(",", "")
    return ids, total


def _api(client, path: str):
    return client.get(API + path)


def _api_ids(client, path: str) -> tuple[list[int], str]:
    response = _api(client, path)
    assert response.status_code == 200, (path, response.get_json())
    body = response.get_json()
    return [item["id"] for item in body["items"]], str(body["total"])


def _same(client, kind: str, query: str, api_query: str | None = None, api_path: str | None = None):
    page = _page_ids(client, f"/{kind}?{query}", kind)
    api = _api_ids(client, f"/{api_path or kind}?{query if api_query is None else api_query}")
    assert page == api, (kind, query)
    return page


ACHIEVEMENT_QUERIES = [
    "", "sort=newest", "sort=trl", "sort=price_asc", "sort=price_desc", "technical_field=ai", "trl=7-9",
    "trl=1-3&sort=price_desc", "trl_min=3&trl_max=6", "trl_min=8", "ip_type=software_copyright",
    "transfer_mode=equity", "region=230000", "price=negotiable", "price=200-1000&sort=trl", "price=gte1000",
    "org_type=enterprise", "org_type=institute", "technical_field=new_materials&region=220000&sort=price_asc",
]


@pytest.mark.parametrize("query", ACHIEVEMENT_QUERIES)
def test_achievement_page_and_api_agree(client, world, query):
    ids, total = _same(client, "achievements", query)
    assert query or (len(ids) == 20 and total == "24")  # drafts are in neither


def test_achievement_page_and_api_agree_on_org_and_second_page(client, world):
    ids, total = _same(client, "achievements", f"org_id={world['enterprise']}")
    assert total == "8" and ids
    _same(client, "achievements", "page=2&sort=trl")
    assert _same(client, "achievements", "page=2")[0]


def test_achievement_old_api_names(client, world):
    for old, new in [("price_band=lt10", "price=lt10"), ("price_band=negotiable&sort=price", "price=negotiable&sort=price_asc"),
                     ("sort=price", "sort=price_asc")]:
        assert _api_ids(client, f"/achievements?{old}") == _api_ids(client, f"/achievements?{new}")
        assert _api_ids(client, f"/achievements?{old}") == _page_ids(client, f"/achievements?{new}", "achievements")
    # the current name wins over the old one
    assert _api_ids(client, "/achievements?price=negotiable&price_band=lt10") == \
        _api_ids(client, "/achievements?price=negotiable")


@pytest.mark.parametrize("query, field", [
    ("trl=bogus", "trl"), ("trl_min=0", "trl_min"), ("trl_min=8&trl_max=2", "trl_max"), ("price=free", "price"),
    ("price_band=free", "price_band"), ("sort=random", "sort"), ("org_type=alien", "org_type"), ("org_id=x", "org_id"),
    ("region=999999", "region"), ("transfer_mode=gift", "transfer_mode"),
])
def test_invalid_achievement_values_are_422_on_the_api_and_ignored_on_the_page(client, world, query, field):
    response = _api(client, f"/achievements?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert _page_ids(client, f"/achievements?{query}", "achievements") == _api_ids(client, "/achievements")


def test_an_invalid_value_drops_only_itself_on_the_page(client, world):
    assert _page_ids(client, "/achievements?trl=bogus&region=230000&sort=nope", "achievements") == \
        _api_ids(client, "/achievements?region=230000")
    assert _page_ids(client, "/achievements?trl_min=9&trl_max=1&technical_field=ai", "achievements") == \
        _api_ids(client, "/achievements?technical_field=ai")


PATENT_QUERIES = [
    "", "sort=expiry", "patent_type=utility_model", "legal_status=expired", "open_licence=1", "open_licence=0",
    "open_licence=true&sort=expiry", "region=230000", "org_type=enterprise", "org_type=institute",
    "patent_type=invention_patent&legal_status=granted",
]


@pytest.mark.parametrize("query", PATENT_QUERIES)
def test_patent_page_and_api_agree(client, world, query):
    ids, total = _same(client, "patents", query)
    assert query or total == "8"


def test_patent_old_page_names(client, world):
    for old, new in [("type=utility_model", "patent_type=utility_model"), ("legal=expired", "legal_status=expired"),
                     ("open=yes", "open_licence=1"), ("open=no", "open_licence=0"),
                     ("type=invention_patent&open=yes&sort=expiry", "patent_type=invention_patent&open_licence=1&sort=expiry")]:
        assert _page_ids(client, f"/patents?{old}", "patents") == _api_ids(client, f"/patents?{new}"), old
    assert _page_ids(client, "/patents?open=yes", "patents")[1] == "3"
    # the form shows the new names, with the filter from the old one selected
    body = client.get("/patents?open=yes&legal=granted").get_data(as_text=True)
    assert 'name="open_licence"' in body and 'name="legal_status"' in body and 'name="open"' not in body
    assert re.search(r'<option value="1"\s+selected>', body)


def test_invalid_patent_values(client, world):
    for query, field in [("open_licence=maybe", "open_licence"), ("legal_status=alive", "legal_status"),
                         ("sort=price", "sort")]:
        response = _api(client, f"/patents?{query}")
        assert response.status_code == 422 and field in response.get_json()["errors"]
        assert _page_ids(client, f"/patents?{query}", "patents") == _api_ids(client, "/patents")
    assert _page_ids(client, "/patents?open=maybe&type=design", "patents")[1] == "0"


def test_patent_org_filter(client, world):
    ids, total = _same(client, "patents", f"org_id={world['university']}")
    assert total == "4"


DEMAND_QUERIES = [
    "", "sort=budget", "sort=deadline", "industry=software", "technical_field=ai", "region=220000",
    "budget=50-200", "budget=negotiable", "budget=gte1000&sort=deadline", "budget=lt10",
    "cooperation_mode=licence", "org_type=enterprise", "org_type=institute",
]


@pytest.mark.parametrize("query", DEMAND_QUERIES)
def test_demand_page_and_api_agree(client, world, query):
    ids, total = _same(client, "demands", query)
    assert query or total == "10"


def test_demand_org_filter_and_invalid_values(client, world):
    assert _same(client, "demands", f"org_id={world['enterprise']}")[1] == "5"
    for query, field in [("budget=lots", "budget"), ("sort=price_asc", "sort"), ("industry=nothing", "industry")]:
        response = _api(client, f"/demands?{query}")
        assert response.status_code == 422 and field in response.get_json()["errors"]
        assert _page_ids(client, f"/demands?{query}", "demands") == _api_ids(client, "/demands")


@pytest.mark.parametrize("query", ["", "org_type=enterprise", "region=110000", "org_type=university&region=220000"])
def test_organization_page_and_api_agree(client, world, query):
    _same(client, "orgs", query, api_path="organizations")


def test_scope_arguments_stay_api_only(app, client, world):
    """``mine`` and ``status`` still decide the scope: drafts only for their organisation."""
    assert "草稿成果" not in client.get("/achievements?mine=1&status=draft").get_data(as_text=True)
    assert _api(client, "/achievements?mine=1").status_code == 401
    assert _api_ids(client, "/achievements?status=draft") == ([], "0")


def test_openapi_documents_the_shared_filters_and_the_deprecated_aliases(client):
    spec = client.get(API + "/openapi.json").get_json()

    def parameters(path):
        return {p["name"]: p for p in spec["paths"][API + path]["get"]["parameters"]}

    achievements = parameters("/achievements")
    assert {"technical_field", "trl", "trl_min", "trl_max", "ip_type", "transfer_mode", "region", "price",
            "org_type", "org_id", "sort", "mine", "status", "page", "page_size"} <= set(achievements)
    assert achievements["price_band"]["deprecated"] is True
    assert "旧参数名，保留一个版本" in achievements["price_band"]["description"]
    assert "deprecated" not in achievements["price"]
    assert set(achievements["sort"]["schema"]["enum"]) - {None} == {"newest", "trl", "price_asc", "price_desc", "price"}
    assert "price：旧参数名，保留一个版本" in achievements["sort"]["description"]
    patents_params = parameters("/patents")
    assert {"patent_type", "legal_status", "open_licence", "region", "org_type", "org_id", "sort"} <= set(patents_params)
    assert "type" not in patents_params and "open" not in patents_params  # old page names are not API parameters
    assert {"industry", "technical_field", "region", "budget", "cooperation_mode", "org_type", "org_id",
            "sort"} <= set(parameters("/demands"))
