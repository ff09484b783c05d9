"""Multi-select (disjunctive) facets, on the embedded engine and a real OpenSearch node: hits and total honour
every filter; the counts of a facet field ignore that field's own filter, so its other values stay countable."""
from __future__ import annotations

import pytest

from search import SearchQuery

from .conftest import achievement

FACETS = ["technical_field", "region", "year", "transfer_modes", "open_licence"]


@pytest.fixture
def five(engine):
    engine.bulk([
        achievement(1, title="电池 正极", technical_field="新能源", region="220000", year=2023, trl=3,
                    transfer_modes=["转让", "许可"], open_licence=True),
        achievement(2, title="电池 隔膜", technical_field="新材料", region="220000", year=2024, trl=5,
                    transfer_modes=["许可"]),
        achievement(3, title="电池 回收", technical_field="新能源", region="110000", year=2024, trl=7),
        achievement(4, title="疫苗 佐剂", technical_field="生物医药", region="310000", year=2024, trl=8,
                    transfer_modes=["转让"]),
        achievement(5, title="涂层 材料", technical_field="新材料", region="110000", year=2023, trl=9),
    ])
    return engine


def search(engine, **kw):
    return engine.search(SearchQuery("achievement", facets=FACETS, size=50, **kw))


def ids(result):
    return sorted(h.id for h in result.hits)


def test_a_chosen_value_keeps_the_other_values_of_its_field(five):
    result = search(five, filters={"technical_field": ["新能源"]})
    assert ids(result) == [1, 3] and result.total == 2
    assert result.facets["technical_field"] == {"新能源": 2, "新材料": 2, "生物医药": 1}
    # the other fields are counted over the chosen set
    assert result.facets["region"] == {"220000": 1, "110000": 1}
    assert result.facets["year"] == {"2023": 1, "2024": 1}
    assert result.facets["transfer_modes"] == {"转让": 1, "许可": 1}
    assert result.facets["open_licence"] == {"true": 1, "false": 1}


def test_or_within_a_field_and_across_fields(five):
    result = search(five, filters={"technical_field": ["新能源", "新材料"], "region": ["220000"]})
    assert ids(result) == [1, 2] and result.total == 2
    assert result.facets["technical_field"] == {"新能源": 1, "新材料": 1}  # region filter only
    assert result.facets["region"] == {"220000": 2, "110000": 2}  # technical_field filter only
    assert result.facets["year"] == {"2023": 1, "2024": 1}  # every filter
    assert result.facets["transfer_modes"] == {"许可": 2, "转让": 1}


def test_number_and_bool_facets_multi_select(five):
    result = search(five, filters={"year": [2023], "open_licence": ["false"]})
    assert ids(result) == [5]
    assert result.facets["year"] == {"2023": 1, "2024": 3}
    assert result.facets["open_licence"] == {"true": 1, "false": 1}
    both_years = search(five, filters={"year": ["2023", "2024"]})
    assert both_years.total == 5 and both_years.facets["year"] == {"2023": 2, "2024": 3}


def test_text_ranges_exclusions_and_non_facet_filters_restrict_every_count(five):
    result = search(five, text="电池", filters={"technical_field": ["新能源"]}, ranges={"trl": (None, 6)},
                    exclude_ids=[99])
    assert ids(result) == [1]
    assert result.facets["technical_field"] == {"新能源": 1, "新材料": 1}  # 电池 and TRL <= 6: docs 1 and 2
    assert result.facets["region"] == {"220000": 1}
    excluded = search(five, filters={"technical_field": ["新能源"]}, exclude_ids=[3])
    assert ids(excluded) == [1] and excluded.facets["technical_field"] == {"新能源": 1, "新材料": 2, "生物医药": 1}
    # a filter on a field that is not counted restricts the counts of every facet
    other = five.search(SearchQuery("achievement", facets=["technical_field"], filters={"region": ["110000"]}))
    assert other.total == 2 and other.facets == {"technical_field": {"新能源": 1, "新材料": 1}}


def test_a_chosen_value_that_no_longer_matches(five):
    result = search(five, filters={"technical_field": ["生物医药"], "region": ["220000"]})
    assert result.hits == [] and result.total == 0
    assert result.facets["technical_field"] == {"新能源": 1, "新材料": 1}
    assert result.facets["region"] == {"310000": 1}
    assert result.facets["year"] == {}


def test_sorting_and_paging_honour_every_filter(five):
    query = dict(filters={"technical_field": ["新能源", "新材料"], "year": [2024]}, sort="-trl")
    first = five.search(SearchQuery("achievement", facets=FACETS, size=1, **query))
    second = five.search(SearchQuery("achievement", facets=FACETS, size=1, offset=1, **query))
    assert (first.total, second.total) == (2, 2)
    assert [h.id for h in first.hits + second.hits] == [3, 2]
    assert first.facets == second.facets
    assert first.facets["year"] == {"2023": 2, "2024": 2}


def test_without_facets_nothing_changes(five):
    result = five.search(SearchQuery("achievement", filters={"technical_field": ["新能源"]}))
    assert ids(result) == [1, 3] and result.facets == {}
