"""Saved searches whose keywords have no usable word (only punctuation or stopwords) are refused: the engines
match nothing with such keywords, so the subscription would never fire."""
from __future__ import annotations

import re

import pytest

from marketplace.alerts.models import Subscription
from marketplace.extensions import db
from tests.api.conftest import assert_problem, login_session

NO_WORDS = "检索词中没有可检索的词语，请换用具体的技术词语或选择筛选条件"
NO_WORDS_WITH_FILTERS = "检索词中没有可检索的词语，请换用具体的技术词语，或清空检索词、只按筛选条件订阅"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _saved(app) -> list[tuple[str | None, dict]]:
    with app.app_context():
        return [(s.query_text, s.filters) for s in db.session.execute(db.select(Subscription)).scalars()]


@pytest.mark.parametrize("text", ["(", "的", "的 和", "？！", "the of", "( ) 、"])
def test_api_refuses_keywords_without_a_usable_word(app, world, text):
    body = assert_problem(world.other.post("/subscriptions", json={"query_text": text}), 422, "query_text")
    assert body["errors"]["query_text"] == [NO_WORDS]
    body = assert_problem(world.other.post("/subscriptions", json={"query_text": text,
                                                                    "filters": {"technical_field": "ai"}}),
                          422, "query_text")
    assert body["errors"]["query_text"] == [NO_WORDS_WITH_FILTERS]
    assert _saved(app) == []


def test_api_keeps_words_next_to_stopwords_and_filters_alone(app, world):
    assert world.other.post("/subscriptions", json={"query_text": "的 钙钛矿 ("}).status_code == 201
    assert world.other.post("/subscriptions", json={"filters": {"technical_field": "ai"}}).status_code == 201
    assert sorted(_saved(app), key=str) == sorted([("的 钙钛矿 (", {}), (None, {"technical_field": ["ai"]})], key=str)


def test_subscription_form_shows_the_message_in_the_users_language(app, client, world):
    login_session(app, client, world.ids["other"])
    page = client.get("/subscriptions").get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    response = client.post("/subscriptions", data={"csrf_token": token, "query_text": "的", "email": "1"})
    assert response.status_code == 422 and NO_WORDS in response.get_data(as_text=True)
    response = client.post("/subscriptions?lang=en", data={"csrf_token": token, "query_text": "(",
                                                           "technical_field": "ai"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "contain no searchable word" in html and "subscribe by the filters alone" in html
    assert _saved(app) == []


def test_save_this_search_flashes_the_message(app, client, world):
    login_session(app, client, world.ids["other"])
    token = TOKEN.search(client.get("/subscriptions").get_data(as_text=True)).group(1)
    response = client.post("/subscriptions/from-search", data={"csrf_token": token, "q": "的", "next": "/subscriptions"},
                           follow_redirects=True)
    assert response.status_code == 200 and NO_WORDS in response.get_data(as_text=True)
    assert _saved(app) == []
