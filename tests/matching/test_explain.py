"""Explanations say what is true: budget below / within / above with the amounts, only meaningful shared terms,
and the user's language (record data, such as the shared terms, stays as written)."""
from __future__ import annotations

import re

import pytest

from marketplace.matching import explain

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _price_reason(price, low, high, label="报价") -> str:
    data = explain.facts(explain.Need(budget_min=low, budget_max=high), explain.Offer(price=price), [])
    [reason] = explain.reasons(data, label)
    return reason


@pytest.mark.parametrize("price, fit, words", [
    (70, "below", "报价 70 万元，低于预算 500–1,250 万元"),
    (800, "within", "报价 800 万元，在预算 500–1,250 万元 范围内"),
    (2000, "above", "报价 2,000 万元，超出预算 500–1,250 万元"),
])
def test_budget_fit_is_said_as_it_is(app, price, fit, words):
    with app.test_request_context("/"):
        data = explain.facts(explain.Need(budget_min=500, budget_max=1250), explain.Offer(price=price), [])
        assert data["price"]["budget_fit"] == fit
        assert _price_reason(price, 500, 1250) == words


def test_open_ended_budgets_and_negotiable_prices(app):
    with app.test_request_context("/"):
        assert _price_reason(30, 50, None) == "报价 30 万元，低于预算 50 万元以上"
        assert _price_reason(300, None, 200) == "报价 300 万元，超出预算 200 万元以内"
        assert _price_reason(None, 50, 200) == "价格面议，可按预算 50–200 万元 洽谈"


def test_filler_is_never_listed_as_a_shared_term():
    terms = ["化", "率", "次", "低于", "用户", "开展", "应用", "92%", "20%", "3.5", "轻量", "量化", "轻量化",
             "锂电池", "热管理", "新人", "测试", "我公司", "希望"]
    assert explain.shown_terms(terms) == ["轻量化", "锂电池", "热管理"]
    data = explain.facts(explain.Need(), explain.Offer(), terms)
    assert data["matched_terms"] == ["轻量化", "锂电池", "热管理"]


def test_english_explanations(app):
    data = explain.facts(
        explain.Need(technical_field="new_energy", industries=["energy"], trl_min=5, budget_min=500, budget_max=1250,
                     region="220000"),
        explain.Offer(technical_field="new_energy", industries=["energy"], trl=4, price=70, region="110000"),
        ["锂电池", "热管理"])
    with app.test_request_context("/api/v1/match", headers={"Accept-Language": "en"}):
        reasons = explain.reasons(data)
    assert reasons[0] == "Shared terms: 锂电池, 热管理"  # the terms are the records' own words
    assert "Asking price ¥700k, below the budget ¥5,000k–¥12,500k" in reasons
    assert [r for r in reasons[1:] if CJK.search(r)] == []
    with app.test_request_context("/api/v1/match", headers={"Accept-Language": "zh-CN,zh;q=0.9"}):
        assert explain.reasons(data)[0] == "共同关键词：锂电池、热管理"
