"""Concurrent load with nothing lost (issue 13, item 4).

gunicorn with 4 workers and a separate ``flask search worker`` (the outbox drain, embedded engine) on a fresh
instance holding the demo data, SQLite file database or PostgreSQL. 50 users for 60 s, each logged in through the
real login form (for pages) and holding a write-scoped API token of the same demo account (for the API), mix:
browsing list and detail pages, search (page and API), matching (page and API), creating drafts, editing them with
``PATCH`` + ``If-Match``, submitting them for review, sending inquiries and messages.

Checks, each one failing the run (exit status 1):
  * no 5xx and no connection error; no "database is locked" in any answer or in the servers' logs;
  * every acknowledged write (2xx) is in the database afterwards: created drafts with the title, version and status
    of their last acknowledged change, inquiries, messages with their text;
  * after the outbox drains, for every searchable kind the index holds as many documents as the database has
    searchable records, at the same versions (nothing missing, stale or extra).

Records throughput and p50/p95/p99 (client-side, ms) per request kind and the machine's load average in
``bench/results/load_<db>.json`` and ``.md``. Rate limits are off (as in the other benchmarks: 50 users share one
IP address and per-user hourly limits would answer 429 rather than exercise the database).

    .venv/bin/python bench/load_test.py --db sqlite
    .venv/bin/python bench/load_test.py --db postgres     # scripts/postgres-test.sh on a private port and folder
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PY, REPO, bench_env, flask, free_port  # noqa: E402

RESULTS = REPO / "bench" / "results"
LOCKED = "database is locked"
SEARCH_WORDS = ["锂电池", "传感器", "催化剂", "智能制造", "疫苗", "机器人", "新材料", "光伏", "检测", "算法", "玉米",
                "污水处理", "激光", "医疗器械", "储能", "图像识别", "复合材料", "新能源汽车", "中药", "芯片"]
# (kind, weight): one action per iteration, chosen by weight
MIX = [("page_list", 14), ("page_detail", 14), ("page_search", 8), ("api_search", 8), ("page_matches", 5),
       ("api_match", 6), ("api_detail", 6), ("edit", 14), ("create", 5), ("submit", 4), ("inquiry", 4),
       ("message", 8), ("page_workspace", 4)]
WRITES = {"create", "edit", "submit", "inquiry", "message"}

PREPARE = r"""
import json, sys
from marketplace import create_app
from marketplace.accounts import services
from marketplace.accounts.models import Membership, User
from marketplace.achievements.models import Achievement
from marketplace.demands.models import Demand
from marketplace.extensions import db
from marketplace.inquiries.models import Inquiry
from marketplace.patents.models import Patent

users = int(sys.argv[1])
app = create_app()
with app.app_context():
    members = db.session.execute(db.select(User, Membership.org_id).join(Membership, Membership.user_id == User.id)
                                 .where(User.platform_role.is_(None)).order_by(User.id)).all()
    chosen = []
    for user, org_id in members[:users]:
        _, secret = services.create_token(user, "load test", "write")
        chosen.append({"id": user.id, "email": user.email, "org_id": org_id, "token": secret})
    db.session.commit()
    def published(model):
        return [list(row) for row in db.session.execute(
            db.select(model.id, model.org_id).where(model.status == "published").order_by(model.id))]
    demands = db.session.execute(db.select(Demand.id, Demand.org_id, Demand.title)
                                 .where(Demand.status == "published")).all()
    inquiries = db.session.execute(db.select(Inquiry.id, Inquiry.asker_org_id, Inquiry.holder_org_id)
                                   .where(Inquiry.status.in_(["open", "answered"]))).all()
    print(json.dumps({"users": chosen, "achievements": published(Achievement), "patents": published(Patent),
                      "demands": [[i, o, t] for i, o, t in demands],
                      "inquiries": [list(row) for row in inquiries]}))
"""

VERIFY = r"""
import json, sys
from marketplace import create_app
from marketplace.achievements.models import Achievement
from marketplace.extensions import db
from marketplace.indexing import indexer, reconcile
from marketplace.indexing.documents import KINDS
from marketplace.indexing.runtime import get_engine
from marketplace.inquiries.models import Inquiry, InquiryMessage

