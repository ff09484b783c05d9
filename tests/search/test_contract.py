"""The engine contract: every test runs against the embedded engine and a real OpenSearch node."""
from __future__ import annotations

import threading
import time

import pytest

from search import Deletion, Document, SavedQuery, SearchQuery, WeightedTerm

from .conftest import achievement, csl_achievement


def ids(result):
    return [h.id for h in result.hits]


def test_index_search_and_field_boosts(engine):
    engine.bulk([
        achievement(1, title="石墨烯导热膜的制备", summary="一种导热材料"),
        achievement(2, title="导热硅脂配方", summary="本成果涉及石墨烯改性的导热硅脂"),
        achievement(3, title="水稻育种方法", summary="杂交水稻"),
    ])
    result = engine.search(SearchQuery("achievement", text="石墨烯"))
    assert result.total == 2
    assert ids(result) == [1, 2]  # title (boost 3) outranks summary (boost 1)
    assert result.hits[0].score > result.hits[1].score > 0
    assert result.hits[0].matched_terms == ["石墨烯"]
    # field_boosts override the schema: with the title ignored only the summary match counts
    only_summary = engine.search(SearchQuery("achievement", text="石墨烯", field_boosts={"title": 0}))
    assert ids(only_summary) == [2]


def test_text_needs_most_query_words(engine):
    engine.bulk([
        achievement(1, title="碳纤维 复合材料 叶片"),
        achievement(2, title="碳纤维 自行车"),
        achievement(3, title="复合材料 管道"),
    ])
    assert ids(engine.search(SearchQuery("achievement", text="碳纤维 复合材料"))) == [1]
    assert set(ids(engine.search(SearchQuery("achievement", text="碳纤维")))) == {1, 2}


def test_weighted_terms_are_ored_and_weighted(engine):
    engine.bulk([
        achievement(1, title="氢能 储运"),
        achievement(2, title="风电 叶片"),
        achievement(3, title="水稻 育种"),
    ])
    terms = [WeightedTerm("风电", 1.0), WeightedTerm("氢能", 5.0), WeightedTerm("不存在的词", 9.0)]
    result = engine.search(SearchQuery("achievement", terms=terms))
    assert ids(result) == [1, 2]
    assert result.hits[0].matched_terms == ["氢能"]
    # synonyms are applied to terms too: 风力发电 is canonicalised to 风电
    assert ids(engine.search(SearchQuery("achievement", terms=[WeightedTerm("风力发电")]))) == [2]


def test_matched_weighted_terms_in_any_field(engine):
    """A hit's matched terms are the weighted terms it contains in any text field (the cluster engines read them
    from named clauses, one per term and field, not from the document's tokens)."""
    engine.bulk([
        achievement(1, title="氢能储运", summary="高压储氢瓶", keywords=["碳纤维"]),
        achievement(2, title="风电叶片", summary="叶片检测"),
    ])
    terms = [WeightedTerm("储氢", 3.0), WeightedTerm("碳纤维", 2.0), WeightedTerm("氢能", 1.5), WeightedTerm("叶片", 1.0),
             WeightedTerm("光伏", 4.0)]
    result = engine.search(SearchQuery("achievement", terms=terms, size=5))
    assert [(h.id, h.matched_terms) for h in result.hits] == [(1, ["储氢", "碳纤维", "氢能"]), (2, ["叶片"])]
    # asked not to tell them (matching reads them from the records it shows): the same hits, in the same order
    quiet = engine.search(SearchQuery("achievement", terms=terms, size=5, matched_terms=False))
    assert [(h.id, h.score, h.matched_terms) for h in quiet.hits] == [(h.id, h.score, []) for h in result.hits]


@pytest.mark.parametrize("query,doc_text", [
    ("锂电池", "一种锂离子电池正极材料"),
    ("UAV", "植保无人机喷洒系统"),
    ("第五代移动通信", "5G基站天线"),
    ("太阳能电池", "高效光伏组件"),
])
def test_synonyms(engine, query, doc_text):
    engine.bulk([achievement(1, title=doc_text), achievement(2, title="无关的成果 水稻")])
    result = engine.search(SearchQuery("achievement", text=query, highlight=True))
    assert ids(result) == [1]
    assert "<mark>" in result.hits[0].highlights["title"]


