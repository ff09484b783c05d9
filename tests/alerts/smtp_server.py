"""A small real SMTP server for the tests (standard library only: ``aiosmtpd`` is not installed, and ``smtpd`` is
deprecated and gone in Python 3.12). It speaks enough RFC 5321 for ``smtplib`` — EHLO/HELO, MAIL, RCPT, DATA
(with dot-unstuffing), RSET, NOOP, QUIT — on a loopback port, and can be told to misbehave:

``data_reply``  the reply to the end of DATA instead of ``250`` (e.g. ``"451 4.3.0 try again later"``);
``refuse``      recipient → RCPT reply (e.g. ``{"x@example.cn": "550 5.1.1 no such user"}``);
``delay``       seconds to wait before accepting each message (a slow server).

Also ``silent_server()``: a port that accepts TCP connections and never says a word (a hung mail server: the
client waits for the greeting until its timeout).
"""
from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import socketserver
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        owner = self.server.owner
        sender, recipients = None, []
        self.reply("220 localhost test ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = arg.partition(":")[2].strip().split(" ")[0].strip("<>"), []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                address = arg.partition(":")[2].strip().split(" ")[0].strip("<>")
                refusal = owner.refuse.get(address)
                if refusal:
                    self.reply(refusal)
                else:
                    recipients.append(address)
                    self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                if sender is None or not recipients:
                    self.reply("503 5.5.1 need MAIL and RCPT first")
                    continue
                self.reply("354 end data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if not data or data in (b".\r\n", b".\n"):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                if owner.delay:
                    time.sleep(owner.delay)
                if owner.data_reply:
                    self.reply(owner.data_reply)
                else:
                    message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                    with owner.lock:
                        owner.received.append(Received(sender, recipients, message))
                    self.reply("250 2.0.0 queued")
                sender, recipients = None, []
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 2.0.0 ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SmtpServer


class SmtpServer:
    """``with SmtpServer() as smtp:`` — listening on ``smtp.port`` inside the block; ``smtp.received`` lists
    the accepted messages."""

    def __init__(self):
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.data_reply: str | None = None
        self.refuse: dict[str, str] = {}
        self.delay = 0.0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="test-smtp", daemon=True)

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The accepted messages once there are at least ``count`` (or when ``timeout`` runs out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages()) < count:
            time.sleep(0.02)
        return self.messages()


@contextlib.contextmanager
def silent_server():
    """The port of a server that completes TCP handshakes (the kernel's backlog) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]
