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
  A size of 50 makes a rerank pool of 100; the pages ask for 20 (a pool of 50), which gives the same nDCG@10 on all
  demands within 0.001 (checked 2026-12-06: 0.824 / 0.661 / 0.710 on the original, new and all demands).

nDCG@10 uses gain 2^grade − 1, a log2 discount and the ideal ranking of the judged records; Recall@50 counts
records graded ≥ 1; a result never judged counts as not relevant, so the count of those in the matcher's top 10
(``calibration.unjudged_in_top10``) says how far a change that brings new records forward may be underrated. Results
go to ``bench/results/matching_quality[-<engine>][-semantic].json``.

``--semantic`` switches on the matcher's semantic rerank (``MATCH_SEMANTIC``, :mod:`marketplace.matching.semantic`;
without it the rerank is switched off, though it is on by default) for free text too (``MATCH_SEMANTIC_FREE_TEXT``):
each demand is embedded in its request, which gives it the vector a saved demand of that text has, so its figures
are those of a saved demand's matches (free-text API requests stay lexical by default). It embeds every record
with ``flask matching embed``'s code before the demands run. That takes about 20 minutes on 2 cores; the vectors
are kept under ``~/.cache/techmarket-bench/`` by the hash of each record's text, so later runs reuse them (the same
text gives the same vector) and embed only what changed.

Two sets of demands, reported separately and together (``sets``: ``original``, ``new``, ``all``): the 12 of
``../shared/bench`` and the ones grown in ``bench/dev`` (written before any system's results, pooled from four
rankers, graded blind; see bench/dev/README.md). The keys of before (``systems``, ``demands``,
``matcher_vs_bm25_or_ndcg_gain``) keep meaning the original 12. Means of nDCG@10 and Recall@50 leave out demands
with nothing relevant in the corpus (undefined there); those demands serve the calibration figures instead
(``calibration``): the pooled ROC AUC of the matcher's ``score`` over its judged results among the 50 it returns
(grade ≥ 1 against 0, all demands together), and the share of nothing-relevant demands whose top result carries the
band 高 (read from the result's ``band``; "n/a" while results carry none).
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


VECTOR_CACHE = Path.home() / ".cache" / "techmarket-bench" / "semantic-vectors.npz"


def embed_all() -> tuple[int, int, float]:
    """Every public record embedded (``flask matching embed``'s pass), reusing cached vectors of unchanged texts:
    (records embedded now, records taken from the cache, seconds)."""
    import numpy as np

    from marketplace.achievements.models import Achievement
    from marketplace.extensions import db
    from marketplace.matching import semantic

    cache = dict(np.load(VECTOR_CACHE)) if VECTOR_CACHE.exists() else {}
    reused = 0
    for record in db.session.execute(db.select(Achievement)).scalars():
        text = semantic.passage_text("achievement", record)
        cached = cache.get(semantic.text_hash(text))
        if cached is not None:
            semantic.store("achievement", record.id, text, cached)
            reused += 1
    db.session.commit()
    started, embedded = time.perf_counter(), 0
    while looked := semantic.refresh(64):
        embedded += looked
        db.session.commit()
        print(f"embedded {embedded}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    vectors = semantic.SemanticVector
    rows = db.session.execute(db.select(Achievement, vectors.vector).join(
        vectors, db.and_(vectors.kind == "achievement", vectors.record_id == Achievement.id)))  # one query
    for record, blob in rows:
        cache[semantic.text_hash(semantic.passage_text("achievement", record))] = np.frombuffer(blob, dtype=np.float16)
    VECTOR_CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(VECTOR_CACHE, **cache)
    return embedded, reused, seconds


def build_instance(instance: Path, search_url: str | None, semantic: bool = False):
    from flask_migrate import upgrade

    from marketplace import create_app
    from marketplace.accounts.services import create_organization
    from marketplace.achievements.importer import import_achievements
    from marketplace.extensions import db
    from marketplace.indexing import indexer
    from marketplace.indexing.runtime import get_engine

    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'b.db'}",
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "SEARCH_AUTO_DRAIN": False,
                      "SEARCH_URL": search_url, "MATCH_SEMANTIC": semantic, "MATCH_SEMANTIC_FREE_TEXT": semantic,
                      "MATCH_SEMANTIC_THREADS": 2})
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
        if semantic:
            embedded, reused, seconds = embed_all()
            print(f"embedded {embedded} records in {seconds:.1f}s ({reused} vectors reused)", file=sys.stderr)
    return app


def external_ids(ids: list[int]) -> list[str]:
    from marketplace.achievements.models import Achievement
    from marketplace.extensions import db

    rows = dict(db.session.execute(db.select(Achievement.id, Achievement.external_id)
                                   .where(Achievement.id.in_(ids))).all())
    return [rows[i] for i in ids if i in rows]


