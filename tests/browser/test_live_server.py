"""The browser tests' server closes what a response holds open when the browser resets the connection. Chromium
does that when it navigates away while the favicon loads; the file left open made a ResourceWarning fail whichever
test was running (CI, tests/browser/test_password_reset.py)."""
from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from urllib.parse import urlsplit


def _handlers_running() -> bool:
    return any("process_request_thread" in thread.name for thread in threading.enumerate())


def test_a_reset_connection_leaves_no_static_file_open(live_server, monkeypatch):
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    address = urlsplit(live_server.url)
    for _ in range(20):
        with socket.create_connection((address.hostname, address.port)) as connection:
            # A body announced and never sent: the server drains it after answering, and meets the reset there.
            connection.sendall(b"GET /static/favicon.svg HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n")
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            time.sleep(0.005)
    deadline = time.monotonic() + 10
    while _handlers_running() and time.monotonic() < deadline:
        time.sleep(0.05)

    assert not _handlers_running()
    assert [repr(hook.exc_value) for hook in unraisable] == []
