"""SEARCH_URL parsing and error mapping of the cluster transports (no server needed)."""
from __future__ import annotations

import socket

import pytest

from search import SearchQuery, SearchUnavailable, create_engine, parse_search_url
from search.elasticsearch import ElasticsearchEngine
from search.opensearch import OpenSearchEngine


def test_parse_urls():
    os_url = parse_search_url("opensearch://user:secret@search.local:9201?prefix=prod")
    assert os_url["flavour"] == "opensearch" and os_url["hosts"] == ["http://search.local:9201"]
    assert os_url["prefix"] == "prod" and os_url["auth"] == ("user", "secret")
    assert parse_search_url("opensearch+https://h")["hosts"] == ["https://h:9200"]
    assert parse_search_url("elasticsearch://h:9200")["flavour"] == "elasticsearch"
    assert parse_search_url("https://h:443?refresh=wait_for")["refresh"] == "wait_for"
    assert parse_search_url("http://h")["prefix"] == "market"
    with pytest.raises(ValueError):
        parse_search_url("ftp://h")
    with pytest.raises(ValueError):
        create_engine("opensearch://h?prefix=Bad*Prefix", "/tmp")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("scheme,cls", [("opensearch", OpenSearchEngine), ("elasticsearch", ElasticsearchEngine)])
def test_unreachable_cluster_raises_search_unavailable(scheme, cls):
    engine = create_engine(f"{scheme}://127.0.0.1:{_closed_port()}", "/tmp")
    assert isinstance(engine, cls)
    with pytest.raises(SearchUnavailable):
        engine.search(SearchQuery("achievement", text="石墨烯"))
    health = engine.health()
    assert health["ok"] is False and health["engine"] == scheme
    engine.close()
