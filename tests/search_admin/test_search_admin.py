"""/admin/search and ``flask search synonyms|words``: permissions, CSRF, validation, atomic saving, the effect of a
new synonym on search after a reindex (real embedded engine), other processes picking up changes, engine down."""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.search_admin import dictionaries
from search import analysis
from tests import factories as f
from marketplace.indexing.runtime import reset_engine
from tests.search_fixtures import (cluster_test_engine, create_format_1_index, drop_test_indices, engine_down,
                                    install_engine)
from tests.web.helpers import csrf_from, login, post, text

SALINE = dict(title="盐渍土生态修复改良剂及施用技术", summary="以脱硫石膏与有机质复配的改良剂修复盐渍土，降低土壤pH与含盐量。",
              keywords=["土壤改良", "生态修复"], technical_field="agriculture", industries=["agriculture"], trl=6,
              price_amount="40")


@pytest.fixture
def people(app):
    with app.app_context():
        org = f.organization("university")
        owner = f.user(org, role="org_admin")
        broker = f.broker()
        admin = f.admin()
        db.session.commit()
        return {"owner": owner.email, "broker": broker.email, "admin": admin.email, "owner_id": owner.id,
                "broker_id": broker.id}


def _admin(client, people):
    login(client, people["admin"])
    return client


# -- permissions and CSRF ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [None, "owner", "broker"])
def test_only_platform_admins_see_the_page(app, client, people, search_engine, who):
    if who:
        login(client, people[who])
    assert client.get("/admin/search").status_code == 404
    token = csrf_from(client, "/login") if not who else csrf_from(client, "/")
    for url in ("/admin/search/dictionaries", "/admin/search/reindex"):
        response = client.post(url, data={"csrf_token": token, "synonyms": "盐碱地, 盐渍土", "words": ""})
        assert response.status_code == 404
    assert not dictionaries.synonyms_path(app).exists()


def test_admin_page_shows_status_and_the_editor(app, client, people, search_engine):
    _admin(client, people)
    response = client.get("/admin/search")
    assert response.status_code == 200
    page = text(response)
    assert "搜索管理" in page and "内置搜索引擎" in page and analysis.fingerprint() in page
    assert 'name="synonyms"' in page and 'name="words"' in page
    assert "待索引队列" in page
    assert 'href="/admin/search"' in text(client.get("/"))  # the header links admins to it


def test_saving_needs_the_csrf_token(app, client, people, search_engine):
    _admin(client, people)
    response = client.post("/admin/search/dictionaries", data={"synonyms": "盐碱地, 盐渍土", "words": ""})
    assert response.status_code == 400
    assert client.post("/admin/search/reindex").status_code == 400
    assert not dictionaries.synonyms_path(app).exists()


# -- validation -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("synonyms, words, message", [
    ("盐碱地", "", "至少需要两个不同的词"),
    ("盐碱地, 盐碱地", "", "至少需要两个不同的词"),
    ("盐碱地, 盐渍\x07土", "", "控制字符"),
    ("盐碱地, 盐渍 土", "", "含有空格"),
    ("锂电, 锂电芯", "", "已属于同义词组「锂电池」"),
    ("盐碱地, " + "长" * 41, "", "过长"),
    ("", "钙钛矿叠层 abc", "词频"),
    ("", "钙钛矿叠层 2000 n x", "格式应为"),
    ("a, b\n" * 5001, "", "行数过多"),
])
def test_invalid_dictionaries_are_refused_and_nothing_is_saved(app, client, people, search_engine, synonyms, words,
                                                               message):
    _admin(client, people)
    before = analysis.fingerprint()
    response = post(client, "/admin/search/dictionaries", {"synonyms": synonyms, "words": words})
    assert response.status_code == 422
    assert message in text(response)
    assert "未保存" in text(response)
    assert not dictionaries.synonyms_path(app).exists() and not dictionaries.user_dict_path(app).exists()
    assert analysis.fingerprint() == before


def test_extending_a_builtin_group_with_its_first_term_is_allowed():
    parsed = dictionaries.parse_synonyms("锂电池， 锂电芯\n# a comment\n\n盐碱地、盐渍土")
    assert not parsed.errors
    assert parsed.entries == [["锂电池", "锂电芯"], ["盐碱地", "盐渍土"]]


def test_saving_is_atomic_and_applies_in_this_process(app, client, people, search_engine):
    _admin(client, people)
    before = analysis.fingerprint()
    response = post(client, "/admin/search/dictionaries", {"synonyms": "盐碱地，盐渍土", "words": "钙钛矿叠层 3000 n"})
    assert response.status_code == 302
    assert "重建索引" in text(client.get("/admin/search"))
    assert "盐碱地, 盐渍土" in dictionaries.synonyms_path(app).read_text(encoding="utf-8")
    assert "钙钛矿叠层 3000 n" in dictionaries.user_dict_path(app).read_text(encoding="utf-8")
    assert not [p for p in dictionaries.search_dir(app).iterdir() if p.name.endswith(".tmp")]
    assert analysis.fingerprint() != before
    assert analysis.tokenize("盐渍土") == ["盐碱地"]
    assert analysis.tokenize("钙钛矿叠层组件")[0] == "钙钛矿叠层"
    # the editor shows what was saved, without the file's comment header
    page = text(client.get("/admin/search"))
    assert "盐碱地, 盐渍土</textarea>" in page


# -- effect on search -------------------------------------------------------------------------------------------------

