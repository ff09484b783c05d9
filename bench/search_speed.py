"""Search and matching speed at 100,000 achievements, end to end through the HTTP API served by gunicorn.

Records: import + index rate (achievements/s: `flask achievements import --publish` followed by
`flask search reindex`), match p50/p95 (POST /api/v1/match/achievements) and search-with-facets p50/p95
(GET /api/v1/search/achievements), server time from the Server-Timing header and client time over loopback.
Targets: match p95 ≤ 15 ms on the embedded engine and ≤ 25 ms on OpenSearch (:data:`MATCH_TARGET_MS`), search
p95 ≤ 30 ms, import + index ≥ 1,000/s.

    .venv/bin/python bench/search_speed.py [--rows 100000] [--requests 300] [--search-url opensearch://127.0.0.1:19200]
        [--semantic]

The free-text match and the search run with the product's default configuration (``bench_env``: only the background
drain is off), whatever ``MATCH_SEMANTIC``'s default is (a free-text match is lexical unless
``MATCH_SEMANTIC_FREE_TEXT`` is on), and before anything ``--semantic`` adds to the database.

``--semantic`` also measures a saved need, the matches of a published demand
(``GET /api/v1/demands/<id>/matches?kind=achievement&size=20``, with a read API token of a user of the demand's
organisation), with the semantic rerank (``MATCH_SEMANTIC=1``: the request reads stored vectors from
``semantic_vectors``, the demand's and its candidates', and never runs the encoder for a saved need) and without it
(``MATCH_SEMANTIC=0``), two gunicorn servers in turn on the same database, each warmed up by one match of every
demand (two at a time, so that both workers have done a first match), whose rankings are compared
(``demands_with_reordered_results``: the rerank is in effect). Before them:

- every achievement gets a real encoder vector without embedding N texts (about 150 ms each: 4 hours at 100,000).
  The corpus file cycles through the ~15,864 base records (``write_corpus_file``); a copy beyond the first cycle
  differs from its base record only by its title: the suffix ``（批次N）`` (for a base record without a title, whose
  title the importer derives from the abstract's first sentence, the copy's title is the suffix alone). So each base
  record's passage text is embedded once, or taken from ``bench/matching_quality.py``'s cache
  (``~/.cache/techmarket-bench/semantic-vectors.npz``, by text hash; the texts embedded here are added to it), and
  every copy carries its base record's vector, stored with the copy's own text hash (so it counts as fresh).
  The timing depends on the rows a request looks up, not on the vectors' values;
- one published demand per bench demand text (the 12 of ``../shared/bench/demands.jsonl`` and the 32 of
  ``bench/dev/demands.jsonl``; title: the first sentence cut to 30 characters; problem: the text, with "：寻求合作"
  added to a query shorter than the schema's 10 characters), owned by the enterprise :data:`DEMAND_ORG`, created,
  submitted and published through the services (a broker publishes), each embedded now (a fresh vector).

Results go to ``bench/results/search_speed_<engine>-semantic.json`` (``saved_demand_match``) with this option,
``search_speed_<engine>.json`` without it.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (PY, REPO, SHARED, bench_env, corpus_records, flask, gunicorn, percentiles,  # noqa: E402
                    save_result, timed_get, write_corpus_file)
from core_pages import ORG, SETUP  # noqa: E402

# Match p95 targets per engine (issue 11: embedded ≤ 15 ms, OpenSearch ≤ 25 ms through HTTP at 100,000 achievements).
MATCH_TARGET_MS = {"embedded": 15, "opensearch": 25, "elasticsearch": 25}

QUERIES = ["锂离子电池", "石墨烯 复合材料", "水稻 育种", "深度学习 图像识别", "废水 处理", "无人机", "传感器",
           "中药 提取", "光伏", "数控机床", "土壤 修复", "5G", "新能源汽车 电池管理", "纳米 催化剂", "肿瘤"]


def demand_texts() -> list[str]:
    with open(SHARED / "bench" / "demands.jsonl", encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle]


# -- --semantic: the saved-demand path -------------------------------------------------------------------------------

DEMAND_ORG = "基准测试企业"
DEMAND_USER = "search-bench-demand@example.cn"
DEMAND_BROKER = "search-bench-broker@example.cn"
SAVED_MATCH_URL = "/api/v1/demands/{id}/matches?kind=achievement&size=20"
PREPARED = "PREPARED "  # prefix of the line that carries prepare_semantic's figures to the parent process
SEMANTIC_NOTE = ("Copies beyond the corpus's first cycle (write_corpus_file) carry their base record's vector, "
                 "stored with the copy's own text hash: they differ from it only by the title suffix （批次N） (for "
                 "a base record without a title, whose title is derived from the abstract, the copy's title is the "
                 "suffix alone). The timing depends on the rows looked up, not on the vectors' values.")


def saved_demand_texts() -> list[str]:
    """The texts of the saved demands: the shared bench demands and the development ones of bench/dev."""
    texts = demand_texts()
    with open(REPO / "bench" / "dev" / "demands.jsonl", encoding="utf-8") as handle:
        texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return texts


def demand_fields(text: str) -> dict:
    """A demand's input for a bench text: title = first sentence (at most 30 characters), problem = the text."""
    first = text.split("。")[0].strip() or text
    title = first[:30]
    problem = text if len(text) >= 10 else f"{text}：寻求合作"  # DemandInput wants a problem of 10+ characters
    return {"title": title, "problem": problem, "industry": "manufacturing",
            "cooperation_modes": ["joint_development"]}


