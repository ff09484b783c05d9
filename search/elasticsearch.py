"""The Elasticsearch engine: :class:`search.cluster.ClusterEngine` over the ``elasticsearch`` client's transport.

Only the transport differs from OpenSearch (same DSL: versioned bulk, aliases, terms aggregations, percolator).
The contract tests run it against a real Elasticsearch 9.5 node (scripts/elasticsearch-node.sh), except saved
queries: that node has no percolator module (Elasticsearch does not publish it to Maven Central), so
``save_query``/``percolate`` have never run against a real Elasticsearch server here.
``SEARCH_URL=elasticsearch://host:9200`` or ``https://user:pass@host:9200?prefix=market``.
"""
from __future__ import annotations

import json
from typing import Any

import elastic_transport
from elasticsearch import ApiError, Elasticsearch

from .cluster import ClusterEngine, ClusterError, Transport
from .engine import SearchUnavailable

_JSON = {"accept": "application/json", "content-type": "application/json"}
_NDJSON = {"accept": "application/json", "content-type": "application/x-ndjson"}


class ElasticsearchTransport(Transport):
    """JSON requests through ``Elasticsearch.perform_request``."""

    def __init__(self, hosts: list[str], auth: tuple[str, str] | None = None, verify: bool = True,
                 timeout: float = 10.0):
        self.client = Elasticsearch(hosts=hosts, basic_auth=auth, verify_certs=verify, request_timeout=timeout,
                                    max_retries=1, retry_on_timeout=False)

    def _perform(self, method: str, path: str, body: Any, params: dict | None, headers: dict,
                 ignore: tuple[int, ...]) -> tuple[int, Any]:
        try:
            answer = self.client.perform_request(method, path, params=params, headers=headers, body=body)
            return answer.meta.status, answer.body
        except ApiError as exc:
            status = exc.meta.status if exc.meta is not None else 0
            if status in ignore:
                return status, exc.body if isinstance(exc.body, dict) else {}
            if status >= 500 or status == 429:
                raise SearchUnavailable(f"Elasticsearch {method} {path}: {exc}") from exc
            raise ClusterError(status, exc.body) from exc
        except elastic_transport.TransportError as exc:  # connection refused, timeout, TLS
            raise SearchUnavailable(f"Elasticsearch {method} {path}: {exc}") from exc

    def request(self, method: str, path: str, body: Any = None, params: dict | None = None,
                ignore: tuple[int, ...] = ()) -> tuple[int, Any]:
        return self._perform(method, path, body, params, _JSON, ignore)

    def bulk(self, lines: list[dict], params: dict | None = None) -> dict:
        payload = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
        return self._perform("POST", "/_bulk", payload, params, _NDJSON, ())[1]

    def close(self) -> None:
        self.client.close()


class ElasticsearchEngine(ClusterEngine):
    """Elasticsearch 8/9 (tested against 9.5 without its percolator, see the module docstring)."""

    name = "elasticsearch"

    def __init__(self, hosts: list[str], *, prefix: str = "market", auth: tuple[str, str] | None = None,
                 verify: bool = True, refresh: str | bool = False, timeout: float = 10.0):
        super().__init__(ElasticsearchTransport(hosts, auth, verify, timeout), prefix=prefix, refresh=refresh)
