"""Benchmark for the marketplace core at 100,000 achievements on SQLite.

Records: import rate (rows/s, validation included) through ``flask achievements import``, and server time p50/p95
(from the Server-Timing header) for the achievement list page, detail pages and the API list endpoint, served by
gunicorn. Targets: import ≥ 1,000 rows/s; list and detail p95 ≤ 50 ms.

    .venv/bin/python bench/core_pages.py [--rows 100000] [--requests 300]
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PY, REPO, bench_env, flask, gunicorn, percentiles, save_result, timed_get, write_corpus_file  # noqa: E402

ORG = "基准测试大学"
SETUP = f"""
from marketplace import create_app
from marketplace.accounts import services
from marketplace.extensions import db
app = create_app()
with app.app_context():
    if services.find_organization_by_name("{ORG}") is None:
        services.create_organization("{ORG}", "university", "220000")
        db.session.commit()
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp:
        instance = Path(tmp) / "instance"
        env = bench_env(instance)
        flask(env, "db", "upgrade")
        subprocess.run([PY, "-c", SETUP], cwd=REPO, env=env, check=True)
        source = write_corpus_file(Path(tmp) / "achievements.jsonl", args.rows)

        started = time.perf_counter()
        result = flask(env, "achievements", "import", str(source), "--org", ORG, "--publish", check=False)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:])
            raise SystemExit("import failed")
        rate = args.rows / seconds
        print(f"import: {args.rows} rows in {seconds:.1f} s = {rate:,.0f} rows/s")

        rng = random.Random(7)
        with gunicorn(env, workers=2) as base:
            timed_get(base + "/achievements")  # warm up
            list_urls = [f"/achievements?page={rng.randint(1, 200)}" for _ in range(args.requests // 3)]
            list_urls += [f"/achievements?technical_field={f}&page={rng.randint(1, 5)}"
                          for f in rng.choices(["new_materials", "ai", "agriculture", "biomedicine", "other"],
                                               k=args.requests // 3)]
            list_urls += [f"/achievements?sort=trl&page={rng.randint(1, 50)}" for _ in range(args.requests // 3)]
            pages = {"list": [timed_get(base + url) for url in list_urls]}
            pages["detail"] = [timed_get(base + f"/achievements/{rng.randint(1, args.rows)}")
                               for _ in range(args.requests)]
            pages["api_list"] = [timed_get(base + f"/api/v1/achievements?page={rng.randint(1, 200)}")
                                 for _ in range(args.requests)]

    report = {"rows": args.rows, "import_seconds": round(seconds, 1), "import_rows_per_s": round(rate),
              "targets": {"import_rows_per_s": 1000, "list_p95_ms": 50, "detail_p95_ms": 50}}
    for name, samples in pages.items():
        bad = [s for _, _, s in samples if s != 200]
        report[name] = {"server_ms": percentiles([s for s, _, _ in samples]),
                        "client_ms": percentiles([c for _, c, _ in samples]), "non_200": len(bad)}
        print(f"{name:9s} server p50 {report[name]['server_ms']['p50']:6.2f} ms  p95 "
              f"{report[name]['server_ms']['p95']:6.2f} ms   (client p95 {report[name]['client_ms']['p95']:.2f} ms)")
    print("recorded in", save_result("core_pages", report))


if __name__ == "__main__":
    main()
