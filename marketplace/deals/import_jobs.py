"""Deal imports started from the page. Each upload becomes a job with a random token: the file and a status file
(JSON) in the instance folder, so any worker process can show its progress and its report. A file of up to
``DEAL_IMPORT_INLINE_ROWS`` rows (default :data:`INLINE_ROWS`) is imported in the request; a larger one in a
background thread of the worker that received it, which writes its progress to the status file as it goes
(the page reloads itself until the job is done). The per-row report stays available as CSV.

A job whose status has not moved for :data:`STALE_AFTER` seconds (its worker was restarted) is shown as
interrupted; importing the file again is safe, the import being idempotent."""
from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from pathlib import Path

from flask import current_app

from ..extensions import db
from ..timeutil import utcnow
from ..web.messages import N_
from .importer import FormatError, ImportReport, count_rows, detect_format, import_file, require_importer

INLINE_ROWS = 300
STALE_AFTER = 600
KEEP_FOR = 7 * 24 * 3600  # a job's status and report are kept a week
PROGRESS_EVERY = 0.5  # seconds between status writes
JOB_DIR = "deal_imports"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
THREADS: dict[str, threading.Thread] = {}


def _dir() -> Path:
    path = Path(current_app.instance_path) / JOB_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def _forget_old_jobs() -> None:
    cutoff = time.time() - KEEP_FOR
    for path in _dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def _status_path(token: str) -> Path:
    return _dir() / f"{token}.json"


def _write(token: str, status: dict) -> None:
    status["touched"] = time.time()
    path = _status_path(token)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(status, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def read_status(token: str) -> dict | None:
    """The job's status (``state``: running, done, failed or interrupted; ``done``/``total`` rows; ``report``)."""
    if not _TOKEN.match(token or ""):
        return None
    try:
        status = json.loads(_status_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if status["state"] == "running" and time.time() - status.get("touched", 0) > STALE_AFTER:
        status["state"] = "interrupted"
    return status


def report_of(status: dict) -> ImportReport | None:
    return ImportReport.from_dict(status["report"]) if status.get("report") else None


def start(actor, stream, filename: str) -> tuple[str, dict]:
    """Save the upload and import it: now when it is small, else in the background. Returns the token and status.

    Raises :class:`~.importer.FormatError` for a file name whose format is not supported."""
    require_importer(actor)
    fmt = detect_format(filename)
    _forget_old_jobs()
    token = secrets.token_urlsafe(18)
    upload = _dir() / f"{token}.{fmt}"
    with open(upload, "wb") as target:
        while chunk := stream.read(1 << 20):
            target.write(chunk)
    total = count_rows(upload, fmt)
    status = {"token": token, "state": "running", "filename": filename, "format": fmt, "total": total, "done": 0,
              "actor_id": actor.id, "started_at": utcnow().isoformat(timespec="seconds"), "report": None}
    _write(token, status)
    if total <= current_app.config.get("DEAL_IMPORT_INLINE_ROWS", INLINE_ROWS):
        run(token, actor)
        return token, read_status(token)
    app = current_app._get_current_object()
    thread = threading.Thread(target=_background, args=(app, token, actor.id), name=f"deal-import-{token[:8]}",
                              daemon=True)
    THREADS[token] = thread
    thread.start()
    return token, status


def _background(app, token: str, actor_id: int) -> None:
    from ..accounts.models import User

    with app.app_context():
        try:
            run(token, db.session.get(User, actor_id))
        finally:
            db.session.remove()
            THREADS.pop(token, None)


def run(token: str, actor) -> None:
    """Import the job's file as ``actor``, writing progress to its status file; the file is removed after."""
    status = read_status(token)
    upload = _dir() / f"{token}.{status['format']}"
    last = 0.0

    def progress(n: int) -> None:
        nonlocal last
        status["done"] += n
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY:
            last = now
            _write(token, status)

    try:
        report = import_file(actor, upload, status["format"], source=status["filename"], progress=progress)
    except FormatError as error:
        db.session.rollback()
        status.update(state="failed", message=str(error))
    except Exception:
        db.session.rollback()
        current_app.logger.exception("deal import %s failed", token)
        status.update(state="failed", message=N_("导入中断：服务器内部错误，已保存的行不受影响，可重新导入同一文件"))
    else:
        status.update(state="done", done=report.rows, total=max(status["total"], report.rows),
                      report=report.to_dict())
    finally:
        upload.unlink(missing_ok=True)
    _write(token, status)
