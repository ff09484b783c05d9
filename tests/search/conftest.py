"""Fixtures of the search contract tests: one ``engine`` fixture parametrised over the embedded engine, a real
OpenSearch node (started with scripts/opensearch-node.sh, or OPENSEARCH_URL when set) and a real Elasticsearch 9 node
(scripts/elasticsearch-node.sh, or ELASTICSEARCH_URL).

Without Java/Maven a cluster variant is skipped with a message, unless REQUIRE_OPENSEARCH=1 / REQUIRE_ELASTICSEARCH=1
(CI), which turns that into a failure. The Elasticsearch test node has no percolator: tests storing saved queries
skip there (tests/search_fixtures.py). These tests do not need the Flask application.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from search import Document
from search.embedded import EmbeddedEngine
from tests.search_fixtures import cluster_test_engine, drop_test_indices

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CSL = SHARED / "data" / "csl_benchmark_full.jsonl"


@pytest.fixture(autouse=True)
def _empty_database():
    """Overrides the application's autouse database cleanup: search tests do not touch the database."""
    yield


def _cluster_engine(url: str, flavour: str = "opensearch"):
    return cluster_test_engine(flavour, url, f"t{uuid.uuid4().hex[:12]}")


def _drop_cluster_indices(engine) -> None:
    drop_test_indices(engine)
    engine.close()


@pytest.fixture(params=["embedded", "opensearch", "elasticsearch"])
def engine(request, tmp_path):
    """A fresh, empty engine of each kind (clusters: a unique index prefix per test)."""
    if request.param == "embedded":
        eng = EmbeddedEngine(tmp_path / "search-index")
        eng.ensure_indices()
        yield eng
        eng.close()
    else:
        url = request.getfixturevalue(f"{request.param}_url")
        eng = _cluster_engine(url, request.param)
        eng.ensure_indices()
        yield eng
        _drop_cluster_indices(eng)


@pytest.fixture
def cluster_engine(opensearch_url):
    """An OpenSearch engine alone (for cluster-specific tests)."""
    eng = _cluster_engine(opensearch_url)
    eng.ensure_indices()
    yield eng
    _drop_cluster_indices(eng)


@pytest.fixture(scope="session")
def csl_records():
    """Real Chinese sci-tech records (title, abstract, keywords) from the shared data folder."""
    if not CSL.exists():
        pytest.skip(f"{CSL} not found")
    with CSL.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def achievement(doc_id: int, version: int = 1, **fields) -> Document:
    """A small achievement document; keyword arguments override or add fields."""
    base = {
        "title": f"成果{doc_id}",
        "summary": "",
        "technical_field": "新材料",
        "region": "220000",
        "trl": 5,
        "year": 2024,
        "open_licence": False,
        "suggest": [fields.get("title", f"成果{doc_id}")],
    }
    base.update(fields)
    return Document("achievement", doc_id, version, base)


def csl_achievement(doc_id: int, record: dict, version: int = 1, **fields) -> Document:
    """An achievement built from one CSL record."""
    return achievement(doc_id, version, title=record["title"], summary=record["abstract"],
                       keywords=record["keywords"], discipline=record.get("subcategory") or record["category"],
                       suggest=[record["title"], *record["keywords"]], **fields)