acks = json.load(open(sys.argv[1], encoding="utf-8"))
app = create_app()
problems = []
with app.app_context():
    for rid, want in acks["achievements"].items():
        record = db.session.get(Achievement, int(rid))
        if record is None:
            problems.append(f"achievement {rid} acknowledged but missing")
            continue
        have = {"title": record.title, "version": record.version, "status": str(record.status)}
        if have != want:
            problems.append(f"achievement {rid}: acknowledged {want}, database {have}")
    for iid in acks["inquiries"]:
        if db.session.get(Inquiry, int(iid)) is None:
            problems.append(f"inquiry {iid} acknowledged but missing")
    for mid, body in acks["messages"].items():
        message = db.session.get(InquiryMessage, int(mid))
        if message is None or message.body != body:
            problems.append(f"message {mid} acknowledged but {'missing' if message is None else 'different'}")
    pending = indexer.pending_count()
    engine = get_engine(app)
    index = {}
    for kind in KINDS:
        diff = reconcile.compare(engine, kind)
        count = engine.count(kind)
        index[kind] = {"database": diff.expected, "index": count, "missing": len(diff.missing),
                       "stale": len(diff.stale), "extra": len(diff.extra)}
        if count != diff.expected or diff.problems:
            problems.append(f"index {kind}: {index[kind]}")
    if pending:
        problems.append(f"{pending} outbox rows still pending")
    counts = {"achievements": db.session.scalar(db.select(db.func.count()).select_from(Achievement)),
              "inquiries": db.session.scalar(db.select(db.func.count()).select_from(Inquiry)),
              "messages": db.session.scalar(db.select(db.func.count()).select_from(InquiryMessage))}
print(json.dumps({"problems": problems, "index": index, "outbox_pending": pending, "counts": counts,
                  "checked": {k: len(v) for k, v in acks.items()}}))
"""

PENDING = r"""
from marketplace import create_app
from marketplace.indexing import indexer
app = create_app()
with app.app_context():
    print(indexer.pending_count())
"""


class Recorder:
    """Latencies, statuses and failures per request kind (thread-safe), and the acknowledged writes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.failures: list[str] = []
        self.acks = {"achievements": {}, "inquiries": [], "messages": {}}

    def request(self, kind: str, session: requests.Session, method: str, url: str, **kw) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=120, allow_redirects=False, **kw)
        except requests.RequestException as exc:
            with self.lock:
                self.statuses[kind]["error"] += 1
                self.failures.append(f"{kind} {method} {url}: {type(exc).__name__}: {exc}")
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies[kind].append(elapsed)
            self.statuses[kind][response.status_code] += 1
            if response.status_code >= 500 or LOCKED in response.text:
                self.failures.append(f"{kind} {method} {url}: {response.status_code} {response.text[:300]!r}")
        return response

    def ack_achievement(self, record: dict) -> None:
        with self.lock:
            self.acks["achievements"][str(record["id"])] = {"title": record["title"], "version": record["version"],
                                                           "status": record["status"]}


