"""The statistics JSON API on generated contracts: every contract figure reconciles with the deals summed in Python
from the ORM, every table answers what tables.build() gives cell for cell, who may see what, and bad filters."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.accounts.models import Organization
from marketplace.deals.models import Deal
from marketplace.extensions import db
from marketplace.statistics import contracts
from marketplace.statistics.filters import StatsFilter, parse
from marketplace.statistics.public import PUBLIC_TABLES
from marketplace.statistics.tables import BUILDERS, build
from tests import factories as f
from tests.api.conftest import ApiClient, _cheap_password_hashing, assert_problem, database, make_token, world  # noqa: F401
from tests.api.openapi_check import check_response

from . import fixture
from .generated import generate

ZERO = Decimal("0")
TYPE_OF_NATURE = {"022": "university", "021": "institute"}
FILTERS = ["year_from=2023&year_to=2026", "year=2025&region=220000", "year_from=2024&year_to=2026&region=440000&side=buyer",
           "year_from=2023&year_to=2026&field=electronics", "year=2026&institution_type=university"]


# -- the figures, recomputed in Python from the ORM -------------------------------------------------------------------

def institution_type(nature: str) -> str:
    if nature in TYPE_OF_NATURE:
        return TYPE_OF_NATURE[nature]
    return "enterprise" if nature[0] in "123" else "other"


def selected(deal: Deal, stats: StatsFilter, *, period: bool = True) -> bool:
    """``deal`` is among the contracts ``stats`` covers (as the definitions in the README say)."""
    seller, buyer = deal.seller, deal.buyer
    region_party = seller if stats.side == "seller" else buyer
    return (deal.registration_status != "refused"
            and (not period or stats.start <= deal.signed_on < stats.end)
            and (stats.region is None or region_party.region[:2] == stats.region[:2])
            and (stats.field is None or deal.technical_field == stats.field)
            and (stats.institution_id is None or seller.org_id == stats.institution_id)
            and (stats.institution_type is None or institution_type(seller.nature) == stats.institution_type))


def sums(deals) -> tuple[int, Decimal, Decimal]:
    deals = list(deals)
    return (len(deals), sum((d.total_amount for d in deals), ZERO), sum((d.technical_amount for d in deals), ZERO))


def stats_filters(world_orgs) -> list[StatsFilter]:
    return [StatsFilter(2023, 2026), StatsFilter(2025, 2025), StatsFilter(2024, 2026, region="220000"),
            StatsFilter(2023, 2026, region="440000", side="buyer"), StatsFilter(2023, 2025, field="electronics"),
            StatsFilter(2023, 2026, institution_type="university"), StatsFilter(2026, 2026, institution_type="other"),
            StatsFilter(2023, 2026, institution_id=world_orgs["university"].id)]


def test_every_contract_table_reconciles_with_the_deals(ctx):
    generated = generate()
    deals = db.session.execute(db.select(Deal)).scalars().all()
    assert len(deals) == 300
    for stats in stats_filters(generated.orgs):
        counted = [deal for deal in deals if selected(deal, stats)]
        expected = sums(counted)
        assert expected[0] > 0, stats
        for dimension in contracts.DIMENSIONS:
            table = build(f"contracts_by_{dimension}", stats)
            assert tuple(table.total[1:4]) == expected, (dimension, stats)
            assert tuple(sum(row[i] for row in table.rows) for i in (1, 2, 3)) == expected, (dimension, stats)
        by_type = defaultdict(list)
        for deal in counted:
            by_type[deal.contract_type].append(deal)
        table = build("contracts_by_contract_type", stats)
        assert {key: tuple(row[1:4]) for key, row in zip(table.keys, table.rows)} == \
            {key: sums(group) for key, group in by_type.items()}
        # the annual report: universities and institutes as sellers (the institution type is the report's parts)
        stats = stats.with_(institution_type=None)
        institutions = [deal for deal in deals if selected(deal, stats) and deal.seller.nature in TYPE_OF_NATURE]
        report = build("annual_report_all", stats)
        assert tuple(report.total[1:3]) == sums(institutions)[:2], stats
        equity = [deal for deal in institutions if deal.equity_investment]
        assert dict(zip(report.keys, report.rows))["equity"][1:3] == list(sums(equity)[:2])
        summary = dict(zip(build("annual_report_summary", stats).keys, build("annual_report_summary", stats).rows))
        received = sum((payment.amount for deal in deals if selected(deal, stats, period=False)
                        and deal.seller.nature in TYPE_OF_NATURE
                        for payment in deal.payments if stats.start <= payment.received_on < stats.end), ZERO)
        assert summary["received"][1] == received, stats
        rewards = [reward for deal in deals if selected(deal, stats, period=False)
                   and deal.seller.nature in TYPE_OF_NATURE for reward in deal.rewards
                   if stats.start <= (reward.awarded_on or deal.signed_on) < stats.end]
        assert summary["reward_cash_amount"][1] == sum((r.amount for r in rewards if r.form == "cash"), ZERO)
        assert summary["reward_equity_persons"][1] == sum(r.persons for r in rewards if r.form == "equity")
        big = [deal for deal in institutions if deal.total_amount >= 100]
        assert summary["gte_100_contracts"][1] == len(big)


# -- the API against tables.build() ----------------------------------------------------------------------------------

def assert_same(body: dict, table) -> None:
    """The API body holds exactly ``table``'s cells (amounts as exact decimal strings)."""
    assert body["id"] == table.id and body["title"] == table.title and body["definition"] == table.definition
    assert [(c["key"], c["title"], c["kind"]) for c in body["columns"]] == \
        [(c.key, c.title, c.kind) for c in table.columns]
    assert [row["key"] for row in body["rows"]] == list(table.keys)
    expected_rows = [*table.rows, *([table.total] if table.total is not None else [])]
    got_rows = [*body["rows"], *([body["total"]] if body["total"] is not None else [])]
    assert len(got_rows) == len(expected_rows), table.id
    for got, expected in zip(got_rows, expected_rows):
        for column, value in zip(table.columns, expected):
            cell = got[column.key]
            if isinstance(value, Decimal):
                assert isinstance(cell, str) and Decimal(cell) == value and cell == f"{value:f}", (table.id, column)
            else:
                assert cell == value, (table.id, column.key, cell, value)
    if table.total is None:
        assert body["total"] is None