def test_filters_ranges_and_exclusions(engine):
    engine.bulk([
        achievement(1, region="220000", technical_field="新能源", trl=3, price=10.0, industries=["汽车", "储能"]),
        achievement(2, region="110000", technical_field="新能源", trl=7, price=500.0, industries=["储能"]),
        achievement(3, region="220000", technical_field="生物医药", trl=8, industries=["医药"]),
        achievement(4, region="310000", technical_field="新能源", trl=9, price=80.5, open_licence=True),
    ])

    def search(**kw):
        return set(ids(engine.search(SearchQuery("achievement", size=50, **kw))))

    assert search(filters={"region": ["220000", "110000"]}) == {1, 2, 3}  # OR within a field
    assert search(filters={"region": ["220000", "110000"], "technical_field": ["新能源"]}) == {1, 2}  # AND across
    assert search(filters={"industries": ["储能"]}) == {1, 2}  # multi-valued keyword
    assert search(filters={"open_licence": [True]}) == {4}
    assert search(filters={"trl": [7, 8]}) == {2, 3}
    assert search(filters={"region": []}) == set()
    assert search(ranges={"trl": (7, None)}) == {2, 3, 4}
    assert search(ranges={"trl": (4, 8)}) == {2, 3}
    assert search(ranges={"price": (None, 100)}) == {1, 4}
    assert search(ranges={"price": (80.5, 80.5)}) == {4}
    assert search(filters={"technical_field": ["新能源"]}, exclude_ids=[2, 4]) == {1}


def test_date_range_and_sort(engine):
    engine.bulk([
        achievement(1, published_at="2023-05-01", year=2023),
        achievement(2, published_at="2024-01-15T08:30:00", year=2024),
        achievement(3, published_at="2022-12-31", year=2022),
        achievement(4, year=2021),  # no published_at: sorted last either way
    ])
    assert ids(engine.search(SearchQuery("achievement", sort="-published_at"))) == [2, 1, 3, 4]
    assert ids(engine.search(SearchQuery("achievement", sort="published_at"))) == [3, 1, 2, 4]
    assert ids(engine.search(SearchQuery("achievement", sort="year"))) == [4, 3, 1, 2]
    in_2023 = engine.search(SearchQuery("achievement", ranges={"published_at": ("2023-01-01", "2023-12-31")}))
    assert ids(in_2023) == [1]


def test_facets_count_the_filtered_set(engine):
    engine.bulk([
        achievement(1, region="220000", technical_field="新能源", year=2023, open_licence=True,
                    transfer_modes=["转让", "许可"]),
        achievement(2, region="220000", technical_field="新材料", year=2024, transfer_modes=["许可"]),
        achievement(3, region="110000", technical_field="新能源", year=2024),
    ])
    facets = ["region", "technical_field", "year", "open_licence", "transfer_modes"]
    everything = engine.search(SearchQuery("achievement", facets=facets))
    assert everything.facets["region"] == {"220000": 2, "110000": 1}
    assert everything.facets["year"] == {"2023": 1, "2024": 2}
    assert everything.facets["open_licence"] == {"true": 1, "false": 2}
    assert everything.facets["transfer_modes"] == {"许可": 2, "转让": 1}
    filtered = engine.search(SearchQuery("achievement", facets=facets, filters={"region": ["220000"]}))
    assert filtered.total == 2
    assert filtered.facets["technical_field"] == {"新能源": 1, "新材料": 1}
    with pytest.raises(ValueError):
        engine.search(SearchQuery("achievement", facets=["title"]))