class User(threading.Thread):
    """One simulated user: a logged-in browser session and an API client with a token, acting until ``deadline``."""

    def __init__(self, base: str, account: dict, world: dict, recorder: Recorder, deadline: float, seed: int):
        super().__init__(daemon=True)
        self.base, self.api = base, base + "/api/v1"
        self.account, self.world, self.rec, self.deadline = account, world, recorder, deadline
        self.rng = random.Random(seed)
        self.web = requests.Session()
        self.client = requests.Session()
        self.client.headers["Authorization"] = f"Bearer {account['token']}"
        self.drafts: dict[int, int] = {}  # own draft id → version last acknowledged
        org = account["org_id"]
        self.inquiries = [i for i, asker, holder in world["inquiries"] if org in (asker, holder)]
        self.others = [(kind, rid) for kind in ("achievements", "patents", "demands")
                       for rid, owner, *_ in world[kind] if owner != org]
        self.own = [(kind, rid) for kind in ("achievements", "demands") for rid, owner, *_ in world[kind]
                    if owner == org]
        self.serial = 0

    def login(self) -> None:
        page = self.web.get(self.base + "/login", timeout=60)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.web.post(self.base + "/login", data={"email": self.account["email"], "password": "demo12345",
                                                           "csrf_token": token}, allow_redirects=False, timeout=60)
        if answer.status_code != 302:
            raise RuntimeError(f"login of {self.account['email']} failed: {answer.status_code}")

    def run(self) -> None:
        kinds, weights = zip(*MIX)
        while time.monotonic() < self.deadline:
            kind = self.rng.choices(kinds, weights)[0]
            try:
                getattr(self, kind)()
            except Exception as exc:  # noqa: BLE001 - a client-side bug is reported, not hidden
                with self.rec.lock:
                    self.rec.failures.append(f"{kind}: client error {type(exc).__name__}: {exc}")

    # -- reading ------------------------------------------------------------------------------------------------
    def page_list(self) -> None:
        path = self.rng.choice(["/achievements", "/demands", "/patents", "/challenges", "/orgs"])
        self.rec.request("page_list", self.web, "GET", f"{self.base}{path}?page={self.rng.randint(1, 5)}")

    def page_detail(self) -> None:
        kind = self.rng.choice(["achievements", "patents", "demands"])
        rid = self.rng.choice(self.world[kind])[0]
        self.rec.request("page_detail", self.web, "GET", f"{self.base}/{kind}/{rid}")

    def api_detail(self) -> None:
        kind = self.rng.choice(["achievements", "patents", "demands"])
        rid = self.rng.choice(self.world[kind])[0]
        self.rec.request("api_detail", self.client, "GET", f"{self.api}/{kind}/{rid}")

    def page_search(self) -> None:
        self.rec.request("page_search", self.web, "GET", f"{self.base}/search",
                         params={"q": self.rng.choice(SEARCH_WORDS)})

    def api_search(self) -> None:
        kind = self.rng.choice(["achievements", "demands", "patents"])
        self.rec.request("api_search", self.client, "GET", f"{self.api}/search/{kind}",
                         params={"q": self.rng.choice(SEARCH_WORDS)})

    def page_matches(self) -> None:
        """The matching page of one of the user's organisation's published listings (others' are not shown to
        members); users whose organisation has none ask the matching API instead."""
        if not self.own:
            return self.api_match()
        kind, rid = self.rng.choice(self.own)
        self.rec.request("page_matches", self.web, "GET", f"{self.base}/{kind}/{rid}/matches")

    def api_match(self) -> None:
        text = self.rng.choice(self.world["demands"])[2]
        kind = self.rng.choice(["achievements", "patents"])
        self.rec.request("api_match", self.client, "POST", f"{self.api}/match/{kind}", json={"text": text, "size": 10})

    def page_workspace(self) -> None:
        self.rec.request("page_workspace", self.web, "GET", f"{self.base}/workspace")

    # -- writing ------------------------------------------------------------------------------------------------
    def _title(self) -> str:
        self.serial += 1
        return f"负载测试成果 {self.account['id']}-{self.serial} {self.rng.choice(SEARCH_WORDS)}"

    def create(self) -> None:
        body = {"title": self._title(), "summary": "并发负载测试写入的草稿，用于检验每一次确认的写入都保存在数据库中。",
                "technical_field": "new_materials", "keywords": ["负载测试"], "trl": 5,
                "transfer_modes": ["licence"], "price_amount": 50}
        response = self.rec.request("create", self.client, "POST", f"{self.api}/achievements", json=body)
        if response is not None and response.status_code == 201:
            record = response.json()
            self.rec.ack_achievement(record)
            self.drafts[record["id"]] = record["version"]

    def edit(self) -> None:
        if not self.drafts:
            return self.create()
        rid = self.rng.choice(list(self.drafts))
        current = self.rec.request("edit", self.client, "GET", f"{self.api}/achievements/{rid}")
        if current is None or current.status_code != 200:
            return
        response = self.rec.request("edit", self.client, "PATCH", f"{self.api}/achievements/{rid}",
                                    json={"title": self._title()}, headers={"If-Match": current.headers["ETag"]})
        if response is not None and response.status_code == 200:
            record = response.json()
            self.rec.ack_achievement(record)
            self.drafts[rid] = record["version"]

    def submit(self) -> None:
        if not self.drafts:
            return self.create()
        rid = self.rng.choice(list(self.drafts))
        response = self.rec.request("submit", self.client, "POST", f"{self.api}/achievements/{rid}/submit",
                                    headers={"If-Match": f'"{self.drafts[rid]}"'})
        if response is not None and response.status_code == 200:
            self.rec.ack_achievement(response.json())
            del self.drafts[rid]

    def inquiry(self) -> None:
        kind, rid = self.rng.choice(self.others)
        body = {"subject_kind": kind[:-1], "subject_id": rid, "cooperation_mode": "licence",
                "message": "您好，我们对该项目很感兴趣，希望进一步了解合作条件。"}
        response = self.rec.request("inquiry", self.client, "POST", f"{self.api}/inquiries", json=body)
        if response is not None and response.status_code == 201:
            inquiry = response.json()
            with self.rec.lock:
                self.rec.acks["inquiries"].append(inquiry["id"])
            self.inquiries.append(inquiry["id"])

    def message(self) -> None:
        if not self.inquiries:
            return self.inquiry()
        iid = self.rng.choice(self.inquiries)
        text = f"负载测试消息 {self.account['id']}-{self._title()}"
        response = self.rec.request("message", self.client, "POST", f"{self.api}/inquiries/{iid}/messages",
                                    json={"body": text})
        if response is not None and response.status_code == 201:
            with self.rec.lock:
                self.rec.acks["messages"][str(response.json()["id"])] = text
        elif response is not None and response.status_code == 409:  # declined or closed meanwhile
            self.inquiries.remove(iid)


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 1)

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 1)}