@pytest.fixture
def org_ids(app):
    """The generated contracts, committed; the ids of the three platform organisations among their parties."""
    with database(app):
        return {name: org.id for name, org in generate().orgs.items()}


def test_every_table_in_the_api_is_the_table_built(app, world, org_ids):  # noqa: F811
    spec = world.anon.get("/openapi.json").get_json()
    for query in FILTERS:
        for table_id in BUILDERS:
            response = world.broker.get(f"/statistics/tables/{table_id}?{query}")
            assert response.status_code == 200, (table_id, query, response.get_json())
            body = response.get_json()
            with app.test_request_context():
                stats = parse(dict(pair.split("=") for pair in query.split("&")))
                assert_same(body, build(table_id, stats))
            assert body["filters"]["year_from"] == stats.year_from and body["filters"]["region"] == stats.region
            assert datetime.fromisoformat(body["data_as_of"]).utcoffset() is not None
        check_response(spec, "GET", f"/api/v1/statistics/tables/{table_id}", response)
    contracts_json = world.admin.get("/statistics/tables/contracts_by_year?year_from=2023&year_to=2026").get_json()
    assert [row["key"] for row in contracts_json["rows"]] == [2023, 2024, 2025, 2026]
    assert {c["kind"] for c in contracts_json["columns"]} == {"text", "count", "amount"}


def test_the_catalogue_lists_every_table_for_anyone(world):  # noqa: F811
    response = world.anon.get("/statistics/tables")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["id"] for item in items] == list(BUILDERS)
    by_id = {item["id"]: item for item in items}
    assert by_id["contracts_by_technical_field"]["title"] == "按技术领域"
    assert "卖方" in by_id["contracts_by_outflow_region"]["definition"]
    assert {item["id"] for item in items if item["public"]} == set(PUBLIC_TABLES)
    english = world.anon.get("/statistics/tables?lang=en").get_json()["items"]
    assert len(english) == len(items)


