"""Embedded-engine specifics: cross-process visibility, the single-writer lock, on-disk generations."""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from search import SearchQuery, SearchUnavailable, WriterBusy, create_engine
from search.embedded import EmbeddedEngine
from search.embedded_store import KindStore

from .conftest import REPO, achievement


def test_create_engine_default_is_embedded_in_instance_folder(tmp_path):
    engine = create_engine(None, str(tmp_path))
    assert isinstance(engine, EmbeddedEngine)
    assert engine.root == tmp_path / "search-index"
    engine.ensure_indices()
    assert (tmp_path / "search-index" / "achievement" / "CURRENT").read_text() == "gen-1"
    assert isinstance(create_engine("", str(tmp_path)), EmbeddedEngine)


def test_search_before_ensure_indices_creates_them(tmp_path):
    engine = EmbeddedEngine(tmp_path / "idx")
    assert engine.search(SearchQuery("achievement", text="任何")).total == 0
    assert engine.count("patent") == 0


def test_commit_visible_to_another_process_within_two_seconds(tmp_path):
    path = tmp_path / "idx"
    engine = EmbeddedEngine(path)
    engine.ensure_indices()
    with subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(REPO)!r})
            from search import SearchQuery
            from search.embedded import EmbeddedEngine
            engine = EmbeddedEngine({str(path)!r})
            assert engine.search(SearchQuery("achievement", text="石墨烯")).total == 0
            print("ready", flush=True)
            sys.stdin.readline()
            started = time.monotonic()
            while time.monotonic() - started < 5:
                if engine.search(SearchQuery("achievement", text="石墨烯")).total == 1:
                    print(f"seen {{time.monotonic() - started:.3f}}", flush=True)
                    break
                time.sleep(0.01)
            else:
                print("not seen", flush=True)
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO) as reader:
        assert reader.stdout.readline().strip() == "ready"
        engine.bulk([achievement(1, title="石墨烯 散热膜")])
        reader.stdin.write("go\n")
        reader.stdin.flush()
        line = reader.stdout.readline().strip()
        reader.wait(timeout=30)
    assert line.startswith("seen"), line
    assert float(line.split()[1]) < 2.0


def test_second_writer_process_gets_writer_busy(tmp_path):
    engine = EmbeddedEngine(tmp_path / "idx", lock_timeout=0.2)
    engine.ensure_indices()
    lock_path = tmp_path / "idx" / "achievement" / "write.lock"
    with subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import fcntl, os, sys
            fd = os.open({str(lock_path)!r}, os.O_RDWR | os.O_CREAT)
            fcntl.flock(fd, fcntl.LOCK_EX)
            print("locked", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline().strip() == "locked"
            started = time.monotonic()
            with pytest.raises(WriterBusy) as info:
                engine.bulk([achievement(1)])
            assert isinstance(info.value, SearchUnavailable)
            assert time.monotonic() - started < 2
            assert engine.search(SearchQuery("achievement")).total == 0  # readers are not blocked
        finally:
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(timeout=10)
    assert engine.bulk([achievement(1)]).items[0].ok  # the lock is free again
    assert engine.count("achievement") == 1


def test_lock_is_released_after_each_bulk(tmp_path):
    engine = EmbeddedEngine(tmp_path / "idx")
    engine.bulk([achievement(1)])
    fd = os.open(tmp_path / "idx" / "achievement" / "write.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # would raise BlockingIOError if still held
    finally:
        os.close(fd)


def test_rebuild_swaps_generation_and_keeps_the_previous_one(tmp_path):
    engine = EmbeddedEngine(tmp_path / "idx")
    engine.bulk([achievement(1, title="第一代")])
    other_process_view = EmbeddedEngine(tmp_path / "idx")
    assert other_process_view.count("achievement") == 1
    for generation in range(2, 5):
        engine.rebuild("achievement", iter([achievement(i, title="重建") for i in range(1, generation + 1)]))
    kind_dir = tmp_path / "idx" / "achievement"
    assert (kind_dir / "CURRENT").read_text() == "gen-4"
    assert sorted(p.name for p in kind_dir.glob("gen-*")) == ["gen-3", "gen-4"]
    assert other_process_view.count("achievement") == 4  # a reader follows the swap
    assert other_process_view.search(SearchQuery("achievement", text="重建")).total == 4


def test_failed_rebuild_leaves_the_live_index_alone(tmp_path):
    engine = EmbeddedEngine(tmp_path / "idx")
    engine.bulk([achievement(1, title="在线")])

    def broken():
        yield achievement(1, title="新")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        engine.rebuild("achievement", broken())
    assert (tmp_path / "idx" / "achievement" / "CURRENT").read_text() == "gen-1"
    assert not (tmp_path / "idx" / "achievement" / "gen-2").exists()
    engine.bulk([achievement(2, title="在线")])  # no journaling left behind, writes still work
    assert engine.search(SearchQuery("achievement", text="在线")).total == 2


def test_unknown_fields_are_programming_errors(tmp_path):
    engine = EmbeddedEngine(tmp_path / "idx")
    for bad in (SearchQuery("achievement", filters={"nope": ["x"]}), SearchQuery("achievement", sort="-title"),
                SearchQuery("achievement", ranges={"region": (1, 2)}), SearchQuery("unknown")):
        with pytest.raises(ValueError):
            engine.search(bad)


def test_searches_never_fail_while_generations_are_swapped(tmp_path):
    """Threads of one process search while another process swaps the live generation back and forth (what a
    `flask search reindex` does to a serving process): each swap opens a new reader, and no search may see it half
    set up (tantivy refuses a searcher of an index being configured: "Already mutably borrowed")."""
    engine = EmbeddedEngine(tmp_path / "idx")
    engine.ensure_indices()
    engine.bulk([achievement(i, title=f"成果 {i}") for i in range(1, 21)])
    engine.rebuild("achievement", iter([achievement(i, title=f"成果 {i}") for i in range(1, 21)]))
    serving = KindStore(tmp_path / "idx", "achievement")  # this process's reader
    swapping = KindStore(tmp_path / "idx", "achievement")  # the other process's view of the same files
    generations = ["gen-1", "gen-2"]
    assert sorted(p.name for p in swapping.dir.glob("gen-*")) == generations
    errors: list[BaseException] = []
    counts: list[int] = []
    stop = threading.Event()

    def searching():
        while not stop.is_set():
            try:
                counts.append(serving.searcher().num_docs)
            except BaseException as exc:  # noqa: BLE001 - the test reports every failure
                errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for swap in range(600):
            (swapping.dir / "CURRENT.next").write_text(generations[swap % 2], encoding="utf-8")
            os.replace(swapping.dir / "CURRENT.next", swapping.dir / "CURRENT")  # as a rebuild swaps: atomically
            swapping.touch_stamp()
            time.sleep(0.001)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert set(counts) == {20}
