"""Fuzz the JSON API with schemathesis over its own OpenAPI document (RELIABILITY 16); CI runs it (.ci/run).

A throw-away instance gets the demo data (``flask db upgrade``, ``flask demo load``, ``flask search reindex`` on the
embedded engine) and is served by gunicorn on a free local port. A member (researcher@demo) and a broker
(broker@demo) log in through the login form and create a write token each (``POST /api/v1/tokens`` in the browser
session: the only way tokens are issued). schemathesis then runs as each in turn, over that user's share of the
operations (:data:`SCOPE`), with a fixed seed, a bounded number of examples per operation, the phases
``examples,coverage,fuzzing,stateful`` (stateful: the document's ``links`` feed created records to later calls) and
the checks in :data:`CHECKS`.

Exits non-zero on any finding (or when the setup fails); the reports (JUnit XML, the failing cases as pytest code)
are in the printed directory. Usage::

    .venv/bin/python tools/fuzz_api.py [--examples 10] [--seed 20260505] [--keep] [--only member|broker]

schemathesis runs one worker thread: with two, hypothesis read lambdas' source with ``ast.parse`` in both threads at
once, and CPython 3.11 then raised "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905)
inside the generator, failing two CI runs with no finding about the API.

Rate limits are off on the fuzzed instance (a 429 answers the fuzzer's own load, not a request it made wrong). One
operation is left out: ``DELETE /api/v1/tokens/{token_id}`` would revoke the token the run authenticates with.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
VENV_BIN = Path(sys.executable).parent
PASSWORD = "demo12345"  # marketplace.demo.dataset.PASSWORD, the documented demo password (README)
USERS = {"member": "researcher@demo.techmarket.cn", "broker": "broker@demo.techmarket.cn"}
# Each operation is fuzzed once, as the user who can go furthest with it (a member only meets 403/404 on the staff's
# work): the broker takes review, contracts, the pipeline, statistics, quality, experts and challenge reviews and
# delivery; the member the rest. Both together stay within a few minutes on two cores.
STAFF_PATHS = (r"^/api/v1/(review|deals|opportunities|licences|statistics|quality|experts|challenge-reviews"
               r"|challenge-milestones|challenge-agreements)\b")
SCOPE = {"member": ("--exclude-path-regex", STAFF_PATHS), "broker": ("--include-path-regex", STAFF_PATHS)}
CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance",
          "content_type_conformance")
PHASES = "examples,coverage,fuzzing,stateful"
EXCLUDED = ("--exclude-name", "DELETE /api/v1/tokens/{token_id}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(instance: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "SEARCH_URL", "MAIL_SERVER", "MARKETPLACE_ENV", "SECRET_KEY"}}
    env.update(INSTANCE_PATH=str(instance), RATELIMIT_ENABLED="0", PYTHONUNBUFFERED="1",
               SESSION_COOKIE_SECURE="0")
    return env


def _flask(env: dict, log: Path, *args: str) -> None:
    started = time.monotonic()
    with log.open("ab") as out:
        status = subprocess.run([str(VENV_BIN / "python"), "-m", "flask", "--app", "wsgi", *args], cwd=REPO,
                                env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if status:
        sys.stdout.write(log.read_text(errors="replace")[-5000:])
        raise SystemExit(f"flask {' '.join(args)} failed ({status}); see {log}")
    print(f"   flask {' '.join(args)}: {time.monotonic() - started:.1f} s", flush=True)


def _serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60",
         "wsgi:app"], cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=30).ok:
                return server
        except requests.RequestException:  # not listening yet, or the workers still warming up
            pass
        time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit(f"gunicorn did not answer within 120 s; see {log}")


def _token(base: str, email: str) -> str:
    """Log ``email`` in through the login form and create a write token in that session (POST /api/v1/tokens)."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf},
                          timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise SystemExit(f"login of {email} answered {answer.status_code}")
    me = session.get(f"{base}/api/v1/me", timeout=30)
    created = session.post(f"{base}/api/v1/tokens", json={"name": "fuzz", "scope": "write"},
                           headers={"X-CSRFToken": me.headers["X-CSRFToken"]}, timeout=30)
    if created.status_code != 201:
        raise SystemExit(f"token for {email}: {created.status_code} {created.text[:300]}")
    return created.json()["token"]


def _schemathesis(base: str, token: str, role: str, args, reports: Path) -> int:
    command = [str(VENV_BIN / "schemathesis"), "--config-file", str(CONFIG), "run", f"{base}/api/v1/openapi.json",
               "--url", base,
               "--header", f"Authorization: Bearer {token}", "--seed", str(args.seed),
               "--max-examples", str(args.examples), "--phases", PHASES, "--checks", ",".join(CHECKS),
               "--workers", "1", "--request-timeout", "30", "--no-color", "--output-truncate", "true",
               "--suppress-health-check", "all", *EXCLUDED, *SCOPE[role],
               "--report", "junit,pytest", "--report-dir", str(reports / role), *args.extra]
    started = time.monotonic()
    print(f"== schemathesis as the {role} ({USERS[role]})", flush=True)
    status = subprocess.run(command, cwd=REPO).returncode
    print(f"   {role}: exit {status} in {time.monotonic() - started:.0f} s", flush=True)
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10, help="examples per operation and phase (default 10)")
    parser.add_argument("--seed", type=int, default=20260505)
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance and reports")
    parser.add_argument("--only", choices=sorted(USERS), help="run as one of the users only")
    parser.add_argument("extra", nargs="*", help="more schemathesis options (after --), e.g. --include-path-regex")
    args = parser.parse_args()

    started = time.monotonic()
    instance = Path(tempfile.mkdtemp(prefix="fuzz-api-"))
    env = _environment(instance)
    server = None
    statuses: dict[str, int] = {}
    try:
        print(f"== demo instance in {instance}", flush=True)
        for command in (("db", "upgrade"), ("demo", "load"), ("search", "reindex")):
            _flask(env, instance / "setup.log", *command)
        port = _free_port()
        server = _serve(env, port, instance / "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        for role in USERS:  # one after the other: side by side they only compete for the two cores
            if args.only in (None, role):
                statuses[role] = _schemathesis(base, _token(base, USERS[role]), role, args, instance / "reports")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    failed = not statuses or any(statuses.values())
    print(f"== fuzz: {'FINDINGS' if failed else 'no finding'} in {time.monotonic() - started:.0f} s "
          f"(seed {args.seed}, {args.examples} examples per operation)", flush=True)
    if failed or args.keep:
        print(f"   reports and server log: {instance}", flush=True)
    else:
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
