"""Chinese analysis: segmentation, stopwords, synonyms, extra dictionaries, keywords."""
from __future__ import annotations

import pytest

from search import analysis


@pytest.fixture
def restore_analysis():
    yield
    analysis.configure()


def test_tokenize_segments_lowercases_and_drops_noise():
    tokens = analysis.tokenize("我们公司的UAV巡检系统，采用了5G通信！")
    assert "无人机" in tokens and "5g" in tokens and "巡检" in tokens
    assert not {"的", "我们", "公司", "，", "！", "了"} & set(tokens)
    assert analysis.tokenize("") == [] and analysis.tokenize(None) == []
    assert analysis.tokenize("(((( *** ::: ))))") == []


def test_synonym_groups_map_to_their_first_term():
    assert analysis.tokenize("锂离子电池") == analysis.tokenize("锂电池") == ["锂电池"]
    assert analysis.tokenize("太阳能电池") == ["光伏"]
    assert analysis.tokenize("第五代移动通信") == ["5g"]
    assert analysis.canonical("UAV") == "无人机"
    assert analysis.canonical("Li-ion") == "锂电池"


def test_english_words_stay_whole():
    """jieba used to split an English word at a dictionary word inside it: "detect" became "dete" + "ct", and ct is
    the synonym of 计算机断层扫描, so a demand to detect overheating cells matched CT-scan records and its explanation
    listed 计算 and 断层 as shared keywords."""
    assert analysis.tokenize("sensors that detect overheating cells") == ["sensors", "detect", "overheating", "cells"]
    assert analysis.tokenize("CT扫描 and CT") == ["计算机断层扫描", "计算机断层扫描"]  # the word itself still maps
    assert analysis.tokenize("5G基站") == ["5g", "基站"]
    assert analysis.analyzer().segments("We detect it") == [("we", 0, 2), ("detect", 3, 9)]


def test_user_dictionary_keeps_domain_words_whole():
    assert "正极材料" in analysis.tokenize("高镍正极材料")
    assert "磷酸铁锂" in analysis.tokenize("磷酸铁锂电芯")


def test_hostile_text_is_bounded():
    assert analysis.tokenize("a" * 10_000) == []  # one over-long "word" is dropped
    assert len(analysis.tokenize("测试" * 5000)) <= 5000


def test_configure_loads_extra_files(tmp_path, restore_analysis):
    before = analysis.fingerprint()
    users = tmp_path / "user_dict.txt"
    users.write_text("# admin words\n黑土地保护性耕作 100 n\n", encoding="utf-8")
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("玉米秸秆还田, 秸秆粉碎还田\n", encoding="utf-8")
    fingerprint = analysis.configure(user_dict_paths=[users, tmp_path / "missing.txt"], synonym_paths=[synonyms])
    assert fingerprint != before
    assert "黑土地保护性耕作" in analysis.tokenize("推广黑土地保护性耕作")
    assert analysis.tokenize("秸秆粉碎还田") == ["玉米秸秆还田"]
    assert analysis.tokenize("锂离子电池") == ["锂电池"]  # built-in groups stay
    analysis.configure()
    assert analysis.fingerprint() == before
    assert analysis.tokenize("秸秆粉碎还田") != ["玉米秸秆还田"]


def test_segments_give_spans_of_the_original_text():
    text = "基于UAV的锂离子电池检测"
    spans = analysis.segments(text)
    assert ("无人机", 2, 5) in spans
    assert any(tok == "锂电池" and text[s:e] == "锂离子电池" for tok, s, e in spans)


def test_keywords_rank_characteristic_terms():
    text = ("本发明公开了一种锂离子电池正极材料及其制备方法。该正极材料为高镍三元材料，"
            "通过包覆改性提高了锂离子电池的循环稳定性和倍率性能，正极材料成本低。")
    ranked = analysis.keywords(text, 5)
    terms = [t for t, _ in ranked]
    assert terms[0] in ("正极材料", "锂电池")
    assert {"正极材料", "锂电池"} <= set(terms)
    assert ranked[0][1] == 1.0 and all(0 < w <= 1 for _, w in ranked)
    assert analysis.keywords("", 5) == [] and analysis.keywords("的 了", 5) == []


def test_idf_weight_prefers_rare_words():
    assert analysis.idf_weight("石墨烯") > analysis.idf_weight("系统") > 0


def test_dictionaries_have_enough_real_groups():
    lines = [line for line in analysis.BUILTIN_SYNONYMS.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lines) >= 60


def test_index_tokens_add_dictionary_subwords_of_long_words():
    assert analysis.subwords("正极材料") == ["正极", "材料"]
    assert analysis.subwords("电池") == [] and analysis.subwords("lifepo4") == []
    tokens = analysis.index_tokens("高镍正极材料")
    assert tokens[:1] == analysis.tokenize("高镍正极材料")[:1] and {"正极材料", "正极", "材料"} <= set(tokens)
    spans = analysis.search_segments("高镍正极材料")
    assert any(tok == "正极" for tok, _, _ in spans)


def test_char_bigrams_are_segmentation_free():
    assert analysis.char_bigrams("DC-DC芯片，斜坡补偿") == ["dc", "dc", "芯片", "斜坡", "坡补", "补偿"]
    assert analysis.char_bigrams("") == [] and analysis.char_bigrams("虾") == ["虾"]
