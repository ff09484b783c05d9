"""Pool candidates for the new development demands (bench/dev/demands.jsonl), as ../shared/bench/README.md describes.

    .venv/bin/python bench/dev/pool.py

Four rankers, top 20 of each, over the 7,865 corpus records with an abstract (title + abstract):

- ``bm25-words``: BM25 (k1 1.2, b 0.75) over jieba words of the whole demand (query-term frequency as weight);
- ``bm25-keywords``: the same BM25 over the demand's 10 words of highest TF-IDF (demand frequency × corpus idf);
- ``bm25-bigrams``: BM25 over CJK character bigrams (plus ASCII words) of the whole demand;
- ``matcher``: the platform's ``POST /api/v1/match/achievements`` on a throwaway instance (embedded engine), as
  bench/matching_quality.py runs it.

The three lexical rankers are written here, independent of the platform's analyser. Output:

- ``/tmp/matchdev/grading.jsonl``: per demand, the deduplicated pool in a seeded random order, with the record's
  title and abstract only (no ranker, no rank) — what the grader reads;
- ``bench/dev/pool.jsonl``: which rankers found which record at which rank (written for the record; not read while
  grading).
"""
from __future__ import annotations

import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import jieba

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import matching_quality as mq  # noqa: E402

DEPTH = 20
PUNCT = re.compile(r"^[\W_]+$")
STOP = set("的 了 和 与 及 等 在 是 对 中 为 以 将 由 于 从 其 之 而 并 或 被 把 也 就 都 又 这 那 该 本 各 每 "
           "我们 我 公司 我司 我厂 我矿 希望 需要 寻求 目前 现在 可以 能够 进行 通过 采用 合作 技术 研究 方法 "
           "一种 一套 以上 以下 不 有 个 到 上 要 会 后".split())


def words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text.lower()) if w.strip() and not PUNCT.match(w) and w not in STOP]


def bigrams(text: str) -> list[str]:
    out = []
    for run in re.findall(r"[\u4e00-\u9fff]+|[a-z0-9]+", text.lower()):
        if run.isascii():
            out.append(run)
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


class BM25:
    def __init__(self, docs: dict[str, list[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tf = {d: Counter(toks) for d, toks in docs.items()}
        self.len = {d: len(toks) for d, toks in docs.items()}
        self.avg = sum(self.len.values()) / len(self.len)
        self.postings: dict[str, list[str]] = defaultdict(list)
        for d, tf in self.tf.items():
            for t in tf:
                self.postings[t].append(d)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def search(self, weighted: dict[str, float], k: int) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        for t, w in weighted.items():
            for d in self.postings.get(t, ()):
                f = self.tf[d][t]
                norm = f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * self.len[d] / self.avg))
                scores[d] += w * self.idf[t] * norm
        return [d for d, _ in sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k]]


def main() -> None:
    records = {r["id"]: r for r in mq.corpus()}
    text = {d: f"{r.get('title') or ''} {r['abstract']}" for d, r in records.items()}
    by_words = BM25({d: words(t) for d, t in text.items()})
    by_bigrams = BM25({d: bigrams(t) for d, t in text.items()})
    demands = mq.load_jsonl(HERE / "demands.jsonl")

    runs: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for dem in demands:
        q = Counter(words(dem["text"]))
        runs[dem["qid"]]["bm25-words"] = by_words.search(dict(q), DEPTH)
        tfidf = {t: n * by_words.idf.get(t, 0.0) for t, n in q.items()}
        top = dict(sorted(tfidf.items(), key=lambda x: -x[1])[:10])
        runs[dem["qid"]]["bm25-keywords"] = by_words.search({t: 1.0 for t in top}, DEPTH)
        runs[dem["qid"]]["bm25-bigrams"] = by_bigrams.search(dict(Counter(bigrams(dem["text"]))), DEPTH)

    import tempfile
    with tempfile.TemporaryDirectory(prefix="matchdev-") as tmp:
        app = mq.build_instance(Path(tmp), None)
        client = app.test_client()
        with app.app_context():
            for dem in demands:
                response = client.post("/api/v1/match/achievements", json={"text": dem["text"], "size": DEPTH})
                assert response.status_code == 200, response.get_data(as_text=True)
                runs[dem["qid"]]["matcher"] = [r["external_id"] for r in response.get_json()["results"]]

    out_dir = Path("/tmp/matchdev")
    out_dir.mkdir(exist_ok=True)
    with open(HERE / "pool.jsonl", "w", encoding="utf-8") as pool, \
            open(out_dir / "grading.jsonl", "w", encoding="utf-8") as grading:
        for dem in demands:
            found: dict[str, dict[str, int]] = defaultdict(dict)
            for ranker, ranked in runs[dem["qid"]].items():
                for rank, doc in enumerate(ranked, 1):
                    found[doc][ranker] = rank
            for doc in sorted(found):
                pool.write(json.dumps({"qid": dem["qid"], "doc": doc, "found_by": found[doc]},
                                      ensure_ascii=False) + "\n")
            shuffled = sorted(found)
            random.Random(f"grade-{dem['qid']}").shuffle(shuffled)
            for doc in shuffled:
                r = records[doc]
                grading.write(json.dumps({"qid": dem["qid"], "doc": doc, "title": r.get("title") or "",
                                          "abstract": r["abstract"]}, ensure_ascii=False) + "\n")
            print(dem["qid"], len(found), file=sys.stderr)


if __name__ == "__main__":
    main()