def _record_index(external_id: str | None) -> int | None:
    """The line number of an achievement in the corpus file (external ids ``bench-NNNNNN``)."""
    if not external_id or not external_id.startswith("bench-"):
        return None
    return int(external_id.split("-", 1)[1])


def _base_vectors(texts: dict[int, str]) -> tuple[dict[int, bytes], int, int, float]:
    """The vector (float16 bytes) of each base record's passage text, from the matching bench's cache by text hash
    or embedded now (then added to the cache): (vectors by base index, taken from the cache, embedded, seconds)."""
    import numpy as np

    from marketplace.matching import semantic
    from matching_quality import VECTOR_CACHE

    cache = dict(np.load(VECTOR_CACHE)) if VECTOR_CACHE.exists() else {}
    out: dict[int, bytes] = {}
    todo: list[tuple[int, str]] = []
    for base, text in texts.items():
        cached = cache.get(semantic.text_hash(text))
        if cached is not None:
            out[base] = np.asarray(cached, dtype=np.float16).tobytes()
        else:
            todo.append((base, text))
    print(f"semantic: {len(out)} base texts from the cache, {len(todo)} to embed", file=sys.stderr, flush=True)
    started = time.perf_counter()
    for start in range(0, len(todo), 64):
        batch = todo[start:start + 64]
        for (base, text), vector in zip(batch, semantic.embed([t for _, t in batch], background=True)):
            half = np.asarray(vector, dtype=np.float16)
            out[base] = half.tobytes()
            cache[semantic.text_hash(text)] = half
        if start // 64 % 10 == 0 or start + 64 >= len(todo):
            print(f"semantic: embedded {min(start + 64, len(todo))}/{len(todo)} "
                  f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    if todo:  # written aside then moved into place: a reader never sees half a file
        VECTOR_CACHE.parent.mkdir(parents=True, exist_ok=True)
        partial = VECTOR_CACHE.with_name(VECTOR_CACHE.stem + f".{os.getpid()}.tmp.npz")
        np.savez(partial, **cache)
        os.replace(partial, VECTOR_CACHE)
    return out, len(texts) - len(todo), len(todo), seconds


def _store_achievement_vectors() -> dict:
    """Give every achievement its base record's vector (see the module docstring), inserted in bulk."""
    from sqlalchemy import insert

    from marketplace.achievements.models import Achievement
    from marketplace.extensions import db
    from marketplace.matching import semantic
    from marketplace.matching.models import SemanticVector
    from marketplace.timeutil import utcnow

    cycle = len(corpus_records())
    started = time.perf_counter()
    own: list[tuple[int, int, str]] = []  # (achievement id, base index, hash of its own passage text)
    representative: dict[int, tuple[int, str]] = {}  # base index → (line, passage text) of its earliest record
    last = 0
    while True:  # in id chunks, the session emptied after each: 100,000 ORM objects are not kept at once
        chunk = db.session.execute(db.select(Achievement).where(Achievement.id > last)
                                   .order_by(Achievement.id).limit(5000)).scalars().all()
        if not chunk:
            break
        for record in chunk:
            line = _record_index(record.external_id)
            line = record.id - 1 if line is None else line
            text = semantic.passage_text("achievement", record)
            own.append((record.id, line % cycle, semantic.text_hash(text)))
            if line % cycle not in representative or line < representative[line % cycle][0]:
                representative[line % cycle] = (line, text)
        last = chunk[-1].id
        db.session.expunge_all()
    read_seconds = time.perf_counter() - started
    vectors, cached, embedded, embed_seconds = _base_vectors({b: text for b, (_, text) in representative.items()})
    started, now = time.perf_counter(), utcnow()
    rows = [{"kind": "achievement", "record_id": record_id, "text_hash": digest, "vector": vectors[base],
             "updated_at": now} for record_id, base, digest in own]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(SemanticVector), rows[start:start + 5000])
    db.session.commit()
    store_seconds = time.perf_counter() - started
    print(f"semantic: {len(rows)} achievement vectors stored in {store_seconds:.1f} s "
          f"(texts read in {read_seconds:.1f} s)", file=sys.stderr, flush=True)
    return {"achievement_vectors_stored": len(rows), "base_texts": len(representative),
            "base_texts_from_cache": cached, "base_texts_embedded": embedded,
            "embed_seconds": round(embed_seconds, 1), "store_seconds": round(store_seconds, 1),
            "read_texts_seconds": round(read_seconds, 1)}


