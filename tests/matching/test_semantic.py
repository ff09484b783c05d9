"""The semantic rerank (MATCH_SEMANTIC): vectors made for public records only, once per text, and again after an
edit of the text; a stored need's matches fuse the encoder's ranking into the pool from stored vectors only, and
free text does so only with MATCH_SEMANTIC_FREE_TEXT."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from marketplace.achievements.models import Achievement
from marketplace.demands.models import Demand
from marketplace.extensions import db
from marketplace.matching import dense, semantic
from marketplace.matching.models import SemanticVector
from tests import factories as f
from tests.matching.conftest import index_all

# Citrus greening (柑橘黄龙病), written 柑桔 by the record that answers it: lexically a heart-attack test kit that
# shares 早期快速诊断 ranks above it; the encoder knows better.
NEED = "柑橘黄龙病的早期快速诊断"
ANSWER = dict(title="柑桔黄龙病病原菌的环介导等温扩增检测",
              summary="建立柑桔黄龙病菌LAMP检测方法，叶片样品一小时内判读，适合果园现场筛查。")
LOOKALIKE = dict(title="早期快速诊断试剂盒在急性心肌梗死中的应用",
                 summary="开发心肌肌钙蛋白早期快速诊断试剂盒，十五分钟出结果，用于胸痛门诊。")
OTHERS = [dict(title="柑橘叶片氮素营养的快速诊断", summary="用便携式叶绿素仪快速诊断柑橘叶片氮素水平，指导果园追肥。"),
          dict(title="航空发动机轴承故障的早期诊断", summary="采集振动信号提取特征，早期诊断发动机轴承剥落故障。"),
          dict(title="变压器绝缘缺陷的快速诊断", summary="基于油中溶解气体分析快速诊断变压器内部绝缘缺陷。")]


@pytest.fixture(autouse=True)
def vectors_read_at_once(monkeypatch):
    """Dense retrieval looks for new vectors at most every few seconds: at every match here."""
    monkeypatch.setattr(dense, "CHECK_EVERY", 0.0)


@pytest.fixture
def switched_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", True)


def _vectors(kind: str) -> dict[int, SemanticVector]:
    return {row.record_id: row for row in db.session.execute(
        db.select(SemanticVector).where(SemanticVector.kind == kind)).scalars()}


def test_refresh_embeds_public_records_once_and_again_after_a_text_edit(app, market, switched_on):
    with app.app_context():
        looked = semantic.refresh(100)
        db.session.commit()
        achievements = _vectors("achievement")
        assert set(achievements) == {market.ids[n] for n in ("anode", "other0", "other1", "other2")}
        assert looked == len(achievements) + 1 + 2  # and the open-licence patent, the two demands
        assert set(_vectors("patent")) == {market.ids["patent"]}
        assert set(_vectors("demand")) == {market.ids["demand"], market.ids["unrelated_demand"]}
        assert semantic.refresh(100) == 0  # nothing stale
        before = achievements[market.ids["anode"]].vector

        anode = db.session.get(Achievement, market.ids["anode"])
        anode.trl = 7  # not part of the text: checked, kept
        db.session.commit()
        assert semantic.refresh(100) == 1
        db.session.commit()
        assert _vectors("achievement")[anode.id].vector == before
        anode.summary = anode.summary + "另可用于钠离子电池硬碳负极。"
        db.session.commit()
        assert semantic.refresh(100) == 1
        db.session.commit()
        assert _vectors("achievement")[anode.id].vector != before
        assert semantic.refresh(100) == 0


def test_switched_off_nothing_is_embedded(app, market):
    with app.app_context():
        assert semantic.refresh(100) == 0
        assert not _vectors("achievement")


@pytest.fixture
def citrus(app, market, world):
    """The need's records, published and indexed, and a published demand stating the need."""
    with app.test_request_context():
        owner, other, broker = (db.session.get(User, world.ids[n]) for n in ("owner", "other", "broker"))
        ids = {name: f.achievement(owner, publish_by=broker, **data).id
               for name, data in (("answer", ANSWER), ("lookalike", LOOKALIKE))}
        for data in OTHERS:
            f.achievement(owner, publish_by=broker, **data)
        ids["demand"] = f.demand(other, publish_by=broker, title=NEED, problem=NEED, indicators="",
                                 technical_field="agriculture", industry="agriculture").id
        db.session.commit()
        index_all()
    return ids


