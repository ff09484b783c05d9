"""Server time of the database-backed list and detail pages at 100,000 achievements on SQLite.

    .venv/bin/python bench/web_list_pages.py [--rows 100000] [--db /tmp/web-bench.db] [--suspended 2]

Builds (once) a database with N achievements in 200 organisations, then times each page through the WSGI app
(no network), 60 requests per URL after 5 warm-ups, and prints p50/p95 in milliseconds. Target: p95 ≤ 50 ms.
``--suspended K`` suspends the first K organisations first (their listings are withheld from every list; 0 restores
them all), to time the lists' extra condition.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from marketplace import create_app, taxonomy  # noqa: E402
from marketplace.accounts.models import Organization  # noqa: E402
from marketplace.achievements.models import Achievement  # noqa: E402
from marketplace.demands.models import Demand  # noqa: E402
from marketplace.extensions import db  # noqa: E402

URLS = [
    "/achievements",
    "/achievements?page=2",
    "/achievements?page=400",
    "/achievements?sort=trl",
    "/achievements?sort=price_desc",
    "/achievements?sort=price_asc",
    "/achievements?technical_field=new_materials",
    "/achievements?technical_field=new_materials&trl=4-6",
    "/achievements?trl=7-9&sort=price_desc",
    "/achievements?price=50-200",
    "/achievements?region=220000&sort=trl",
    "/achievements?transfer_mode=equity",
    "/achievements?org_type=enterprise",
    "/achievements?ip_type=software_copyright&technical_field=ai&region=220000",
    "/achievements/{id}",
    "/demands",
    "/demands?budget=50-200",
    "/orgs",
    "/",
]


def build(app, rows: int) -> None:
    rng = random.Random(7)
    fields, regions = list(taxonomy.TECHNICAL_FIELDS), list(taxonomy.REGIONS)
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        db.session.execute(insert(Organization.__table__), [
            {"name": f"机构{i:03d}", "org_type": rng.choice(list(taxonomy.ORG_TYPES)), "region": rng.choice(regions),
             "version": 1, "created_at": datetime(2024, 1, 1)} for i in range(200)])
        start = datetime(2020, 1, 1)
        batch = []
        for i in range(rows):
            published = rng.random() < 0.95
            batch.append({
                "org_id": rng.randint(1, 200), "title": f"科技成果{i}：一种{rng.choice(['新型', '高效', '低成本'])}技术",
                "summary": "通过原子层沉积在高镍正极表面构建氧化铝包覆层，抑制界面副反应，提升循环寿命。" * 2,
                "description": "详细介绍" * 300, "keywords": ["关键词一", "关键词二"],
                "technical_field": rng.choice(fields), "industries": ["energy"], "trl": rng.randint(1, 9),
                "ip_type": rng.choice(list(taxonomy.IP_TYPES)),
                "transfer_modes": rng.sample(list(taxonomy.TRANSFER_MODES), 2),
                "price_amount": None if rng.random() < 0.2 else round(rng.uniform(1, 3000), 2),
                "region": rng.choice(regions), "status": "published" if published else "draft",
                "created_at": start, "updated_at": start, "version": 1,
                "published_at": start + timedelta(minutes=i) if published else None,
            })
            if len(batch) == 5000:
                db.session.execute(insert(Achievement.__table__), batch)
                batch = []
        if batch:
            db.session.execute(insert(Achievement.__table__), batch)
        db.session.execute(insert(Demand.__table__), [{
            "org_id": rng.randint(1, 200), "title": f"技术需求{i}", "problem": "需要解决的问题" * 20,
            "keywords": [], "industry": rng.choice(list(taxonomy.INDUSTRIES)), "cooperation_modes": ["service"],
            "budget_min": 50, "budget_max": rng.choice([None, 100, 500]), "status": "published",
            "created_at": start, "updated_at": start, "version": 1, "published_at": start + timedelta(minutes=i)}
            for i in range(5000)])
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/web-bench.db")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE (a fresh install has no statistics)")
    parser.add_argument("--suspended", type=int, default=0, help="organisations suspended while timing")
    args = parser.parse_args()
    fresh = not os.path.exists(args.db)
    instance = Path(args.db).parent / "web-bench-instance"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}", "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "SEARCH_AUTO_DRAIN": False})
    if fresh:
        began = time.perf_counter()
        build(app, args.rows)
        print(f"built {args.rows} achievements in {time.perf_counter() - began:.0f} s")
    with app.app_context():
        if args.analyze:
            db.session.execute(db.text("ANALYZE"))
        elif db.session.execute(db.text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            db.session.execute(db.text("DELETE FROM sqlite_stat1"))
        db.session.execute(db.text("UPDATE organizations SET status = CASE WHEN id <= :k THEN 'suspended' "
                                   "ELSE 'verified' END"), {"k": args.suspended})
        db.session.commit()
    client = app.test_client()
    with app.app_context():
        detail_id = db.session.execute(db.select(Achievement.id).where(Achievement.status == "published",
                                                                        Achievement.org_id > args.suspended)
                                       .order_by(Achievement.id.desc()).limit(1)).scalar_one()
    print(f"suspended organisations: {args.suspended} of 200")
    print(f"{'url':58} {'p50 ms':>7} {'p95 ms':>7}")
    worst = 0.0
    for url in URLS:
        url = url.format(id=detail_id)
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        worst = max(worst, p95)
        print(f"{url:58} {statistics.median(times):7.1f} {p95:7.1f}")
    print(f"worst p95: {worst:.1f} ms")


if __name__ == "__main__":
    main()
