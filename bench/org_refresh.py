"""Benchmark: an organisation with many published achievements is renamed; how long the edit request takes and
how long the indexer then needs to bring every listing document up to date.

Records: server time p50/p95 of ``PATCH /api/v1/organizations/<id>`` (through gunicorn) for an organisation with
``--listings`` achievements and for one with 10 (the edit writes a few outbox rows whatever the number); the
``flask search drain`` that follows (rows queued, documents pushed, seconds as the command reports them); and
whether ``flask search verify`` is clean and a search by the new name finds every listing.

    .venv/bin/python bench/org_refresh.py [--listings 10000] [--edits 20] [--search-url opensearch://127.0.0.1:19400]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PY, REPO, bench_env, flask, gunicorn, percentiles, save_result  # noqa: E402

SETUP = """
import json, sys
from marketplace import create_app
from marketplace.accounts import services
from marketplace.achievements.models import Achievement
from marketplace.extensions import db
from marketplace.timeutil import utcnow

app = create_app()
with app.app_context():
    out = {}
    for label, name, count in (("big", "基准测试大学", int(sys.argv[1])), ("small", "基准测试小所", 10)):
        org = services.create_organization(name, "university", "220000")
        admin = services.register_user(f"{label}@bench.cn", "管理员", "bench-password-1", organization=org,
                                       org_role="org_admin", email_verified=True)
        db.session.commit()
        _token, secret = services.create_token(admin, "bench", "write")
        db.session.commit()
        for start in range(0, count, 1000):
            db.session.add_all(Achievement(
                org_id=org.id, title=f"寒地作物收获装备改进{i}", summary="低损失率的籽粒直收。",
                keywords=["收获机"], technical_field="agriculture", industries=["agriculture"], trl=5,
                ip_type="invention_patent", transfer_modes=["licence"], region="220000", status="published",
                published_at=utcnow()) for i in range(start, min(count, start + 1000)))
            db.session.commit()
        out[label] = {"org_id": org.id, "token": secret}
    print(json.dumps(out))
"""

COUNT_BY_NAME = """
import sys
from marketplace import create_app
from marketplace.indexing.runtime import get_engine
from search.engine import SearchQuery
app = create_app()
with app.app_context():
    for text in sys.argv[1:]:
        print(get_engine().search(SearchQuery(kind="achievement", text=text, size=1)).total)
"""


def patch(base: str, org_id: int, token: str, body: dict) -> tuple[float, float, int]:
    """(server ms from Server-Timing, client ms, status) of one PATCH."""
    request = urllib.request.Request(f"{base}/api/v1/organizations/{org_id}", method="PATCH",
                                     data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        timing, status = response.headers.get("Server-Timing", ""), response.status
    client = (time.perf_counter() - started) * 1000
    return (float(timing.split("dur=")[1]) if "dur=" in timing else client), client, status


def drain(env: dict) -> dict:
    started = time.perf_counter()
    result = flask(env, "search", "drain")
    wall = time.perf_counter() - started
    match = re.search(r"claimed (\d+) rows: (\d+) indexed, (\d+) deleted, (\d+) failed in ([\d.]+)s", result.stdout)
    queued = re.search(r"(\d+) listings queued", result.stdout)
    if not match:
        raise SystemExit(f"unexpected drain output: {result.stdout} {result.stderr}")
    claimed, indexed, _deleted, failed, seconds = match.groups()
    return {"claimed": int(claimed), "indexed": int(indexed), "failed": int(failed), "seconds": float(seconds),
            "queued": int(queued.group(1)) if queued else 0, "command_wall_seconds": round(wall, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--search-url", default="")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-org-") as tmp:
        env = bench_env(Path(tmp) / "instance", SEARCH_URL=args.search_url)
        flask(env, "db", "upgrade")
        setup = subprocess.run([PY, "-c", SETUP, str(args.listings)], cwd=REPO, env=env, check=True,
                               capture_output=True, text=True)
        orgs = json.loads(setup.stdout.strip().splitlines()[-1])
        started = time.perf_counter()
        flask(env, "search", "reindex")
        reindex_seconds = time.perf_counter() - started
        flask(env, "search", "drain")  # the setup's own outbox rows (already in the rebuilt index)

        edits: dict[str, list] = {"big": [], "small": []}
        with gunicorn(env, workers=2) as base:
            for label in ("small", "big"):  # warm up both workers
                patch(base, orgs[label]["org_id"], orgs[label]["token"], {"description": "预热"})
                patch(base, orgs[label]["org_id"], orgs[label]["token"], {"description": "预热2"})
            for i in range(args.edits):
                for label, prefix, final in (("big", "基准测试大学", "松花江流域研究院"),
                                             ("small", "基准测试小所", "查干湖生态所")):
                    name = f"{prefix}长白山天池{i}" if i < args.edits - 1 else final
                    edits[label].append(patch(base, orgs[label]["org_id"], orgs[label]["token"], {"name": name}))
        drained = drain(env)
        verify = flask(env, "search", "verify", check=False)
        counts = subprocess.run([PY, "-c", COUNT_BY_NAME, "松花江", "长白山天池"], cwd=REPO, env=env,
                                check=True, capture_output=True, text=True).stdout.split()

    report = {"engine": args.search_url or "embedded", "listings": args.listings, "edits": args.edits,
              "reindex_seconds": round(reindex_seconds, 1)}
    for label, samples in edits.items():
        bad = [s for _, _, s in samples if s != 200]
        report[f"patch_{label}_org"] = {"server_ms": percentiles([s for s, _, _ in samples]),
                                        "client_ms": percentiles([c for _, c, _ in samples]), "non_200": len(bad)}
        print(f"PATCH ({label} org) server p50 {report[f'patch_{label}_org']['server_ms']['p50']:.2f} ms  "
              f"p95 {report[f'patch_{label}_org']['server_ms']['p95']:.2f} ms")
    report["drain_after_edits"] = drained
    rate = drained["indexed"] / drained["seconds"] if drained["seconds"] else 0
    report["drain_after_edits"]["docs_per_s"] = round(rate)
    print(f"drain: {drained['queued']} listings queued, {drained['indexed']} documents pushed in "
          f"{drained['seconds']:.2f} s ({rate:,.0f} docs/s; command {drained['command_wall_seconds']} s)")
    report["verify_clean"] = verify.returncode == 0
    report["hits_new_name"], report["hits_intermediate_names"] = int(counts[0]), int(counts[1])
    print(f"verify clean: {report['verify_clean']}; search by the new name: {counts[0]} hits, "
          f"by the earlier names: {counts[1]}")
    suffix = "opensearch" if args.search_url.startswith("opensearch") else "embedded"
    print("recorded in", save_result(f"org_refresh_{suffix}", report))


if __name__ == "__main__":
    main()
