"""Matching quality on the development benchmark (/work/shared/bench): nDCG@10 and Recall@50.

    .venv/bin/python bench/matching_quality.py [--search-url opensearch://127.0.0.1:19200] [--no-write]

A throwaway instance imports the 7,865 corpus records that have an abstract (through the achievement importer,
published, ``external_id`` = record id), drains the search outbox into the engine (embedded by default), then runs
each demand through

- ``baseline (spec)``: ``SearchQuery(text=demand, field_boosts={"title": 1, "summary": 1})`` (other text fields 0).
  ``text`` means the engine's minimum-should-match (75 % of the query's words), which long demands rarely meet;
- ``baseline (BM25 OR)``: the same fields, every word of the demand OR-ed with its frequency as weight — the
  "plain BM25 over jieba words of title+abstract" of the benchmark README (0.710 / 0.899 there);
- ``matcher``: ``POST /api/v1/match/achievements`` with ``{"text": demand, "size": 50}`` — the application's code.

nDCG@10 uses gain 2^grade − 1, a log2 discount and the ideal ranking of the judged records; Recall@50 counts
records graded ≥ 1. Results go to ``bench/results/matching_quality[-<engine>].json``.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
CORPUS = ("csl_benchmark_full.jsonl", "fewclue_csldcp.jsonl")


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def corpus() -> list[dict]:
    return [r for name in CORPUS for r in load_jsonl(SHARED / "data" / name) if r.get("abstract")]


def ndcg_at(grades: dict[str, int], ranked: list[str], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(grades: dict[str, int], ranked: list[str], k: int = 50) -> float:
    relevant = {doc for doc, g in grades.items() if g >= 1}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def build_instance(instance: Path, search_url: str | None):
    from flask_migrate import upgrade

    from marketplace import create_app
    from marketplace.accounts.services import create_organization
    from marketplace.achievements.importer import import_achievements
    from marketplace.extensions import db
    from marketplace.indexing import indexer
    from marketplace.indexing.runtime import get_engine

    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'b.db'}",
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "SEARCH_AUTO_DRAIN": False,
                      "SEARCH_URL": search_url})
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"))
        org = create_organization("基准测试文献库", "university", "220000")
        db.session.commit()
        started = time.perf_counter()
        report = import_achievements(enumerate(corpus(), 1), org, publish=True)
        db.session.commit()
        print(f"imported {report.saved} records in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        engine = get_engine()
        engine.ensure_indices()
        started = time.perf_counter()
        drained = indexer.drain(engine)
        print(f"indexed {drained.indexed} documents in {time.perf_counter() - started:.1f}s "
              f"(failed {drained.failed})", file=sys.stderr)
    return app


def external_ids(ids: list[int]) -> list[str]:
    from marketplace.achievements.models import Achievement
    from marketplace.extensions import db

    rows = dict(db.session.execute(db.select(Achievement.id, Achievement.external_id)
                                   .where(Achievement.id.in_(ids))).all())
    return [rows[i] for i in ids if i in rows]


def run(search_url: str | None, write: bool) -> dict:
    from search import analysis
    from search.engine import SearchQuery, WeightedTerm
    from search.schema import text_fields

    from marketplace.indexing.runtime import get_engine

    demands = load_jsonl(SHARED / "bench" / "demands.jsonl")
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for row in load_jsonl(SHARED / "bench" / "qrels.jsonl"):
        qrels[row["qid"]][row["doc"]] = row["grade"]
    equal = {**{name: 0.0 for name in text_fields("achievement")}, "title": 1.0, "summary": 1.0}

    def spec_baseline(text: str) -> list[str]:
        hits = get_engine().search(SearchQuery(kind="achievement", text=text, field_boosts=equal, size=50)).hits
        return external_ids([h.id for h in hits])

    def or_baseline(text: str) -> list[str]:
        counts = Counter(analysis.tokenize(text))
        terms = [WeightedTerm(t, float(n)) for t, n in counts.most_common()]
        hits = get_engine().search(SearchQuery(kind="achievement", terms=terms, field_boosts=equal, size=50)).hits
        return external_ids([h.id for h in hits])

    engine_url = search_url
    if search_url and "prefix=" not in search_url:  # a fresh set of indices per run on a shared cluster
        engine_url = f"{search_url}{'&' if '?' in search_url else '?'}prefix=matchbench{int(time.time())}"
    if engine_url and "refresh=" not in engine_url:
        # Every bulk waits until its documents are searchable: otherwise the first demands run before the last batch
        # is refreshed, and their scores (and the baseline's) vary from run to run (A01: 0.47 or 0.79).
        engine_url += "&refresh=wait_for" if "?" in engine_url else "?refresh=wait_for"
    with tempfile.TemporaryDirectory(prefix="matchbench-") as tmp:
        app = build_instance(Path(tmp), engine_url)
        client = app.test_client()

        def matcher(text: str) -> list[str]:
            response = client.post("/api/v1/match/achievements", json={"text": text, "size": 50})
            assert response.status_code == 200, response.get_data(as_text=True)
            return [r["external_id"] for r in response.get_json()["results"]]

        systems = {"baseline (spec: text, title+summary)": spec_baseline,
                   "baseline (BM25 OR, title+summary)": or_baseline, "matcher (API)": matcher}
        results: dict = {"engine": search_url or "embedded", "demands": len(demands), "systems": {}}
        with app.app_context():
            for name, system in systems.items():
                per, started = {}, time.perf_counter()
                for demand in demands:
                    ranked = system(demand["text"])
                    per[demand["qid"]] = {"ndcg@10": round(ndcg_at(qrels[demand["qid"]], ranked), 4),
                                          "recall@50": round(recall_at(qrels[demand["qid"]], ranked), 4)}
                elapsed = time.perf_counter() - started
                results["systems"][name] = {
                    "ndcg@10": round(sum(p["ndcg@10"] for p in per.values()) / len(per), 4),
                    "recall@50": round(sum(p["recall@50"] for p in per.values()) / len(per), 4),
                    "ms_per_demand": round(1000 * elapsed / len(per), 1), "per_demand": per}
    reference = results["systems"]["baseline (BM25 OR, title+summary)"]["ndcg@10"]
    mine = results["systems"]["matcher (API)"]["ndcg@10"]
    results["matcher_vs_bm25_or_ndcg_gain"] = round(mine / reference - 1, 4) if reference else None
    print(f"\n{'system':42s} {'nDCG@10':>8s} {'R@50':>7s} {'ms/q':>7s}")
    for name, r in results["systems"].items():
        print(f"{name:42s} {r['ndcg@10']:8.3f} {r['recall@50']:7.3f} {r['ms_per_demand']:7.1f}")
    print(f"matcher vs BM25 OR: {results['matcher_vs_bm25_or_ndcg_gain']:+.1%} nDCG@10")
    qids = list(results["systems"]["matcher (API)"]["per_demand"])
    print("\nper demand nDCG@10: " + "  ".join(
        f"{q} {results['systems']['baseline (BM25 OR, title+summary)']['per_demand'][q]['ndcg@10']:.2f}→"
        f"{results['systems']['matcher (API)']['per_demand'][q]['ndcg@10']:.2f}" for q in qids))
    if write:
        suffix = "" if not search_url else "-" + search_url.split(":", 1)[0]
        out = REPO / "bench" / "results" / f"matching_quality{suffix}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"\nwritten {out.relative_to(REPO)}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--search-url", default=None, help="SEARCH_URL of a cluster (default: embedded engine)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/results")
    args = parser.parse_args()
    run(args.search_url, not args.no_write)


if __name__ == "__main__":
    main()