SETS = {  # name → (demands, judgments): the original development set and the one grown under bench/dev
    "original": (SHARED / "bench" / "demands.jsonl", SHARED / "bench" / "qrels.jsonl"),
    "new": (REPO / "bench" / "dev" / "demands.jsonl", REPO / "bench" / "dev" / "qrels.jsonl"),
}
BM25 = "baseline (BM25 OR, title+summary)"
MATCHER = "matcher (API)"
HIGH_BANDS = {"高", "high"}


def roc_auc(scored: list[tuple[float, bool]]) -> float | None:
    """Probability that a relevant result outscores an irrelevant one (ties count half): Mann–Whitney over ranks."""
    positives = sum(1 for _, relevant in scored if relevant)
    negatives = len(scored) - positives
    if not positives or not negatives:
        return None
    ordered = sorted(scored, key=lambda pair: pair[0])
    rank_sum, i = 0.0, 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        mid_rank = (i + 1 + j) / 2  # 1-based average rank of the tied block
        rank_sum += mid_rank * sum(1 for _, relevant in ordered[i:j] if relevant)
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def band_of(result: dict) -> str | None:
    """The band a match result carries (``band`` on the result or in its explanation; a string or {code, label})."""
    for holder in (result, result.get("explanation") or {}):
        for key in ("band", "score_band"):
            value = holder.get(key)
            if isinstance(value, dict):
                value = value.get("code") or value.get("value") or value.get("label")
            if value:
                return str(value)
    return None


def summarize(per: dict[str, dict], qids: list[str]) -> dict:
    """Means over the demands that have something relevant (for the others nDCG and recall are undefined)."""
    scored = [q for q in qids if per[q] is not None]
    return {"demands": len(scored),
            "ndcg@10": round(sum(per[q]["ndcg@10"] for q in scored) / len(scored), 4),
            "recall@50": round(sum(per[q]["recall@50"] for q in scored) / len(scored), 4)}


def calibration(matches: dict[str, list[dict]], qrels: dict[str, dict[str, int]], qids: list[str]) -> dict:
    """Pooled ROC AUC of the matcher's scores over its judged results (grade ≥ 1 vs 0), and how often a demand with
    nothing relevant in the corpus gets a top result banded 高."""
    scored = [(float(r["score"]), qrels[q][r["external_id"]] >= 1)
              for q in qids for r in matches[q] if r["external_id"] in qrels[q]]
    auc = roc_auc(scored)
    empty = [q for q in qids if not any(g >= 1 for g in qrels[q].values())]
    top_bands = {q: (band_of(matches[q][0]) if matches[q] else None) for q in empty}
    banded = all(b is not None for b in top_bands.values()) and bool(empty)
    unjudged = sum(1 for q in qids for r in matches[q][:10] if r["external_id"] not in qrels[q])
    return {"roc_auc": round(auc, 4) if auc is not None else None,
            "judged_results": len(scored), "relevant_results": sum(1 for _, rel in scored if rel),
            "unjudged_in_top10": unjudged,
            "nothing_relevant_demands": empty,
            "top_band_of_nothing_relevant": top_bands if banded else "n/a",
            "nothing_relevant_top_high_share": (round(sum(1 for b in top_bands.values() if b.lower() in HIGH_BANDS)
                                                      / len(empty), 4) if banded else "n/a")}