def _order(results: list[dict], ids: dict) -> list[str]:
    names = {ids[name]: name for name in ("answer", "lookalike")}
    return [names[r["id"]] for r in results if r["id"] in names]


def _free_text(world, ids) -> list[str]:
    response = world.anon.post("/match/achievements", json={"text": NEED, "size": 10})
    assert response.status_code == 200, response.get_json()
    return _order(response.get_json()["results"], ids)


def _for_demand(world, ids) -> list[str]:
    response = world.broker.get(f"/demands/{ids['demand']}/matches")
    assert response.status_code == 200, response.get_json()
    return _order(response.get_json()["results"], ids)


def _refresh(app) -> None:
    with app.app_context():
        semantic.refresh(100)
        db.session.commit()


def test_the_encoder_lifts_the_answer_written_differently(app, world, citrus, monkeypatch):
    assert _free_text(world, citrus) == _for_demand(world, citrus) == ["lookalike", "answer"]  # lexical only
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", True)
    assert _for_demand(world, citrus) == ["lookalike", "answer"]  # nothing embedded yet: the lexical order stands
    _refresh(app)
    assert _for_demand(world, citrus) == ["answer", "lookalike"]
    assert _free_text(world, citrus) == ["lookalike", "answer"]  # free text stays lexical by default
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC_FREE_TEXT", True)
    assert _free_text(world, citrus) == ["answer", "lookalike"]  # embedded in the request


def test_a_stored_need_is_never_embedded_in_the_request(app, world, citrus, monkeypatch):
    """An edited demand's old vector no longer describes it, and the request does not embed the new text: it is
    matched lexically until the background refresh has embedded it again."""
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", True)
    _refresh(app)
    assert _for_demand(world, citrus) == ["answer", "lookalike"]
    with app.app_context():
        demand = db.session.get(Demand, citrus["demand"])
        demand.problem = NEED + "，预算面议"
        db.session.commit()
    assert _for_demand(world, citrus) == ["lookalike", "answer"]
    _refresh(app)
    assert _for_demand(world, citrus) == ["answer", "lookalike"]


def test_the_drain_loops_tick_embeds_a_batch(app, market, switched_on, monkeypatch):
    from marketplace.indexing import worker

    monkeypatch.setitem(app.config, "MATCH_SEMANTIC_INTERVAL", 0.001)
    monkeypatch.setattr(semantic, "BATCH", 2)
    worker.drain_pass(app, tick=True)
    with app.app_context():
        assert len(_vectors("demand")) == 2 and not _vectors("achievement")  # the needs first


def test_flask_matching_embed(app, market, monkeypatch):
    runner = app.test_cli_runner()
    off = runner.invoke(args=["matching", "embed"])
    assert off.exit_code == 1 and "MATCH_SEMANTIC is off" in off.output
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", True)
    on = runner.invoke(args=["matching", "embed", "--batch", "3"])
    assert on.exit_code == 0, on.output
    assert "7 records embedded or checked in" in on.output
    with app.app_context():
        assert len(_vectors("achievement")) == 4 and len(_vectors("demand")) == 2


ENGLISH = dict(title="Loop-mediated isothermal amplification assay for Huanglongbing in citrus orchards",
               summary="A field test that detects the greening bacterium in citrus leaves within one hour.",
               technical_field="biomedicine")


def test_records_the_words_miss_join_a_stored_needs_matches(app, world, citrus, monkeypatch):
    """Dense retrieval: an English record shares no word with the Chinese need, so the engine never returns it;
    the encoder's nearest records bring it into the demand's matches. A free-text request with facet filters takes
    no nearest records (the engine applies the filters: the English record is filed under another field), and a
    nominee whose vector is gone drops out."""
    with app.test_request_context():
        owner, broker = (db.session.get(User, world.ids[n]) for n in ("owner", "broker"))
        citrus["english"] = f.achievement(owner, publish_by=broker, **ENGLISH).id
        db.session.commit()
        index_all()

    def found(response) -> bool:
        assert response.status_code == 200, response.get_json()
        return citrus["english"] in [r["id"] for r in response.get_json()["results"]]

    def demand_matches(language: str = "zh-CN"):
        return world.broker.get(f"/demands/{citrus['demand']}/matches?size=50", headers={"Accept-Language": language})

    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", True)
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC_FREE_TEXT", True)
    assert not found(demand_matches())  # nothing embedded: the engine's pool only
    _refresh(app)
    assert found(demand_matches())
    english = next(r for r in demand_matches().get_json()["results"] if r["id"] == citrus["english"])
    assert english["explanation"]["found_by_meaning"] is True
    assert english["explanation"]["reasons"][0] == "语义相近：关键词检索未找到，由语义模型找到"
    english = next(r for r in demand_matches("en").get_json()["results"] if r["id"] == citrus["english"])
    assert english["explanation"]["reasons"][0] == "Close in meaning: keyword search missed it, the language model found it"
    lexical = next(r for r in demand_matches().get_json()["results"] if r["id"] == citrus["answer"])
    assert "found_by_meaning" not in lexical["explanation"]
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC_DENSE", False)
    assert not found(demand_matches())
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC_DENSE", True)
    assert found(world.anon.post("/match/achievements", json={"text": NEED, "size": 50}))
    filtered = {"text": NEED, "size": 50, "filters": {"technical_field": ["new_materials"]}}
    assert not found(world.anon.post("/match/achievements", json=filtered))
    with app.app_context():
        db.session.execute(db.delete(SemanticVector).where(SemanticVector.record_id == citrus["english"],
                                                           SemanticVector.kind == "achievement"))
        db.session.commit()
    assert not found(demand_matches())