def _saved_demands() -> dict:
    """The enterprise, its user with a read token, a broker, and one published demand per bench text, each with a
    fresh vector."""
    from marketplace.accounts import services as accounts
    from marketplace.demands import services as demands
    from marketplace.extensions import db
    from marketplace.matching import semantic
    from marketplace.review import services as review

    org = accounts.find_organization_by_name(DEMAND_ORG) or accounts.create_organization(
        DEMAND_ORG, "enterprise", "220000")
    user = accounts.register_user(DEMAND_USER, "基准测试需求方", "bench-password-1", organization=org,
                                  email_verified=True)
    broker = accounts.register_user(DEMAND_BROKER, "基准测试经纪人", "bench-password-1", platform_role="broker",
                                    email_verified=True)
    _token, secret = accounts.create_token(user, "search speed bench", "read")
    saved = []
    for text in saved_demand_texts():
        demand = demands.create_demand(user, demand_fields(text))
        review.submit(user, demand)
        review.publish(broker, demand)
        saved.append(demand)
    db.session.commit()
    started = time.perf_counter()
    texts = [semantic.passage_text("demand", demand) for demand in saved]
    for demand, text, vector in zip(saved, texts, semantic.embed(texts, background=True)):
        semantic.store("demand", demand.id, text, vector)
    db.session.commit()
    seconds = time.perf_counter() - started
    print(f"semantic: {len(saved)} demands published and embedded ({seconds:.1f} s)", file=sys.stderr, flush=True)
    return {"token": secret, "demand_ids": [demand.id for demand in saved],
            "demand_embed_seconds": round(seconds, 1)}


