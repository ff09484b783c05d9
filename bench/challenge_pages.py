"""Server time of the 揭榜挂帅 list page and list API at 10,000 challenges and 100,000 applications on SQLite.

    .venv/bin/python bench/challenge_pages.py [--challenges 10000] [--applications 100000] [--db /tmp/challenge-bench.db]

Builds (once) a database with N challenges (95% published, every execution stage, issued by 150 enterprises and
government offices) and M applications from 300 universities and institutes (bulk inserts), then times through the
WSGI app (no network), 60 requests per URL after 5 warm-ups: the public list page (/challenges), the list API
(GET /api/v1/challenges) and, for reference, the list spec alone (``marketplace.challenges.reading.public_page``
without rendering). Prints p50/p95 in milliseconds. Target: p95 ≤ 50 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from marketplace import create_app, taxonomy  # noqa: E402
from marketplace.accounts.models import Organization  # noqa: E402
from marketplace.challenges import reading  # noqa: E402
from marketplace.challenges.models import Challenge, ChallengeApplication  # noqa: E402
from marketplace.extensions import db  # noqa: E402

ISSUERS, SOLVERS = 150, 300
# execution stage → share of the challenges
STAGES = {"open": 0.30, "reviewing": 0.10, "awarded": 0.08, "in_delivery": 0.15, "accepted": 0.15, "failed": 0.05,
          "terminated": 0.04, "cancelled": 0.08, "unsuccessful": 0.05}
MODES = ["award", "milestone", "horse_race", "post_hoc"]
FILTERS = [
    "",
    "page=2",
    "page=30",
    "technical_field=new_energy",
    "region=220000",
    "funding_mode=horse_race",
    "reward=200-1000",
    "stage=reviewing",
    "stage=in_delivery",
    "technical_field=ai&funding_mode=milestone&reward=50-200",
]
PAGE_URLS = [f"/challenges?{q}".rstrip("?") for q in FILTERS] + ["/challenges?view=past",
                                                                   "/challenges?view=past&technical_field=ai"]
API_QUERIES = FILTERS + ["open_now=1", "open_now=1&sort=deadline", "sort=reward", "sort=deadline&region=220000",
                         "org_type=government&sort=reward", "open_now=1&technical_field=new_materials&sort=deadline",
                         "past=1&sort=finished", "past=1&technical_field=ai&sort=finished"]
API_URLS = [f"/api/v1/challenges?{q}".rstrip("?") for q in API_QUERIES]


def build(app, challenges: int, applications: int) -> None:
    rng = random.Random(11)
    fields, regions = list(taxonomy.TECHNICAL_FIELDS), list(taxonomy.REGIONS)
    today = date.today()
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        db.session.execute(insert(Organization.__table__), [
            {"name": f"发榜单位{i:03d}", "org_type": "enterprise" if i % 3 else "government",
             "region": rng.choice(regions), "version": 1, "created_at": datetime(2024, 1, 1)} for i in range(ISSUERS)]
            + [{"name": f"揭榜单位{i:03d}", "org_type": rng.choice(["university", "institute"]),
                "region": rng.choice(regions), "version": 1, "created_at": datetime(2024, 1, 1)}
               for i in range(SOLVERS)])
        stages, weights = list(STAGES), list(STAGES.values())
        start = datetime(2022, 1, 1)
        rows = []
        for i in range(challenges):
            published = rng.random() < 0.95
            stage = rng.choices(stages, weights)[0] if published else "open"
            published_at = start + timedelta(minutes=150 * i) if published else None
            deadline = today + timedelta(days=rng.randint(0, 90)) if stage == "open" else \
                today - timedelta(days=rng.randint(30, 900))
            mode = rng.choice(MODES)
            rows.append({
                "org_id": rng.randint(1, ISSUERS), "title": f"揭榜挂帅榜单{i}：{rng.choice(['关键材料', '核心部件', '工艺'])}攻关",
                "background": "企业现有技术已接近上限。" * 20, "problem": "需要突破的关键技术问题描述。" * 15,
                "indicators": [{"metric": "指标一", "target": "≥90", "unit": "%"}, {"metric": "指标二", "target": "≤5"}],
                "technical_field": rng.choice(fields), "industry": rng.choice(list(taxonomy.INDUSTRIES)),
                "reward_amount": rng.choice([30, 80, 150, 300, 500, 800, 1200, 3000]), "funding_mode": mode,
                "max_winners": 2 if mode == "horse_race" else 1, "application_deadline": deadline,
                "completion_deadline": deadline + timedelta(days=365), "eligible_org_types": [],
                "eligible_regions": [], "consortium": "allowed", "region": rng.choice([None, rng.choice(regions)]),
                "status": "published" if published else "draft", "stage": stage,
                "stage_changed_at": published_at if stage != "open" else None, "rubric": [],
                "created_at": start, "updated_at": start, "version": 1, "published_at": published_at,
            })
        db.session.execute(insert(Challenge.__table__), rows)
        per = max(1, applications // challenges)
        batch = []
        statuses = ["submitted", "shortlisted", "not_selected", "withdrawn", "interested"]
        for challenge_id in range(1, challenges + 1):
            stage = rows[challenge_id - 1]["stage"]
            for org_id in rng.sample(range(ISSUERS + 1, ISSUERS + SOLVERS + 1), per):
                status = rng.choice(statuses)
                if stage in ("awarded", "in_delivery", "accepted", "failed", "terminated") and rng.random() < 0.15:
                    status = "awarded"
                batch.append({"challenge_id": challenge_id, "org_id": org_id, "status": status,
                              "terms_accepted_at": start, "consortium": [], "consortium_org_ids": [], "team": [],
                              "achievement_ids": [], "patent_ids": [], "proposed_milestones": [],
                              "proposal": "技术方案概述" * 30, "created_at": start, "updated_at": start, "version": 1})
                if len(batch) == 10000:
                    db.session.execute(insert(ChallengeApplication.__table__), batch)
                    batch = []
        if batch:
            db.session.execute(insert(ChallengeApplication.__table__), batch)
        db.session.commit()


def _time(call, runs: int) -> tuple[float, float]:
    for _ in range(5):
        call()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--challenges", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/challenge-bench.db")
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    fresh = not os.path.exists(args.db)
    instance = Path(args.db).parent / "challenge-bench-instance"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}", "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "SEARCH_AUTO_DRAIN": False})
    if fresh:
        began = time.perf_counter()
        build(app, args.challenges, args.applications)
        print(f"built {args.challenges} challenges and {args.applications} applications "
              f"in {time.perf_counter() - began:.0f} s")
    with app.app_context():  # a fresh install has no statistics
        if db.session.execute(db.text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            db.session.execute(db.text("DELETE FROM sqlite_stat1"))
        db.session.commit()
    client = app.test_client()
    urls = set(str(rule) for rule in app.url_map.iter_rules())
    print(f"{'url':70} {'p50 ms':>7} {'p95 ms':>7}")
    worst = 0.0

    def report(label: str, call) -> None:
        nonlocal worst
        p50, p95 = _time(call, args.runs)
        worst = max(worst, p95)
        print(f"{label:70} {p50:7.1f} {p95:7.1f}")

    for group, wanted in (("/challenges", PAGE_URLS), ("/api/v1/challenges", API_URLS)):
        if group not in urls:
            print(f"{group}: not installed in this tree, skipped")
            continue
        for url in wanted:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])

            def call(url=url):
                client.get(url)

            report(url, call)
    with app.app_context():
        for query in API_QUERIES:
            values = MultiDict([pair.split("=", 1) for pair in query.split("&") if pair])
            number = int(values.pop("page", 1))

            def call(values=values, number=number):
                list(reading.public_page(reading.parse_page(values), page=number).items)
                db.session.rollback()

            report(f"reading.public_page({query})", call)
    print(f"worst p95: {worst:.1f} ms")


if __name__ == "__main__":
    main()