def test_preload_reads_every_stored_vector(app, market, switched_on):
    """gunicorn's post_worker_init reads the vectors before a worker takes requests."""
    with app.app_context():
        semantic.refresh(100)
        db.session.commit()
        stored = db.session.scalar(db.select(db.func.count()).select_from(SemanticVector))
        app.extensions.pop(dense.EXTENSION_KEY, None)  # a new process holds none
        assert dense.preload() == stored == 7


def test_a_need_whose_words_find_nothing_still_gets_the_nearest_records(app, world, citrus, monkeypatch):
    """A demand written in English shares no word with the Chinese records: the engine returns nothing, and dense
    retrieval alone finds the citrus-greening record."""
    with app.test_request_context():
        other, broker = (db.session.get(User, world.ids[n]) for n in ("other", "broker"))
        english = f.demand(other, publish_by=broker, title="Early diagnosis of citrus greening disease",
                           problem="We grow oranges and need a quick field test for greening in the leaves.",
                           indicators="").id
        db.session.commit()

    def results():
        response = world.broker.get(f"/demands/{english}/matches")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["results"]

    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", True)
    _refresh(app)
    found = {r["id"]: r for r in results()}
    assert citrus["answer"] in found and found[citrus["answer"]]["explanation"]["found_by_meaning"] is True
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC_DENSE", False)
    assert results() == []


def _scores(response) -> dict[int, float]:
    assert response.status_code == 200, response.get_json()
    return {r["id"]: r["score"] for r in response.get_json()["results"]}


def test_the_score_reads_the_encoder_when_both_vectors_describe_the_current_texts(app, world, citrus, monkeypatch):
    """With a current vector on both sides the calibrated score adds the pair's cosine (scoring.SEMANTIC_COEFFICIENTS):
    the answer written 柑桔 scores higher than its words alone say, the same in both directions and when pinned; a
    record edited since its vector was made is scored from its words until it is embedded again."""
    demand, answer = citrus["demand"], citrus["answer"]
    matches, reverse = f"/demands/{demand}/matches", f"/achievements/{answer}/matching-demands"
    lexical = _scores(world.broker.get(matches))[answer]
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", True)
    assert _scores(world.broker.get(matches))[answer] == lexical  # nothing embedded yet
    _refresh(app)
    semantic_score = _scores(world.broker.get(matches))[answer]
    assert semantic_score > lexical, (semantic_score, lexical)  # 0.72 against 0.20: banded high, not low
    assert _scores(world.broker.get(reverse))[demand] == semantic_score
    assert world.broker.post(f"{matches}/achievement/{answer}/pin").status_code == 200
    pinned = next(r for r in world.broker.get(matches).get_json()["results"] if r["id"] == answer)
    assert pinned["pinned"] is True and pinned["score"] == semantic_score

    with app.app_context():
        record = db.session.get(Achievement, answer)
        record.summary = record.summary + "检测成本每样品不足十元。"
        db.session.commit()
        index_all()
    edited = _scores(world.broker.get(matches))[answer]
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", False)
    assert _scores(world.broker.get(matches))[answer] == edited  # the old vector no longer speaks for it
    monkeypatch.setitem(app.config, "MATCH_SEMANTIC", True)
    _refresh(app)
    assert _scores(world.broker.get(matches))[answer] > edited