def prepare_semantic() -> None:
    """Run in a child process with the bench's environment (as the servers read it): vectors of every achievement,
    the saved demands and their vectors; prints the figures as JSON on a line starting with :data:`PREPARED`."""
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.matching import semantic
    from marketplace.matching.models import SemanticVector

    app = create_app({"MATCH_SEMANTIC": True, "MATCH_SEMANTIC_THREADS": os.cpu_count() or 1})
    with app.app_context():
        figures = _store_achievement_vectors()
        figures.update(_saved_demands())
        # every public record has a fresh vector: nothing the matcher reads is stale or missing
        stale = {kind: len(semantic.stale(kind, 10)) for kind in ("achievement", "demand")}
        if any(stale.values()):
            raise SystemExit(f"records without a fresh vector after the set-up: {stale}")
        figures["vectors_stored"] = db.session.execute(db.select(db.func.count()).select_from(SemanticVector)).scalar()
    print(PREPARED + json.dumps(figures), flush=True)


def _match_ids(url: str, headers: dict) -> tuple[list[int], float]:
    """(the ids of the results in order, client ms) of one saved-demand match."""
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        ids = [result["id"] for result in json.load(response)["results"]]
    return ids, (time.perf_counter() - started) * 1000


def measure_saved_demands(env: dict[str, str], requests: int) -> dict:
    """Set up the vectors and demands, then time the saved-demand matches with the semantic rerank and without."""
    child_env = {**env, "MATCH_SEMANTIC": "1"}
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            "import search_speed; search_speed.prepare_semantic()")
    done = subprocess.run([PY, "-c", code], cwd=REPO, env=child_env, check=True, stdout=subprocess.PIPE, text=True)
    figures = json.loads(next(line for line in done.stdout.splitlines() if line.startswith(PREPARED))[len(PREPARED):])
    headers = {"Authorization": f"Bearer {figures.pop('token')}"}
    ids = figures.pop("demand_ids")
    block: dict = {"url": SAVED_MATCH_URL, "demands": len(ids), "requests": requests, **figures,
                   "vectors_note": SEMANTIC_NOTE}
    rankings: dict[str, list[list[int]]] = {}
    for mode, switch in (("semantic", "1"), ("lexical", "0")):
        with gunicorn({**env, "MATCH_SEMANTIC": switch}, workers=2) as base:
            # warm-up: every demand once, two at a time so that both workers load what a first match loads (caches,
            # copies of the stored vectors); each ranking is kept to compare the two modes
            with ThreadPoolExecutor(2) as pool:
                warm = list(pool.map(lambda i: _match_ids(base + SAVED_MATCH_URL.format(id=i), headers), ids))
            rankings[mode] = [ranking for ranking, _ in warm]
            samples = [timed_get(base + SAVED_MATCH_URL.format(id=ids[n % len(ids)]), None, headers)
                       for n in range(requests)]
        block[mode] = {"server_ms": percentiles([s for s, _, _ in samples]),
                       "client_ms": percentiles([c for _, c, _ in samples]),
                       "non_200": sum(1 for *_, status in samples if status != 200),
                       "warmup_slowest_client_ms": round(max(ms for _, ms in warm), 1)}
    # the rerank in effect: demands whose 20 results (ids in order) differ between the two servers
    block["demands_with_reordered_results"] = sum(1 for a, b in zip(rankings["semantic"], rankings["lexical"])
                                                  if a != b)
    block["mean_results"] = round(sum(len(r) for r in rankings["semantic"]) / len(ids), 1)
    return block


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--search-url", default="")
    parser.add_argument("--semantic", action="store_true",
                        help="also time a saved demand's matches with and without the semantic rerank")
    args = parser.parse_args()
    engine = "embedded" if not args.search_url else args.search_url.split(":")[0]

    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        env = bench_env(Path(tmp) / "instance", SEARCH_URL=args.search_url)
        flask(env, "db", "upgrade")
        subprocess.run([PY, "-c", SETUP], cwd=REPO, env=env, check=True)
        source = write_corpus_file(Path(tmp) / "achievements.jsonl", args.rows)
        started = time.perf_counter()
        flask(env, "achievements", "import", str(source), "--org", ORG, "--publish")
        imported = time.perf_counter()
        result = flask(env, "search", "reindex", check=False)
        if result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-2000:])
            raise SystemExit("reindex failed")
        indexed = time.perf_counter()
        rate = args.rows / (indexed - started)
        print(f"import {imported - started:.1f} s + index {indexed - imported:.1f} s = {rate:,.0f} achievements/s")

        rng = random.Random(11)
        texts = demand_texts()
        with gunicorn(env, workers=2) as base:
            for text in texts[:6]:  # warm up both workers (index readers, caches) before measuring
                body = json.dumps({"text": text, "size": 10}).encode()
                timed_get(base + "/api/v1/match/achievements", body, {"Content-Type": "application/json"})
                timed_get(base + "/api/v1/search/achievements?q=" + urllib.parse.quote(QUERIES[0]))
            match = []
            for i in range(args.requests):
                text = texts[i % len(texts)] if i % 2 == 0 else rng.choice(QUERIES) + " 技术合作"
                body = json.dumps({"text": text, "size": 10}).encode()
                match.append(timed_get(base + "/api/v1/match/achievements", body,
                                       {"Content-Type": "application/json"}))
            search = []
            for _ in range(args.requests):
                params = {"q": rng.choice(QUERIES), "page": rng.randint(1, 3)}
                if rng.random() < 0.5:
                    params["technical_field"] = rng.choice(["new_materials", "ai", "agriculture", "other"])
                search.append(timed_get(base + "/api/v1/search/achievements?" + urllib.parse.urlencode(params)))
        saved = measure_saved_demands(env, args.requests) if args.semantic else None

    report = {"engine": engine, "rows": args.rows, "import_seconds": round(imported - started, 1),
              "index_seconds": round(indexed - imported, 1), "import_and_index_per_s": round(rate),
              "targets": {"match_p95_ms": MATCH_TARGET_MS.get(engine, 25), "search_p95_ms": 30,
                          "import_and_index_per_s": 1000}}
    for name, samples in (("match", match), ("search_facets", search)):
        report[name] = {"server_ms": percentiles([s for s, _, _ in samples]),
                        "client_ms": percentiles([c for _, c, _ in samples]),
                        "non_200": sum(1 for *_, status in samples if status != 200)}
        print(f"{name:13s} server p50 {report[name]['server_ms']['p50']:6.2f} ms  p95 "
              f"{report[name]['server_ms']['p95']:6.2f} ms   (client p95 {report[name]['client_ms']['p95']:.2f} ms)")
    name = f"search_speed_{engine}"
    if saved is not None:
        report["saved_demand_match"] = saved
        for mode in ("semantic", "lexical"):
            timing = saved[mode]
            print(f"saved demand ({mode:8s}) server p50 {timing['server_ms']['p50']:6.2f} ms  p95 "
                  f"{timing['server_ms']['p95']:6.2f} ms   (client p95 {timing['client_ms']['p95']:.2f} ms; "
                  f"slowest warm-up {timing['warmup_slowest_client_ms']:.0f} ms)")
        print(f"{saved['achievement_vectors_stored']} achievement vectors ({saved['base_texts_from_cache']} base "
              f"texts from the cache, {saved['base_texts_embedded']} embedded in {saved['embed_seconds']} s), "
              f"{saved['demands']} demands; results reordered by the rerank for "
              f"{saved['demands_with_reordered_results']} of them")
        if saved["semantic"]["server_ms"]["p50"] > 50:
            print("warning: the semantic saved-demand p50 is over 50 ms (a saved need should not run the encoder "
                  "in the request: see where the time goes)")
        name += "-semantic"
    print("recorded in", save_result(name, report))


if __name__ == "__main__":
    main()
