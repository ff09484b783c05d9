"""Free text without a usable word (only punctuation or stopwords) matches nothing; no text browses everything.
Both engines, percolation included."""
from __future__ import annotations

import pytest

from search import SavedQuery, SearchQuery, WeightedTerm

from .conftest import achievement


@pytest.fixture
def two(engine):
    engine.bulk([achievement(1, title="石墨烯 导热膜"), achievement(2, title="水稻 育种", region="110000")])
    return engine


@pytest.mark.parametrize("text", ["(", "的", "的 和 与", "？！。", "( ) [ ]", "the of", "、", "\u3000的\u3000"])
def test_wordless_text_matches_nothing(two, text):
    result = two.search(SearchQuery("achievement", text=text, facets=["region"], highlight=True))
    assert result.hits == [] and result.total == 0
    assert result.facets == {"region": {}}


@pytest.mark.parametrize("text", [None, "", "   ", "\t\n"])
def test_no_text_browses_everything(two, text):
    result = two.search(SearchQuery("achievement", text=text, facets=["region"]))
    assert result.total == 2 and result.facets == {"region": {"220000": 1, "110000": 1}}


def test_stopwords_next_to_words_are_ignored(two):
    assert [h.id for h in two.search(SearchQuery("achievement", text="的 石墨烯 (")).hits] == [1]


def test_wordless_text_leaves_weighted_terms_alone(two):
    result = two.search(SearchQuery("achievement", text="的", terms=[WeightedTerm("水稻")]))
    assert [h.id for h in result.hits] == [2]


def test_saved_query_with_wordless_text_never_fires(engine):
    engine.save_query(SavedQuery(1, "achievement", text="的"))
    engine.save_query(SavedQuery(2, "achievement", text="  ", filters={"region": ["220000"]}))
    assert engine.percolate(achievement(10, title="石墨烯 的 应用")) == [2]