def test_who_may_see_what(app, world):  # noqa: F811
    url = "/statistics/tables/contracts_by_contract_type?year=2025"
    assert_problem(world.anon.get(url), 401)
    assert_problem(world.member.get(url), 403)
    assert_problem(world.owner.get(url), 403)
    assert world.broker.get(url).status_code == 200 and world.admin.get(url).status_code == 200
    assert world.reader.get(url).status_code == 403  # a member's read token: still a member
    assert_problem(world.broker.get("/statistics/tables/no_such_table"), 404)
    assert_problem(world.anon.get("/statistics/public/tables/brokers"), 404)  # not public
    assert_problem(world.anon.get("/statistics/public/tables/annual_report_ranking"), 404)
    assert_problem(world.anon.get("/statistics/institution/tables/contracts_by_year"), 401)
    assert_problem(world.member.get("/statistics/institution/tables/brokers"), 404)  # not an institution's figure
    with database(app):
        loner = ApiClient(world.anon.client, make_token(f.user(None)))
    assert_problem(loner.get("/statistics/institution/tables/contracts_by_year"), 403)  # no organisation


@pytest.mark.parametrize("query, name", [
    ("year=19", "year"), ("year=abc", "year"), ("year_from=2026&year_to=2020", "year_to"),
    ("year_from=1990&year_to=2100", "year_to"), ("region=999999", "region"), ("region=220000&side=left", "side"),
    ("field=astrology", "field"), ("institution_id=-3", "institution_id"), ("institution_type=club", "institution_type"),
])
def test_bad_filters_are_422_naming_the_parameter(world, query, name):  # noqa: F811
    assert_problem(world.broker.get(f"/statistics/tables/contracts_by_year?{query}"), 422, name)
    assert_problem(world.anon.get(f"/statistics/public/tables/contracts_by_year?{query}"), 422, name)
    assert_problem(world.member.get(f"/statistics/institution/tables/contracts_by_year?{query}"), 422, name)


def test_public_tables_withhold_small_groups(app, world):  # noqa: F811
    with database(app):
        fixture.load()
    body = world.anon.get("/statistics/public/tables/contracts_by_contract_type?year_from=2025&year_to=2026")
    assert body.status_code == 200
    rows = {row["key"]: row for row in body.get_json()["rows"]}
    assert rows["transfer"]["contracts"] is None and rows["transfer"]["total_amount"] is None  # 2 contracts
    assert rows["transfer"]["label"] == "技术转让"
    assert body.get_json()["total"]["contracts"] == 6
    full = world.broker.get("/statistics/tables/contracts_by_contract_type?year_from=2025&year_to=2026").get_json()
    assert {row["key"]: row for row in full["rows"]}["transfer"]["total_amount"] == "12200.0000"
    assert_problem(world.anon.get(f"/statistics/public/tables/contracts_by_year?institution_id={world.ids['org_a']}"),
                   422, "institution_id")
    programmes = world.anon.get("/statistics/public/tables/programmes?year=2026")
    assert programmes.status_code == 200 and programmes.get_json()["total"] is None


def test_an_institution_sees_its_own_figures_only(app, world, org_ids):  # noqa: F811
    university = org_ids["university"]
    with database(app):
        member = ApiClient(world.anon.client, make_token(f.user(db.session.get(Organization, university))))
    query = "year_from=2023&year_to=2026"
    own = member.get(f"/statistics/institution/tables/contracts_by_contract_type?{query}"
                     f"&institution_id={org_ids['enterprise']}")  # asking for another: still its own
    assert own.status_code == 200, own.get_json()
    body = own.get_json()
    assert body["filters"]["institution_id"] == university
    with app.test_request_context():
        stats = StatsFilter(2023, 2026, institution_id=university)
        assert_same(body, build("contracts_by_contract_type", stats))
        sold = [deal for deal in db.session.execute(db.select(Deal)).scalars() if selected(deal, stats)]
    assert body["total"]["contracts"] == len(sold) > 0
    # staff name the institution, and must
    staff = world.broker.get(f"/statistics/institution/tables/contracts_by_contract_type?{query}"
                             f"&institution_id={university}")
    assert staff.get_json()["rows"] == body["rows"]
    assert_problem(world.broker.get(f"/statistics/institution/tables/contracts_by_year?{query}"), 422,
                   "institution_id")
    assert_problem(world.broker.get("/statistics/institution/tables/contracts_by_year?institution_id=999999"), 404)
    report = member.get(f"/statistics/institution/tables/annual_report_university?{query}")
    assert report.status_code == 200 and report.get_json()["total"]["contracts"] == len(sold)
