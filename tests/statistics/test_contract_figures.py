"""Contract figures against values computed by hand from tests/statistics/fixture.py."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from marketplace.deals.models import DealPayment, DealReward
from marketplace.extensions import db
from marketplace.statistics import annual_report, contracts
from marketplace.statistics.filters import StatsFilter, parse
from marketplace.errors import ValidationFailed

from . import fixture

D = Decimal
Y2025 = StatsFilter(2025, 2025)
BOTH = StatsFilter(2025, 2026)


@pytest.fixture
def deals(ctx):
    return fixture.load()


def as_table(rows):
    return {row.key: (row.contracts, row.total_amount, row.technical_amount) for row in rows}


def test_totals_leave_out_refused_contracts(deals):
    assert contracts.total(Y2025) == contracts.Row(None, 4, D("12330.5000"), D("12290.2500"))
    assert contracts.total(BOTH).contracts == 6
    assert contracts.total(BOTH).total_amount == D("12370.5001")


def test_by_type_and_sub_type(deals):
    assert as_table(contracts.breakdown(Y2025, "contract_type")) == {
        "development": (1, D("80.5000"), D("60.2500")), "transfer": (2, D("12200.0000"), D("12180.0000")),
        "licence": (1, D("50.0000"), D("50.0000"))}
    assert list(as_table(contracts.breakdown(Y2025, "contract_type"))) == ["development", "transfer", "licence"]
    assert as_table(contracts.breakdown(BOTH, "contract_kind"))["transfer.know_how"] == (1, D("12000.0000"),
                                                                                           D("12000.0000"))


def test_regions_outflow_inflow_and_flow(deals, app):
    assert as_table(contracts.breakdown(BOTH, "outflow_region")) == {"220000": (6, D("12370.5001"), D("12325.2500"))}
    inflow = as_table(contracts.breakdown(BOTH, "inflow_region"))
    assert inflow == {"220000": (3, D("160.5000"), D("135.2500")), "440000": (3, D("12210.0001"), D("12190.0000"))}
    assert as_table(contracts.breakdown(BOTH, "flow")) == {"within": (3, D("160.5000"), D("135.2500")),
                                                           "outflow": (3, D("12210.0001"), D("12190.0000"))}
    buyers_in_guangdong = StatsFilter(2025, 2026, region="440000", side="buyer")
    assert contracts.total(buyers_in_guangdong).contracts == 3
    assert contracts.total(StatsFilter(2025, 2026, region="440000")).contracts == 0  # no seller there


def test_years_months_fields_and_seller_types(deals):
    assert as_table(contracts.breakdown(BOTH, "year")) == {2025: (4, D("12330.5000"), D("12290.2500")),
                                                           2026: (2, D("40.0001"), D("35.0000"))}
    assert [row.key for row in contracts.breakdown(BOTH, "month")] == [202503, 202506, 202509, 202511, 202602,
                                                                       202604]
    assert as_table(contracts.breakdown(BOTH, "technical_field"))["new_materials"][0] == 2
    assert {row.key: row.contracts for row in contracts.breakdown(BOTH, "seller_type")} == {
        "university": 3, "institute": 2, "enterprise": 1}
    assert contracts.total(StatsFilter(2025, 2026, institution_type="university")).total_amount == D("260.0001")
    assert contracts.total(StatsFilter(2025, 2026, field="agriculture")).contracts == 1


def test_every_breakdown_adds_up_to_the_total(deals):
    total = contracts.total(BOTH)
    for dimension in contracts.DIMENSIONS:
        rows = contracts.breakdown(BOTH, dimension)
        assert sum(row.contracts for row in rows) == total.contracts, dimension
        assert sum(row.total_amount for row in rows) == total.total_amount, dimension
        assert sum(row.technical_amount for row in rows) == total.technical_amount, dimension


def test_annual_report_parts(deals):
    deals["a"].payments.append(DealPayment(received_on=date(2025, 4, 1), amount=D("20")))
    deals["a"].payments.append(DealPayment(received_on=date(2026, 1, 5), amount=D("30")))  # arrives next year
    deals["c"].payments.append(DealPayment(received_on=date(2025, 12, 31), amount=D("1000.1234")))
    deals["d"].payments.append(DealPayment(received_on=date(2025, 12, 1), amount=D("80.5")))  # a company: not counted
    deals["b"].rewards.append(DealReward(form="cash", amount=D("70"), persons=3, awarded_on=date(2025, 8, 1)))
    deals["c"].rewards.append(DealReward(form="equity", amount=D("8400"), persons=5))  # no date: the signing year
    db.session.flush()
    report = annual_report.annual_report(Y2025)
    overall = report["all"]
    categories = {row.key: (row.contracts, row.total_amount) for row in overall.categories}
    assert categories == {"transfer": (1, D("200.0000")), "licence": (1, D("50.0000")),
                          "equity": (1, D("12000.0000")), "development": (0, D("0.0000")),
                          "consulting": (0, D("0.0000")), "service": (0, D("0.0000"))}
    assert overall.total.contracts == 3 and overall.total.average_amount == D("4083.3333")
    assert overall.received == D("1020.1234")
    assert {r.form: (r.amount, r.persons) for r in overall.rewards} == {"cash": (D("70.0000"), 3),
                                                                       "equity": (D("8400.0000"), 5)}
    bands = {band.code: band for band in overall.bands}
    assert (bands["gte_100"].contracts, bands["gte_100"].count_share) == (2, D("66.7"))
    assert (bands["gte_10000"].contracts, bands["gte_10000"].amount, bands["gte_10000"].amount_share) == \
        (1, D("12000.0000"), D("98.0"))
    assert [(r.name, r.contracts, r.total_amount) for r in overall.ranking] == [
        ("某研究所", 1, D("12000.0000")), ("某大学", 2, D("250.0000"))]
    assert report["university"].total.contracts == 2 and report["institute"].total.contracts == 1
    assert report["university"].received == D("20.0000")
    assert annual_report.annual_report(StatsFilter(2026, 2026))["all"].received == D("30.0000")


@pytest.mark.parametrize("args, field", [
    ({"year": "20x5"}, "year"), ({"year_from": "2026", "year_to": "2025"}, "year_to"),
    ({"region": "999999"}, "region"), ({"field": "ai"}, "field"), ({"institution_id": "1e9"}, "institution_id"),
    ({"institution_type": "school"}, "institution_type"), ({"side": "left"}, "side"),
    ({"year": "99999999999999999999"}, "year"),
])
def test_bad_filters_name_the_parameter(args, field):
    with pytest.raises(ValidationFailed) as caught:
        parse(args)
    assert field in caught.value.errors


def test_filters_default_to_this_year_and_read_a_range():
    assert parse({}, today=date(2026, 12, 6)) == StatsFilter(2026, 2026)
    assert parse({"year": "2024"}) == StatsFilter(2024, 2024)
    assert parse({"year_from": "2023", "year_to": "2026", "region": "220000"}).years == [2023, 2024, 2025, 2026]


def test_every_table_builds_and_contract_tables_add_up(deals):
    from marketplace.statistics import tables
    for table_id in tables.BUILDERS:
        table = tables.build(table_id, BOTH)
        assert all(len(row) == len(table.columns) for row in table.rows), table_id
        assert len(table.keys) == len(table.rows), table_id
        if table_id.startswith("contracts_by_"):
            for column in (1, 2, 3):
                assert sum(row[column] for row in table.rows) == table.total[column], (table_id, column)


def test_public_tables_withhold_groups_below_three_contracts(deals):
    from marketplace.statistics.public import PUBLIC_TABLES, public_table
    by_type = public_table("contracts_by_contract_type", BOTH)
    cells = {key: row[1:] for key, row in zip(by_type.keys, by_type.rows)}
    assert cells["transfer"] == [None, None, None, None]  # 2 contracts: withheld
    assert cells["development"] == [None, None, None, None]
    assert by_type.total[1] == 6
    by_year = public_table("contracts_by_year", BOTH)  # 2025: 4 contracts, 2026: 2, total 6
    assert by_year.rows[1][1:] == [None] * 4
    # 2025 shown would give 2026 away (total − 2025): withheld too, the total stays
    assert by_year.rows[0][1:] == [None] * 4 and by_year.total[1:3] == [6, Decimal("12370.5001")]
    assert public_table("contracts_by_year", Y2025).rows[0][1] == 4  # one row: nothing to give away
    assert "brokers" not in PUBLIC_TABLES and "annual_report_ranking" not in PUBLIC_TABLES
    with pytest.raises(KeyError):
        public_table("brokers", BOTH)
