"""Matching through the real engine: ranking, visibility, explanations, similar achievements."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from marketplace.achievements.models import Achievement
from marketplace.demands.models import Demand
from marketplace.extensions import db
from marketplace.matching import services
from tests import factories as f
from tests.matching.conftest import index_all

DEMAND_TEXT = ("我公司主营动力电池负极材料，正在开发硅碳负极，首次充放电效率偏低、循环中体积膨胀导致极片粉化，"
               "希望与掌握硅基材料碳包覆改性技术的团队合作开发量产工艺。")


def test_free_text_ranks_the_relevant_achievement_first(app, market):
    with app.test_request_context():
        results = services.match_text(DEMAND_TEXT, size=10)
    assert results and results[0].record.id == market.ids["anode"]
    assert "硅碳负极" in results[0].explanation["matched_terms"]
    assert results[0].explanation["reasons"][0].startswith("共同关键词：")


def test_never_returns_drafts_or_unpublished_records(app, market):
    with app.test_request_context():
        ids = {c.record.id for c in services.match_text(DEMAND_TEXT, size=50)}
        ids |= {c.record.id for c in services.match_text("硅碳负极 未发布 草稿 预锂化 多孔", size=50)}
    assert market.ids["draft"] not in ids and market.ids["unpublished"] not in ids
    assert all(db_status == "published" for db_status in _statuses(app, ids))


def _statuses(app, ids):
    with app.app_context():
        return [db.session.get(Achievement, i).status for i in ids]


def test_demand_matches_explain_trl_budget_field_and_region(app, market):
    with app.test_request_context():
        demand = db.session.get(Demand, market.ids["demand"])
        results = services.matches_for_demand(demand, size=10)
        top = results[0]
        assert top.record.id == market.ids["anode"]
        e = top.explanation
        assert e["trl"] == {"value": 6, "required_min": 5, "fit": True}
        assert e["price"]["within_budget"] is True and e["price"]["amount"] == 150.0
        assert e["technical_field"]["agrees"] is True
        assert e["industry"]["common"] == ["energy"]
        assert e["region"]["same"] is True
        reasons = "\n".join(e["reasons"])
        assert "TRL 6，满足需求要求的 TRL ≥ 5" in reasons
        assert "报价 150 万元，在预算 50–200 万元 范围内" in reasons
        assert "技术领域一致：新材料" in reasons and "同在吉林省" in reasons


def test_misfits_are_explained_and_sink(app, market):
    with app.test_request_context():
        demand = db.session.get(Demand, market.ids["demand"])
        anode = db.session.get(Achievement, market.ids["anode"])
        anode.trl, anode.price_amount = 3, 500
        db.session.flush()
        e = services.matches_for_demand(demand, size=10)[0].explanation
        db.session.rollback()
    assert e["trl"]["fit"] is False and e["price"]["within_budget"] is False
    assert any("低于需求要求的 TRL 5" in r for r in e["reasons"])
    assert any("超出预算" in r for r in e["reasons"])


def test_open_licence_patents_match_a_demand(app, market):
    with app.test_request_context():
        demand = db.session.get(Demand, market.ids["demand"])
        results = services.matches_for_demand(demand, kind="patent", size=5)
    assert [c.record.id for c in results] == [market.ids["patent"]]
    assert results[0].explanation["price"]["amount"] == 5.0


def test_achievement_finds_matching_demands(app, market):
    with app.test_request_context():
        anode = db.session.get(Achievement, market.ids["anode"])
        results = services.demands_for_achievement(anode, size=5)
    assert results[0].record.id == market.ids["demand"]
    assert results[0].explanation["trl"]["fit"] is True


def test_similar_achievements_exclude_the_record_itself(app, market):
    with app.test_request_context():
        other = db.session.get(Achievement, market.ids["other2"])  # 印染废水
        similar = services.similar_achievements(db.session.get(Achievement, market.ids["anode"]), 5)
        assert market.ids["anode"] not in [a.id for a in similar]
        assert all(a.status == "published" for a in similar)
        assert other.id not in [a.id for a in services.similar_achievements(other, 5)]


def _close_to_anode(world):
    owner, broker = (db.session.get(User, world.ids[n]) for n in ("owner", "broker"))
    close = f.achievement(owner, publish_by=broker, title="硅碳负极材料的预锂化与碳包覆技术",
                          summary="针对硅碳负极首次库伦效率低、循环膨胀的问题，采用碳包覆与预锂化提高首效和循环寿命。")
    db.session.commit()
    index_all()
    return close


def test_similar_achievements_leave_out_weak_likenesses(app, market, world):
    """Only records at least moderately like this one (calibrated score banded 中 or 高) are offered as similar: the
    market's unrelated records (straw biochar, traffic signals, dye wastewater) are not, a close one is."""
    with app.test_request_context():
        close = _close_to_anode(world)
        anode = db.session.get(Achievement, market.ids["anode"])
        similar = [a.id for a in services.similar_achievements(anode, 5)]
    assert similar == [close.id]


