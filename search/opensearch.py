"""The OpenSearch engine: :class:`search.cluster.ClusterEngine` over ``opensearch-py``'s HTTP transport.

``SEARCH_URL=opensearch://host:9200?prefix=market`` (``opensearch+https://user:pass@host:9200`` for TLS).
Connection errors, timeouts and 5xx answers raise :class:`SearchUnavailable`.
"""
from __future__ import annotations

import json
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors

from .cluster import ClusterEngine, ClusterError, Transport
from .engine import SearchUnavailable


class OpenSearchTransport(Transport):
    """JSON requests through ``opensearchpy.Transport`` (retries on connection errors, no sniffing)."""

    def __init__(self, hosts: list[str], auth: tuple[str, str] | None = None, verify: bool = True,
                 timeout: float = 10.0):
        self.client = OpenSearch(hosts=hosts, http_auth=auth, verify_certs=verify, timeout=timeout,
                                 max_retries=1, retry_on_timeout=False, http_compress=False)

    def request(self, method: str, path: str, body: Any = None, params: dict | None = None,
                ignore: tuple[int, ...] = ()) -> tuple[int, Any]:
        try:
            answer = self.client.transport.perform_request(method, path, params=params, body=body)
            return 200, answer
        except os_errors.TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 0
            if status in ignore:
                return status, exc.info if isinstance(exc.info, dict) else {}
            if status == 0 or status >= 500 or status == 429:
                raise SearchUnavailable(f"OpenSearch {method} {path}: {exc}") from exc
            raise ClusterError(status, exc.info) from exc

    def bulk(self, lines: list[dict], params: dict | None = None) -> dict:
        payload = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
        _, answer = self.request("POST", "/_bulk", payload, params=params)
        return answer

    def close(self) -> None:
        self.client.close()


class OpenSearchEngine(ClusterEngine):
    """OpenSearch 2.x (tested against 2.19 started by ``scripts/opensearch-node.sh``)."""

    name = "opensearch"

    def __init__(self, hosts: list[str], *, prefix: str = "market", auth: tuple[str, str] | None = None,
                 verify: bool = True, refresh: str | bool = False, timeout: float = 10.0):
        super().__init__(OpenSearchTransport(hosts, auth, verify, timeout), prefix=prefix, refresh=refresh)