def run(search_url: str | None, write: bool, semantic: bool = False) -> dict:
    from search import analysis
    from search.engine import SearchQuery, WeightedTerm
    from search.schema import text_fields

    from marketplace.indexing.runtime import get_engine

    sets: dict[str, list[str]] = {}
    demands: list[dict] = []
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for set_name, (demand_file, qrel_file) in SETS.items():
        rows = load_jsonl(demand_file)
        sets[set_name] = [d["qid"] for d in rows]
        demands += rows
        for row in load_jsonl(qrel_file):
            qrels[row["qid"]][row["doc"]] = row["grade"]
    sets["all"] = [d["qid"] for d in demands]
    assert len(set(sets["all"])) == len(sets["all"]), "demand ids repeat across sets"
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
    matches: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="matchbench-") as tmp:
        app = build_instance(Path(tmp), engine_url, semantic)
        client = app.test_client()

        def matcher(text: str, qid: str) -> list[str]:
            response = client.post("/api/v1/match/achievements", json={"text": text, "size": 50})
            assert response.status_code == 200, response.get_data(as_text=True)
            matches[qid] = response.get_json()["results"]
            return [r["external_id"] for r in matches[qid]]

        systems = {"baseline (spec: text, title+summary)": lambda text, qid: spec_baseline(text),
                   BM25: lambda text, qid: or_baseline(text), MATCHER: matcher}
        per_system: dict[str, dict[str, dict]] = {}
        timings: dict[str, float] = {}
        with app.app_context():
            for name, system in systems.items():
                per, started = {}, time.perf_counter()
                for demand in demands:
                    ranked = system(demand["text"], demand["qid"])
                    grades = qrels[demand["qid"]]
                    per[demand["qid"]] = ({"ndcg@10": round(ndcg_at(grades, ranked), 4),
                                           "recall@50": round(recall_at(grades, ranked), 4)}
                                          if any(g >= 1 for g in grades.values()) else None)
                timings[name] = 1000 * (time.perf_counter() - started) / len(demands)
                per_system[name] = per

    original = sets["original"]
    # The keys of before (systems, demands, matcher_vs_bm25_or_ndcg_gain) keep meaning the original 12 demands.
    results: dict = {"engine": search_url or "embedded", "semantic_rerank": semantic, "demands": len(original),
                     "systems": {}}
    for name, per in per_system.items():
        results["systems"][name] = {**{k: v for k, v in summarize(per, original).items() if k != "demands"},
                                    "ms_per_demand": round(timings[name], 1),
                                    "per_demand": {q: per[q] for q in original}}
    results["matcher_vs_bm25_or_ndcg_gain"] = _gain(results["systems"])
    results["sets"] = {}
    for set_name, qids in sets.items():
        block = {"demands": len(qids), "systems": {name: summarize(per, qids) for name, per in per_system.items()}}
        block["demands_with_relevant"] = block["systems"][BM25]["demands"]
        block["matcher_vs_bm25_or_ndcg_gain"] = _gain(block["systems"])
        results["sets"][set_name] = block
    results["sets"]["new"]["per_demand"] = {name: {q: per[q] for q in sets["new"]} for name, per in per_system.items()}
    results["calibration"] = calibration(matches, qrels, sets["all"])

    print(f"\n{'system':42s} {'nDCG@10':>8s} {'R@50':>7s} {'ms/q':>7s}   (original {len(original)} demands)")
    for name, r in results["systems"].items():
        print(f"{name:42s} {r['ndcg@10']:8.3f} {r['recall@50']:7.3f} {r['ms_per_demand']:7.1f}")
    print(f"\n{'set':10s} {'n':>3s}  {'BM25 nDCG':>9s} {'matcher':>8s} {'gain':>7s}  {'BM25 R@50':>9s} {'matcher':>8s}")
    for set_name, block in results["sets"].items():
        bm25, mine = block["systems"][BM25], block["systems"][MATCHER]
        gain = block["matcher_vs_bm25_or_ndcg_gain"]
        print(f"{set_name:10s} {block['demands']:3d}  {bm25['ndcg@10']:9.3f} {mine['ndcg@10']:8.3f} "
              f"{gain:+7.1%}  {bm25['recall@50']:9.3f} {mine['recall@50']:8.3f}")
    cal = results["calibration"]
    print(f"\nmatcher score ROC AUC over {cal['judged_results']} judged results "
          f"({cal['relevant_results']} relevant): {cal['roc_auc']}")
    print(f"matcher results in a top 10 never judged (counted not relevant): {cal['unjudged_in_top10']} of "
          f"{10 * len(sets['all'])}")
    print(f"demands with nothing relevant: {', '.join(cal['nothing_relevant_demands']) or '-'}; "
          f"share whose top result is banded 高: {cal['nothing_relevant_top_high_share']}")
    print("\nper demand nDCG@10 (BM25 OR→matcher): " + "  ".join(
        f"{q} {per_system[BM25][q]['ndcg@10']:.2f}→{per_system[MATCHER][q]['ndcg@10']:.2f}"
        for q in sets["all"] if per_system[BM25][q] is not None))
    if write:
        suffix = ("" if not search_url else "-" + search_url.split(":", 1)[0]) + ("-semantic" if semantic else "")
        out = REPO / "bench" / "results" / f"matching_quality{suffix}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"\nwritten {out.relative_to(REPO)}")
    return results


def _gain(systems: dict) -> float | None:
    reference, mine = systems[BM25]["ndcg@10"], systems[MATCHER]["ndcg@10"]
    return round(mine / reference - 1, 4) if reference else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--search-url", default=None, help="SEARCH_URL of a cluster (default: embedded engine)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/results")
    parser.add_argument("--semantic", action="store_true", help="switch on the semantic rerank (MATCH_SEMANTIC)")
    args = parser.parse_args()
    run(args.search_url, not args.no_write, args.semantic)


if __name__ == "__main__":
    main()