def start_postgres() -> tuple[str, dict]:
    """A PostgreSQL server of this run's own: a free port and a folder the postgres user can reach (not inside the
    run's private temporary folder)."""
    env = dict(os.environ, PGTEST_PORT=str(free_port()), PGTEST_DIR=f"/tmp/load-test-pg-{os.getpid()}")
    url = subprocess.run([str(REPO / "scripts" / "postgres-test.sh"), "start"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    return url, env


def wait_for(base: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while True:
        try:
            if requests.get(base + "/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.time() > deadline or proc.poll() is not None:
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.5)


def run(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="load-test-"))
    instance = workdir / "instance"
    pg_env = None
    extra = {}
    if args.db == "postgres":
        url, pg_env = start_postgres()
        extra["DATABASE_URL"] = url
    env = bench_env(instance, **extra)
    procs: list[subprocess.Popen] = []
    try:
        started = time.perf_counter()
        flask(env, "db", "upgrade")
        flask(env, "demo", "load")
        flask(env, "search", "reindex")
        world = json.loads(subprocess.run([PY, "-c", PREPARE, str(args.users)], cwd=REPO, env=env, check=True,
                                          capture_output=True, text=True).stdout)
        print(f"instance ready in {time.perf_counter() - started:.0f} s ({args.db}, {workdir}); "
              f"{len(world['users'])} users")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server_log = open(workdir / "gunicorn.log", "w")
        worker_log = open(workdir / "search-worker.log", "w")
        server = subprocess.Popen([PY, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "--timeout", "120", "wsgi:app"],
                                  cwd=REPO, env=env, stdout=server_log, stderr=subprocess.STDOUT)
        procs.append(server)
        indexer = subprocess.Popen([PY, "-m", "flask", "--app", "wsgi", "search", "worker"], cwd=REPO, env=env,
                                   stdout=worker_log, stderr=subprocess.STDOUT)
        procs.append(indexer)
        wait_for(base, server)

        recorder = Recorder()
        deadline = time.monotonic() + 3600
        users = [User(base, account, world, recorder, deadline, seed=args.seed + n)
                 for n, account in enumerate(world["users"])]
        for user in users:
            user.login()
        load_before = os.getloadavg()
        loads = []
        begun = time.monotonic()
        for user in users:
            user.deadline = begun + args.seconds
            user.start()
        while any(user.is_alive() for user in users):
            loads.append(os.getloadavg()[0])
            time.sleep(5)
        elapsed = time.monotonic() - begun
        load_after = os.getloadavg()
        print(f"load done in {elapsed:.1f} s; waiting for the outbox to drain")

        drain_deadline = time.time() + 120
        while True:
            pending = int(subprocess.run([PY, "-c", PENDING], cwd=REPO, env=env, check=True, capture_output=True,
                                         text=True).stdout)
            if pending == 0 or time.time() > drain_deadline:
                break
            time.sleep(1)
        drained_after = time.time() - (drain_deadline - 120)
        for proc in (indexer, server):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        server_log.close()
        worker_log.close()
        logs = (workdir / "gunicorn.log").read_text(errors="replace") + \
            (workdir / "search-worker.log").read_text(errors="replace")

        acks_path = workdir / "acks.json"
        acks_path.write_text(json.dumps(recorder.acks, ensure_ascii=False), encoding="utf-8")
        verify = json.loads(subprocess.run([PY, "-c", VERIFY, str(acks_path)], cwd=REPO, env=env, check=True,
                                           capture_output=True, text=True).stdout)

        problems = list(recorder.failures) + verify["problems"]
        if LOCKED in logs:
            problems.append(f"'{LOCKED}' in the server logs ({logs.count(LOCKED)} times)")
        if "Traceback" in logs:
            problems.append(f"{logs.count('Traceback')} tracebacks in the server logs (see {workdir})")
        total = sum(len(v) for v in recorder.latencies.values())
        kinds = {}
        for kind, _ in MIX:
            values = recorder.latencies.get(kind, [])
            kinds[kind] = {**percentiles(values), "per_second": round(len(values) / elapsed, 2),
                           "statuses": {str(k): v for k, v in sorted(recorder.statuses[kind].items(), key=str)}}
        result = {
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": f"{os.cpu_count()} cores",
            "command": f"bench/load_test.py --db {args.db}", "commit": _commit(), "database": args.db, "gunicorn_workers": args.workers,
            "users": len(users), "seconds": round(elapsed, 1), "requests": total,
            "throughput_per_second": round(total / elapsed, 1),
            "writes_acknowledged": {k: len(v) for k, v in recorder.acks.items()},
            "load_average": {"before": [round(x, 2) for x in load_before],
                             "during_1min_samples": [round(x, 2) for x in loads],
                             "after": [round(x, 2) for x in load_after]},
            "outbox_drained_within_seconds": round(drained_after, 1), "index": verify["index"],
            "database_counts": verify["counts"], "kinds": kinds,
            "problems": problems[:50], "problem_count": len(problems), "passed": not problems,
        }
        if not args.no_save:
            save(result)
        print(json.dumps({k: result[k] for k in ("requests", "throughput_per_second", "writes_acknowledged",
                                                 "load_average", "problem_count", "passed")}, ensure_ascii=False))
        for kind, row in kinds.items():
            print(f"  {kind:<15} n={row.get('n', 0):>5} p50={row.get('p50', '-'):>7} p95={row.get('p95', '-'):>7} "
                  f"p99={row.get('p99', '-'):>7}  {row['statuses']}")
        for problem in problems[:30]:
            print("PROBLEM:", problem)
        return 0 if not problems else 1
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if pg_env is not None:
            subprocess.run([str(REPO / "scripts" / "postgres-test.sh"), "stop"], env=pg_env, check=False)
            shutil.rmtree(pg_env["PGTEST_DIR"], ignore_errors=True)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _commit() -> str:
    """The commit measured (with ``+changes`` when the working tree differs from it)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                           text=True).stdout
    return head.strip() + ("+changes" if dirty.strip() else "")


def save(result: dict) -> None:
    name = f"load_{result['database']}"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Load test on {result['database']}: {result['users']} users, {result['seconds']} s, "
             f"gunicorn {result['gunicorn_workers']} workers + `flask search worker` (embedded engine)", "",
             f"`{result['command']}` at {result['commit']} — recorded {result['recorded_at']} on {result['machine']}; "
             "load average "
             f"before {result['load_average']['before']}, after {result['load_average']['after']} "
             "(other jobs shared the machine).", "",
             f"**{'PASSED' if result['passed'] else 'FAILED'}**: {result['requests']} requests, "
             f"{result['throughput_per_second']} per second; acknowledged writes {result['writes_acknowledged']} all "
             f"found in the database; problems: {result['problem_count']}; outbox drained within "
             f"{result['outbox_drained_within_seconds']} s after the load; index = database for every kind: "
             + ", ".join(f"{k} {v['index']}/{v['database']}" for k, v in result["index"].items()) + ".", "",
             "Latency is measured at the client. The users send their next request as soon as the last one is "
             "answered (no think time), so it is mostly the wait for one of the gunicorn workers: about users / "
             "throughput; the throughput is what the CPU left by other jobs allowed.", "",
             "| request kind | n | per s | p50 ms | p95 ms | p99 ms | max ms | statuses |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for kind, row in result["kinds"].items():
        lines.append(f"| {kind} | {row.get('n', 0)} | {row['per_second']} | {row.get('p50', '')} | "
                     f"{row.get('p95', '')} | {row.get('p99', '')} | {row.get('max', '')} | {row['statuses']} |")
    if result["problems"]:
        lines += ["", "Problems:", *[f"- {p}" for p in result["problems"]]]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder and the logs")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