def test_similar_include_renders(app, market, world):
    from flask import render_template_string

    with app.test_request_context():
        record = db.session.get(Achievement, market.ids["anode"])
        include = '{% include "matching/_similar.html" %}'
        assert render_template_string(include, record=record).strip() == ""  # nothing similar: no section
        close = _close_to_anode(world)
        html = render_template_string(include, record=record)
    assert "相似成果" in html and f"/achievements/{close.id}" in html and close.title in html


def test_bigram_rerank_scores_and_fusion():
    from marketplace.matching import query as q

    texts = ["高镍正极材料的包覆改性", "水产养殖水质调控", "正极包覆"]
    scores = q.bigram_scores("我公司希望合作开发正极材料包覆技术", texts)
    assert scores[1] == 0 and scores[0] > 0 and scores[2] > 0
    assert "希望" not in q.focus_text("我公司希望合作开发正极材料") and "正极材料" in q.focus_text("希望开发正极材料")
    fused = q.fuse([10.0, 5.0, 0.0], [0.0, 1.0, 0.5], 0.5)  # ranks (1, 3), (2, 1), (3, 2)
    assert fused == pytest.approx([61 * (0.5 / 61 + 0.5 / 63), 61 * (0.5 / 62 + 0.5 / 61), 61 * (0.5 / 63 + 0.5 / 62)])
    assert fused[1] > fused[0] > fused[2]
    assert q.fuse([2.0, 1.0], [5.0, 0.0], 0.5)[0] == pytest.approx(1.0)  # first in both
    assert q.fuse([3.0, 1.0], [0.0, 1.0], 0.0) == [3.0, 1.0]


def _naive_bigram_scores(query_text: str, docs: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """The rerank's definition, counted the slow and obvious way (every occurrence, overlapping)."""
    import math
    import re
    from collections import Counter

    from marketplace.matching import query as q
    from search import analysis

    query = Counter(analysis.char_bigrams(q.focus_text(query_text)))
    docs = [analysis.ascii_lower(d) for d in docs]

    def count(term: str, doc: str) -> int:
        if term.isascii():
            return re.findall(r"[0-9a-z]+", doc).count(term)
        return sum(1 for i in range(len(doc) - len(term) + 1) if doc[i:i + len(term)] == term)

    tf = [{t: count(t, d) for t in query} for d in docs]
    df = {t: sum(1 for row in tf if row[t]) for t in query}
    avg = sum(map(len, docs)) / len(docs) or 1.0
    return [sum(query[t] * math.log(1 + (len(docs) - df[t] + 0.5) / (df[t] + 0.5)) * row[t] * (k1 + 1)
                / (row[t] + k1 * (1 - b + b * len(d) / avg)) for t in query) for row, d in zip(tf, docs)]


def test_bigram_rerank_counts_like_its_definition():
    """Overlapping and repeated pairs, a lone character, characters outside the Basic Multilingual Plane, ASCII
    words, a NUL and an empty text: the vectorised counting gives the definition's scores."""
    from marketplace.matching import query as q

    need = "需要正极正极材料、𠀀𠀁稀有字、5G基站和 15% 提升，哈哈哈测试，铁"
    docs = ["正极正极正极材料", "哈哈哈哈的测试", "𠀀𠀁与𠀀", "5G 基站 5g 15", "", "含\0空字符的正极", "铁铁 铁", "无关内容"]
    expected = _naive_bigram_scores(need, docs)
    assert q.bigram_scores(need, docs) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert [s > 0 for s in expected] == [True, True, False, True, False, True, True, False]


def test_demand_terms_drop_function_characters_but_keep_elements():
    from marketplace.matching import query as q

    terms = q.weighted_terms("在不明显增加成本的前提下使铁和硅的含量自动提高")
    assert {"铁", "硅", "含量"} <= set(terms)
    assert not {"不", "下", "使", "在", "的"} & set(terms)