def test_pagination_is_stable_and_complete(engine):
    engine.bulk([achievement(i, title=f"传感器 第{i}号", trl=i % 9 + 1, year=2000 + i) for i in range(1, 26)])
    pages = [ids(engine.search(SearchQuery("achievement", text="传感器", sort="-year", offset=o, size=10)))
             for o in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert sum(pages, []) == list(range(25, 0, -1))
    result = engine.search(SearchQuery("achievement", text="传感器", offset=20, size=10))
    assert result.total == 25 and len(result.hits) == 5
    assert engine.search(SearchQuery("achievement", size=0)).total == 25


def test_highlights_are_escaped(engine):
    engine.bulk([achievement(1, title="<b>石墨烯</b> & 导热", summary="首先" + "很长的说明" * 80 + "石墨烯在最后")])
    hit = engine.search(SearchQuery("achievement", text="石墨烯", highlight=True)).hits[0]
    assert hit.highlights["title"] == "&lt;b&gt;<mark>石墨烯</mark>&lt;/b&gt; &amp; 导热"
    summary = hit.highlights["summary"]
    assert summary.startswith("…") and "<mark>石墨烯</mark>" in summary and len(summary) < 250
    assert engine.search(SearchQuery("achievement", text="石墨烯")).hits[0].highlights == {}


def test_keyword_boosts_reorder(engine):
    engine.bulk([achievement(1, title="智能 传感器", technical_field="新材料"),
                 achievement(2, title="智能 传感器", technical_field="人工智能")])
    boosted = engine.search(SearchQuery("achievement", text="传感器", boosts={"technical_field": {"人工智能": 5.0}}))
    assert ids(boosted) == [2, 1]
    boosted = engine.search(SearchQuery("achievement", text="传感器", boosts={"technical_field": {"新材料": 5.0}}))
    assert ids(boosted) == [1, 2]


def test_versions_stale_replay_never_overwrites(engine):
    """RELIABILITY #3."""
    engine.bulk([achievement(1, version=5, title="新版本 标题")])
    result = engine.bulk([achievement(1, version=3, title="旧版本 标题"), achievement(1, version=5, title="同版本")])
    assert all(item.ok for item in result.items)  # stale is not a failure
    assert ids(engine.search(SearchQuery("achievement", text="新版本"))) == [1]
    assert engine.search(SearchQuery("achievement", text="旧版本")).total == 0
    assert engine.versions("achievement") == {1: 5}
    # in one batch the highest version wins whatever the order
    engine.bulk([achievement(2, version=9, title="第九版"), achievement(2, version=7, title="第七版")])
    assert engine.versions("achievement")[2] == 9
    # deletions are versioned too, and a stale document after a deletion stays deleted
    engine.bulk(deletions=[Deletion("achievement", 1, 4)])
    assert engine.count("achievement") == 2  # version 4 < 5: ignored
    engine.bulk(deletions=[Deletion("achievement", 1, 6)])
    engine.bulk([achievement(1, version=5, title="新版本 重放")])
    assert engine.versions("achievement") == {2: 9}
    engine.bulk([achievement(1, version=7, title="重新发布")])
    assert engine.versions("achievement") == {1: 7, 2: 9}


def test_bulk_partial_failure(engine):
    """RELIABILITY #4: 1,000 documents, 2 malformed → 998 indexed, 2 failures with reasons."""
    docs = [achievement(i, title=f"批量 成果 {i}", trl=i % 9 + 1) for i in range(1, 1001)]
    docs[99] = achievement(100, trl="九级")  # not a number
    docs[799] = achievement(800, published_at="去年")  # not a date
    result = engine.bulk(docs, [Deletion("achievement", 5000, 1)])
    assert len(result.items) == 1001
    failed = {item.id: item.error for item in result.failed}
    assert set(failed) == {100, 800}
    assert "trl" in failed[100] and "published_at" in failed[800]
    assert engine.count("achievement") == 998
    assert 100 not in engine.versions("achievement")
    assert engine.search(SearchQuery("achievement", text="批量")).total == 998


def test_versions_and_count(engine):
    engine.bulk([achievement(i, version=i * 10) for i in range(1, 8)])
    engine.bulk([Document("patent", 1, 3, {"title": "专利", "ipc": "H01M"})])
    assert engine.count("achievement") == 7 and engine.count("patent") == 1 and engine.count("demand") == 0
    assert engine.versions("achievement") == {i: i * 10 for i in range(1, 8)}
    assert engine.versions("patent") == {1: 3}
    assert engine.health()["ok"] is True


@pytest.mark.parametrize("text", [
    "status:draft", "(", ")", "*a*b*", "title:(x OR y) AND NOT z", "[1 TO 5]", "~~~", '"unbalanced', "a\\", "/.*/",
    "^(a+)+$", "x" * 10_000, "锂" * 10_000, "测试 " * 3000, "<script>alert(1)</script>", "\x00\x01", "'; DROP TABLE",
    "", "   ",
])
def test_hostile_input_returns_normally(engine, text):
    """RELIABILITY #15: user text never reaches a query parser; bounded time."""
    engine.bulk([achievement(1, title="status draft 草稿"), achievement(2, title="正常 成果")])
    started = time.monotonic()
    result = engine.search(SearchQuery("achievement", text=text, highlight=True, facets=["region"]))
    engine.suggest("achievement", text)
    assert time.monotonic() - started < 3
    if text == "status:draft":
        assert ids(result) == [1]  # plain words, not a field query
    for hit in result.hits:
        assert all("<script>" not in snippet for snippet in hit.highlights.values())


def test_suggest(engine):
    engine.bulk([
        achievement(1, title="锂离子电池回收工艺", suggest=["锂离子电池回收工艺", "电池回收"]),
        achievement(2, title="锂离子电池隔膜", suggest=["锂离子电池隔膜"]),
        achievement(3, title="UAV 巡检平台", suggest=["UAV 巡检平台"]),
        achievement(4, title="高效电池回收", suggest=["高效电池回收", "电池回收"]),
    ])
    assert engine.suggest("achievement", "锂离子") == ["锂离子电池回收工艺", "锂离子电池隔膜"]
    assert engine.suggest("achievement", "电池回")[0] == "电池回收"  # the most frequent first
    assert engine.suggest("achievement", "uav") == ["UAV 巡检平台"]  # case-insensitive, original spelling
    assert engine.suggest("achievement", "锂离子", size=1) == ["锂离子电池回收工艺"]
    assert "高效电池回收" in engine.suggest("achievement", "电池回收")
    assert engine.suggest("achievement", "") == []
    engine.bulk(deletions=[Deletion("achievement", 2, 2)])
    assert engine.suggest("achievement", "锂离子") == ["锂离子电池回收工艺"]


def test_percolate(engine):
    engine.save_query(SavedQuery(1, "achievement", text="石墨烯"))
    engine.save_query(SavedQuery(2, "achievement", text="石墨烯", filters={"region": ["110000"]}))
    engine.save_query(SavedQuery(3, "achievement", filters={"technical_field": ["新能源"]}))
    engine.save_query(SavedQuery(4, "demand", text="石墨烯"))
    engine.save_query(SavedQuery(5, "achievement", text="锂电池"))
    doc = achievement(10, title="石墨烯散热膜", summary="用于锂离子电池", region="220000", technical_field="新能源")
    assert engine.percolate(doc) == [1, 3, 5]
    engine.delete_query(5)
    assert engine.percolate(doc) == [1, 3]
    assert engine.percolate(achievement(11, title="水稻", region="110000")) == []
    assert engine.percolate(achievement(12, title="石墨烯", region="110000")) == [1, 2]
    assert engine.count("achievement") == 0  # percolation indexes nothing


def test_rebuild_under_concurrent_searches(engine):
    """RELIABILITY #6 (engine side): no failed search during the swap; writes made meanwhile survive."""
    engine.bulk([achievement(i, title=f"旧索引 成果 {i}") for i in range(1, 301)])
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def searching():
        while not stop.is_set():
            try:
                totals.append(engine.search(SearchQuery("achievement", text="成果", facets=["region"])).total)
            except BaseException as exc:  # noqa: BLE001 - the test reports every failure
                errors.append(exc)

    def documents():
        for i in range(1, 401):
            if i == 200:  # writes arriving while the new index is being built
                engine.bulk([achievement(150, version=2, title="改写 成果 150"), achievement(9000, title="新增 成果")],
                            [Deletion("achievement", 7, 2)])
            yield achievement(i, title=f"新索引 成果 {i}")

    threads = [threading.Thread(target=searching) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        count = engine.rebuild("achievement", documents())
    finally:
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert len(totals) > 5 and min(totals) >= 300
    assert count == 400
    versions = engine.versions("achievement")
    assert versions[150] == 2 and versions[9000] == 1 and 7 not in versions
    assert len(versions) == 400
    assert ids(engine.search(SearchQuery("achievement", text="改写"))) == [150]
    assert engine.search(SearchQuery("achievement", text="新索引")).total == 398


def test_real_records_are_found_by_their_keywords(engine, csl_records):
    records = [r for r in csl_records if r["keywords"] and r["abstract"]][:150]
    result = engine.bulk([csl_achievement(i, r) for i, r in enumerate(records, start=1)])
    assert not result.failed
    found = 0
    for i, record in enumerate(records[:40], start=1):
        hits = ids(engine.search(SearchQuery("achievement", text=record["keywords"][0], size=5)))
        found += i in hits
    assert found >= 36  # the record's own first keyword puts it in the top 5 almost always
    first = engine.search(SearchQuery("achievement", text=records[0]["title"], highlight=True))
    assert first.hits[0].id == 1 and "<mark>" in first.hits[0].highlights["title"]


def test_cluster_text_fields_count_every_document(cluster_engine):
    """BM25's N and average length of a text field are taken over every document, as in the embedded engine (Lucene
    takes them over the documents having the field): an empty field is indexed as one mark no query can match."""
    from search import analysis, dsl

    engine = cluster_engine
    engine.bulk([achievement(1, title="锂电池 隔膜", keywords=["锂电池", "隔膜"], summary="涂覆 隔膜"),
                 achievement(2, title="水稻 育种", summary="杂交 水稻"),
                 achievement(3, title="风电 叶片"),  # no summary, no keywords
                 Document("achievement", 4, 1, {"title": "氢能 储运"})])  # fields missing altogether
    _, tv = engine.t.request("GET", f"/{engine.alias('achievement')}/_termvectors/1",
                             params={"fields": "keywords,summary", "field_statistics": "true", "positions": "false",
                                     "offsets": "false"})
    for name in ("keywords", "summary"):
        stats = tv["term_vectors"][name]["field_statistics"]
        assert stats["doc_count"] == 4, name
    # the tokens of document 1 plus one mark for each of the three documents without the field
    tokens = len(analysis.index_tokens("锂电池\n隔膜"))
    assert tv["term_vectors"]["keywords"]["field_statistics"]["sum_ttf"] == tokens + 3
    assert dsl.EMPTY_MARK not in tv["term_vectors"]["keywords"]["terms"]  # document 1 has real keywords
    # the mark is never a query term, and never a matched term
    assert engine.search(SearchQuery("achievement", text=dsl.EMPTY_MARK)).total == 0
    result = engine.search(SearchQuery("achievement", terms=[WeightedTerm(dsl.EMPTY_MARK, 9.0), WeightedTerm("风电")]))
    assert [(h.id, h.matched_terms) for h in result.hits] == [(3, ["风电"])]


def test_cluster_reports_an_index_built_with_older_settings(opensearch_url):
    """An index created before :data:`search.dsl.INDEX_FORMAT` (no ``_meta``) is reported outdated until rebuilt."""
    from search import dsl

    from tests.search_fixtures import create_format_1_index

    from .conftest import _cluster_engine, _drop_cluster_indices

    engine = _cluster_engine(opensearch_url)
    try:
        create_format_1_index(engine, "achievement")
        engine.ensure_indices()
        kinds = engine.health()["kinds"]
        assert kinds["achievement"] == {"index": f"{engine.alias('achievement')}-v1", "format": 1, "outdated": True}
        assert kinds["patent"]["format"] == dsl.INDEX_FORMAT and not kinds["patent"]["outdated"]
        assert engine.rebuild("achievement", iter([achievement(1)])) == 1
        assert engine.health()["kinds"]["achievement"] == {"index": f"{engine.alias('achievement')}-v2",
                                                           "format": dsl.INDEX_FORMAT, "outdated": False}
    finally:
        _drop_cluster_indices(engine)
