"""Foreground loops (``flask search worker``, ``flask alerts deliver --loop``) stop cleanly on SIGTERM or SIGINT."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def stop_requested() -> Iterator[threading.Event]:
    """An event that SIGTERM or SIGINT sets while the block runs; the previous handlers come back afterwards. A loop
    checks it between passes and waits on it instead of sleeping, so it finishes its current pass and then stops."""
    stop = threading.Event()

    def _stop(signum, frame):  # noqa: ARG001
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