def _publish_saline(app, people):
    from tests.matching.conftest import index_all

    with app.test_request_context():
        owner, broker = db.session.get(User, people["owner_id"]), db.session.get(User, people["broker_id"])
        record = f.achievement(owner, publish_by=broker, **SALINE)
        db.session.commit()
        index_all()
        return f'href="/achievements/{record.id}"'  # the result's link (titles are highlighted)


def test_a_new_synonym_finds_the_other_term_after_a_reindex(app, client, people, search_engine):
    title = _publish_saline(app, people)
    client.get("/search")  # warm-up
    assert title in text(client.get("/search", query_string={"q": "盐渍土"}))
    assert title not in text(client.get("/search", query_string={"q": "盐碱地"}))

    _admin(client, people)
    assert post(client, "/admin/search/dictionaries", {"synonyms": "盐碱地, 盐渍土", "words": ""}).status_code == 302
    page = text(client.get("/admin/search"))
    assert "需重建" in page  # the index was built with the former analysis

    response = post(client, "/admin/search/reindex", follow_redirects=True)
    assert response.status_code == 200
    assert "索引已重建" in text(response) and "秒" in text(response)
    assert "需重建" not in text(response)
    assert title in text(client.get("/search", query_string={"q": "盐碱地"}))
    assert title in text(client.get("/search", query_string={"q": "盐渍土"}))


def test_other_processes_pick_up_changed_files(app, client, search_engine):
    """Another worker wrote the files: this process reloads them before its next request (no restart)."""
    before = analysis.fingerprint()
    folder = dictionaries.search_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    dictionaries.write_atomically(dictionaries.synonyms_path(app), "盐碱地, 盐渍土\n")
    dictionaries._state["checked"] = 0.0  # the once-a-second throttle has passed
    client.get("/search", query_string={"q": "盐碱地"})
    assert analysis.fingerprint() != before
    assert analysis.tokenize("盐渍土") == ["盐碱地"]
    # an unchanged file is not reloaded (cheap stat only), and checks are throttled
    assert dictionaries.refresh_if_changed(app, force=True) is False
    os.utime(dictionaries.synonyms_path(app), ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert dictionaries.refresh_if_changed(app) is False  # checked less than a second ago
    assert dictionaries.refresh_if_changed(app, force=True) is True


# -- engine down ------------------------------------------------------------------------------------------------------

def test_page_renders_when_the_engine_is_down(app, client, people):
    _admin(client, people)
    with engine_down(app):
        response = client.get("/admin/search")
        assert response.status_code == 200
        page = text(response)
        assert "搜索引擎不可用" in page
        assert "未知" in page  # index counts are unknown, database counts still shown
        response = post(client, "/admin/search/reindex", follow_redirects=True)
        assert response.status_code == 200
        assert "搜索服务不可用" in text(response)


def test_an_index_built_with_older_settings_asks_for_a_rebuild(app, client, people, opensearch_url):
    """A cluster index of an older :data:`search.dsl.INDEX_FORMAT` scores differently: the page says to rebuild,
    whatever the dictionaries."""
    _admin(client, people)
    engine = cluster_test_engine("opensearch", opensearch_url, f"t{uuid.uuid4().hex[:10]}")
    try:
        engine.ensure_indices()
        install_engine(app, engine)
        assert "评分与当前版本不同" not in text(client.get("/admin/search"))
        drop_test_indices(engine)
        create_format_1_index(engine, "achievement")
        engine.ensure_indices()
        page = text(client.get("/admin/search"))
        assert "评分与当前版本不同" in page and "需重建" in page
        status = app.test_cli_runner().invoke(args=["search", "status"]).output
        assert f"{engine.alias('achievement')}-v1: built with index format 1" in status
        assert "-v1: built with" not in status.replace(f"{engine.alias('achievement')}-v1: built with", "")
    finally:
        drop_test_indices(engine)
        reset_engine(app)


def test_english_page(app, client, people, search_engine):
    _admin(client, people)
    page = text(client.get("/admin/search?lang=en"))
    assert "Search admin" in page and "Synonym groups" in page


# -- CLI --------------------------------------------------------------------------------------------------------------

def test_cli_synonyms_and_words(app, runner):
    result = runner.invoke(args=["search", "synonyms", "add", "盐碱地,盐渍土"])
    assert result.exit_code == 0, result.output
    assert "reindex" in result.output
    assert analysis.tokenize("盐渍土") == ["盐碱地"]
    result = runner.invoke(args=["search", "synonyms", "list"])
    assert "盐碱地, 盐渍土" in result.output
    result = runner.invoke(args=["search", "synonyms", "add", "锂电, 锂电芯"])
    assert result.exit_code == 2 and "锂电池" in result.output
    result = runner.invoke(args=["search", "words", "add", "钙钛矿叠层"])
    assert result.exit_code == 0, result.output
    assert "钙钛矿叠层" in runner.invoke(args=["search", "words", "list"]).output
    assert analysis.tokenize("钙钛矿叠层组件")[0] == "钙钛矿叠层"
    assert runner.invoke(args=["search", "words", "remove", "钙钛矿叠层"]).exit_code == 0
    assert runner.invoke(args=["search", "synonyms", "remove", "盐渍土"]).exit_code == 0
    assert "盐碱地" not in Path(dictionaries.synonyms_path(app)).read_text(encoding="utf-8").split("\n", 3)[-1]
    assert analysis.tokenize("盐渍土") != ["盐碱地"]
    # the indexing commands are still there
    assert runner.invoke(args=["search", "--help"]).output.count("reindex") >= 1
