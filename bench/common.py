"""Helpers shared by the benchmarks: a throwaway instance, a corpus-derived input file, a gunicorn server,
and latency statistics read from the Server-Timing header."""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PY = sys.executable


def bench_env(instance: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"INSTANCE_PATH": str(instance), "FLASK_APP": "wsgi", "SEARCH_AUTO_DRAIN": "0",
                "SECRET_KEY": "bench", "RATELIMIT_ENABLED": "0"})
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "flask", "--app", "wsgi", *args], cwd=REPO, env=env, check=check,
                          capture_output=True, text=True)


def corpus_records() -> list[dict]:
    """Research records from the shared corpus (tests and benchmarks only; never shipped)."""
    records = []
    for name in ("csl_benchmark_full.jsonl", "csl_titles_only.jsonl", "fewclue_csldcp.jsonl"):
        with open(SHARED / "data" / name, encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle)
    return records


def write_corpus_file(path: Path, rows: int) -> Path:
    """``rows`` records in the CSL schema, cycling through the corpus with fresh ids."""
    base = corpus_records()
    with open(path, "w", encoding="utf-8") as out:
        for i in range(rows):
            record = dict(base[i % len(base)])
            record["id"] = f"bench-{i:06d}"
            if i >= len(base):  # vary repeated titles so lists do not show identical rows
                record["title"] = (record.get("title") or "") + f"（批次{i // len(base)}）"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2):
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level",
                             "warning", "wsgi:app"], cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def timed_get(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[float, float, int]:
    """(server ms from Server-Timing, client ms, status)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        timing = response.headers.get("Server-Timing", "")
        status = response.status
    client = (time.perf_counter() - started) * 1000
    server = float(timing.split("dur=")[1]) if "dur=" in timing else client
    return server, client, status


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 2)

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "max": round(ordered[-1], 2),
            "mean": round(statistics.fmean(ordered), 2)}


def save_result(name: str, result: dict) -> Path:
    path = REPO / "bench" / "results" / f"{name}.json"
    result = {"recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": f"{os.cpu_count()} cores", **result}
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
