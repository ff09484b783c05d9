"""(Not named statistics.py: run as a script, it would shadow the standard library's statistics module.)

Server time of the statistics API at 100,000 technology contracts and 100,000 achievements on SQLite, and the
time and peak memory of the exports.

    .venv/bin/python bench/conversion_stats.py [--deals 100000] [--achievements 100000] [--db /tmp/statistics-bench.db]

Builds (once per --db) the achievements of bench/web_list_pages.py (200 organisations, 5,000 demands; here
published across 2023–2026, 200 a year on the quality list) and N
contracts inserted in bulk (tests/statistics/generated.py: two parties each — the seller one of the 200
organisations or an outside party, the buyer an outside party — a payment for about half, a reward for a fifth of the
institutions' contracts, signed 2023–2026), a fifth of them linked to an achievement (the summary tables kept by
the bulk writers' refresh functions; no ANALYZE: SQLite plans without statistics, as on a fresh install). Then times
every table of
``GET /api/v1/statistics/tables/<id>`` for each filter combination through the WSGI app (no network), --runs requests
after 2 warm-ups, as a broker with an API token; then the annual-report workbook (every contract of universities and
institutes, 2023–2026) and a CSV export: wall time through the app, peak Python memory (tracemalloc) of building the
file. Prints p50/p95 in milliseconds and records bench/results/conversion_stats.json. Target: p95 ≤ 100 ms for every table
and filter combination.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics as stats_module
import sys
import time
import tracemalloc
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from common import save_result  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.accounts import services as accounts  # noqa: E402
from marketplace.accounts.models import Organization, User  # noqa: E402
from marketplace.deals.models import Deal, deal_achievements  # noqa: E402
from marketplace.deals.vocabularies import ORG_TYPE_NATURES  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.statistics import exports, signings  # noqa: E402
from marketplace.statistics.access import data_as_of  # noqa: E402
from marketplace.statistics.filters import StatsFilter  # noqa: E402
from marketplace.statistics.tables import BUILDERS, build  # noqa: E402
from tests.statistics.generated import OUTSIDERS, bulk_contracts  # noqa: E402
from web_list_pages import build as build_listings  # noqa: E402

BROKER = "statistics-bench-broker@example.cn"
FILTERS = [
    "year=2025",
    "year_from=2023&year_to=2026",
    "year=2025&region=220000",
    "year_from=2024&year_to=2026&region=440000&side=buyer",
    "year=2025&field=electronics",
    "year_from=2023&year_to=2026&institution_type=university",
    "year=2026&institution_id={institution}",
    "year=2024&region=220000&field=new_materials&institution_type=institute",
]


def build_database(app, deals: int, achievements: int) -> None:
    began = time.perf_counter()
    build_listings(app, achievements)  # migrates, then 200 organisations, the achievements and 5,000 demands
    print(f"built {achievements} achievements in {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    with app.app_context():
        # the funnel's cohorts and the quality list: publications spread over 2023 to November 2026 (web_list_pages
        # publishes them a minute apart from 2020), 200 listed a year
        db.session.execute(db.text(
            "UPDATE achievements SET published_at = datetime('2023-01-01', '+' || (id * 1429 / :n) || ' days', "
            "'+' || (id % 600) || ' minutes') WHERE published_at IS NOT NULL"), {"n": achievements})
        db.session.execute(db.text(
            "UPDATE achievements SET quality_year = CAST(strftime('%Y', published_at) AS INTEGER) "
            "WHERE status = 'published' AND id % :step = 0"), {"step": max(1, achievements // 800)})
        orgs = db.session.execute(db.select(Organization.id, Organization.name, Organization.org_type,
                                            Organization.region)).all()
        sellers = [(org_id, name, ORG_TYPE_NATURES.get(org_type, "150"), region) for org_id, name, org_type, region
                   in orgs] + [(None, *spec) for spec in OUTSIDERS]
        bulk_contracts(deals, sellers=sellers, seed=11)
        rng = random.Random(5)
        deal_ids = db.session.execute(db.select(Deal.id)).scalars().all()
        links = [{"deal_id": deal_id, "achievement_id": rng.randint(1, achievements)}
                 for deal_id in deal_ids if rng.random() < 0.2]  # some signed within a year of publication
        for start in range(0, len(links), 10000):
            db.session.execute(insert(deal_achievements), links[start:start + 10000])
        # Core inserts bypass the flush listeners: the funnel's summary of signed listings by hand, as every bulk
        # writer of links does (bulk_contracts did the same for contract_facts)
        signings.refresh(db.session.connection(), {("achievement", link["achievement_id"]) for link in links})
        db.session.commit()
    print(f"built {deals} contracts in {time.perf_counter() - began:.0f} s")


def broker_token(app) -> str:
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == BROKER)).scalar_one_or_none()
        if user is None:
            user = accounts.register_user(BROKER, "统计基准经纪人", "bench-password-1", platform_role="broker",
                                           email_verified=True)
        _token, secret = accounts.create_token(user, "statistics bench", "read")
        db.session.commit()
        return secret


def timed(call, runs: int, warmups: int = 2) -> tuple[float, float, list[float]]:
    for _ in range(warmups):
        call()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return stats_module.median(times), times[max(0, int(round(0.95 * (len(times) - 1))))], times


def export_figures(app, client, headers: dict, url: str, build_file) -> dict:
    """Wall time of the download through the app (bytes read), then the peak Python memory of building the file."""
    began = time.perf_counter()
    response = client.get(url, headers=headers)
    size = len(response.get_data())
    seconds = time.perf_counter() - began
    assert response.status_code == 200, (url, response.status_code)
    with app.test_request_context():
        tracemalloc.start()
        try:
            build_file()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return {"url": url, "seconds": round(seconds, 2), "bytes": size, "peak_python_mib": round(peak / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--achievements", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/statistics-bench.db")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-record", action="store_true", help="print only (do not write bench/results)")
    args = parser.parse_args()
    fresh = not os.path.exists(args.db)
    instance = Path(args.db).parent / "statistics-bench-instance"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}", "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "SEARCH_AUTO_DRAIN": False})
    if fresh:
        build_database(app, args.deals, args.achievements)
    with app.app_context():
        upgrade(directory=str(BENCH.parent / "migrations"))  # a database built before the latest migrations
    with app.app_context():
        deals = db.session.execute(db.select(db.func.count(Deal.id))).scalar()
        institution = db.session.execute(
            db.select(Organization.id).where(Organization.org_type == "university").order_by(Organization.id)
            .limit(1)).scalar()
    headers = {"Authorization": f"Bearer {broker_token(app)}"}
    client = app.test_client()
    print("SQLite without ANALYZE (no planner statistics); load average before timing: "
          + " ".join(f"{value:.2f}" for value in os.getloadavg()))
    print(f"{deals} contracts; {'table':36} {'filters':62} {'p50 ms':>7} {'p95 ms':>7}")
    results, worst = [], 0.0
    for query in FILTERS:
        query = query.format(institution=institution)
        for table_id in BUILDERS:
            url = f"/api/v1/statistics/tables/{table_id}?{query}"
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])

            def call(url=url):
                client.get(url, headers=headers)

            p50, p95, _times = timed(call, args.runs)
            worst = max(worst, p95)
            results.append({"table": table_id, "filters": query, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1)})
            print(f"{'':16}{table_id:36} {query:62} {p50:7.1f} {p95:7.1f}")
    print(f"worst p95: {worst:.1f} ms (target 100 ms)")
    load = os.getloadavg()
    print("load average after timing: " + " ".join(f"{value:.2f}" for value in load))

    full = StatsFilter(2023, 2026)
    report = export_figures(app, client, headers, "/statistics/export/annual-report.xlsx?year_from=2023&year_to=2026",
                            lambda: exports.annual_report_workbook(full, data_as_of()).close())
    with app.test_request_context():
        report["contracts"] = build("annual_report_all", full).total[1]
    table = "contracts_by_month"
    csv_export = export_figures(app, client, headers, f"/statistics/export/{table}.csv?year_from=2023&year_to=2026",
                                lambda: list(exports.csv_lines(build(table, full), full, data_as_of())))
    print(f"annual-report workbook: {report}")
    print(f"CSV export: {csv_export}")
    if not args.no_record:
        by_table = {}
        for row in results:
            by_table[row["table"]] = max(by_table.get(row["table"], 0.0), row["p95_ms"])
        path = save_result("conversion_stats", {
            "deals": deals, "achievements": args.achievements, "runs_per_url": args.runs, "database": "SQLite",
            "target_p95_ms": 100, "worst_p95_ms": round(worst, 1), "worst_p95_ms_by_table": by_table,
            "planner_statistics": "none (no ANALYZE)", "load_average": [round(value, 2) for value in load],
            "annual_report_export": report, "csv_export": csv_export, "requests": results,
            "command": " ".join(["bench/conversion_stats.py", *sys.argv[1:]])})
        print("recorded in", path)


if __name__ == "__main__":
    main()
