"""Refit the calibrated match score (marketplace/matching/scoring.py: COEFFICIENTS) on the development demands.

    .venv/bin/python bench/fit_match_score.py [--search-url ...]

Builds the benchmark's throwaway instance (bench/matching_quality.py: the 7,865 corpus records, embedded engine by
default), runs every demand of both development sets through the matcher (``services.match_text``, top 50, as the
benchmark's API call does), computes each result's features (``scoring.features``) and fits a logistic regression
of "graded relevant (≥ 1)" on them, pooled over all demands, unjudged results counted as not relevant (as the
benchmark's metrics count them). Prints the coefficients to paste into scoring.py, the in-sample and
leave-one-demand-out ROC AUC over the judged results, the share judged relevant per band, and the highest score any
demand with nothing relevant gets.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import matching_quality as mq  # noqa: E402

L2 = 0.01  # ridge on the slopes (not the intercept): keeps the fit stable when a feature separates a few demands


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method: [intercept, slopes...]."""
    xa = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xa.shape[1])
    ridge = l2 * np.diag(np.r_[0.0, np.ones(len(w) - 1)])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xa @ w))
        w -= np.linalg.solve(xa.T @ (xa * (p * (1 - p))[:, None]) + ridge, xa.T @ (p - y) + ridge @ w)
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(w[0] + x @ w[1:])))


def collect(app, demands: list[dict], qrels: dict, semantic: bool = False) -> list[dict]:
    """One row per result: its features, with ``semantic`` the encoder's cosine of the pair last (the demand embedded
    as a saved demand of its text would be, the records' stored vectors: what :func:`.ranking.pair_scores` reads)."""
    from marketplace.matching import query, ranking, scoring, services
    from marketplace.matching import semantic as encoder

    rows = []
    with app.test_request_context():
        for demand in demands:
            candidates = services.match_text(demand["text"], kind="achievement", size=50)
            weights = query.weighted_terms(demand["text"], settings=services.settings())
            profile = scoring.NeedProfile.of(weights, query.focus_text(demand["text"]))
            grades = qrels[demand["qid"]]
            cosines = {}
            if semantic:
                need = encoder.embed([demand["text"]])[0]
                records = [c.record for c in candidates]
                cosines = {i: float(v @ need) for i, v in encoder.current_vectors("achievement", records).items()}
            for candidate in candidates:
                record = candidate.record
                x = scoring.features(profile, ranking.record_text("achievement", record), record.title)
                if semantic:
                    x.append(cosines[record.id])  # every corpus record is embedded (matching_quality.embed_all)
                rows.append({"qid": demand["qid"], "judged": record.external_id in grades,
                             "relevant": grades.get(record.external_id, 0) >= 1, "x": x})
    return rows


def main() -> None:
    from marketplace.matching import scoring

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--search-url", default=None)
    parser.add_argument("--semantic", action="store_true",
                        help="fit SEMANTIC_COEFFICIENTS: the semantic rerank on, the pair's cosine a feature")
    args = parser.parse_args()
    demands, qrels = [], defaultdict(dict)
    for demand_file, qrel_file in mq.SETS.values():
        demands += mq.load_jsonl(demand_file)
        for row in mq.load_jsonl(qrel_file):
            qrels[row["qid"]][row["doc"]] = row["grade"]
    with tempfile.TemporaryDirectory(prefix="matchfit-") as tmp:
        app = mq.build_instance(Path(tmp), args.search_url, args.semantic)
        rows = collect(app, demands, qrels, args.semantic)
    x = np.array([r["x"] for r in rows])
    y = np.array([r["relevant"] for r in rows], dtype=float)
    judged = np.array([r["judged"] for r in rows])
    qids = np.array([r["qid"] for r in rows])
    w = fit(x, y)
    print(f"{len(rows)} results of {len(demands)} demands ({judged.sum()} judged, {int(y.sum())} relevant)")
    print("features:", ", ".join(scoring.FEATURES + (("cosine",) if args.semantic else ())))
    name = "SEMANTIC_COEFFICIENTS" if args.semantic else "COEFFICIENTS"
    print(f"{name} = (" + ", ".join(f"{c:.3f}" for c in w) + ")")
    p = predict(w, x)
    print("in-sample ROC AUC (judged):", round(mq.roc_auc(list(zip(p[judged], y[judged] > 0))), 4))
    loo = np.zeros(len(rows))
    for qid in sorted(set(qids)):
        held = qids == qid
        loo[held] = predict(fit(x[~held], y[~held]), x[held])
    print("leave-one-demand-out ROC AUC (judged):", round(mq.roc_auc(list(zip(loo[judged], y[judged] > 0))), 4))
    if args.semantic:
        alone = x[:, -1]
        print("the cosine alone, ROC AUC (judged):", round(mq.roc_auc(list(zip(alone[judged], y[judged] > 0))), 4))
    bands = [scoring.band(v) for v in p]
    for code in ("high", "medium", "low"):
        chosen = np.array([b == code for b in bands])
        share = y[chosen & judged].mean() if (chosen & judged).any() else float("nan")
        print(f"{code:7s} {chosen.sum():5d} results, {share:.2f} of the judged ones relevant")
    for qid in sorted(set(qids)):
        if not any(g >= 1 for g in qrels[qid].values()):
            print(f"nothing relevant: {qid} highest score {p[qids == qid].max():.3f} (leave-one-out "
                  f"{loo[qids == qid].max():.3f})")


if __name__ == "__main__":
    main()
