"""``dmmodel serve`` over HTTP: a threaded server around :class:`DMServer`, one exchange at a time.

Every request gets a log line (JSON) and, when the account state changed, an atomic rewrite of
the state file. A POST whose body is not a SyncML DM message gets a 4xx and a log line; the
server keeps serving. With test hooks on, ``POST /dmmodel/reset/<account>`` re-provisions an
account (the Hypothesis kit starts each example afresh).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from dmmodel.wire.dmserver import DMServer, Refused
from dmmodel.wire.numbers import ascii_number

RESET_PATH = "/dmmodel/reset/"


class WireHTTPServer(ThreadingHTTPServer):
    """An HTTP server for one :class:`DMServer`; ``log`` receives one record per request."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], dm: DMServer, log: Callable[[dict[str, Any]], None],
                 max_body: int = 256 * 1024, test_hooks: bool = False) -> None:
        super().__init__(address, _Handler)
        self.dm, self.log, self.max_body, self.test_hooks = dm, log, max_body, test_hooks
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/dm"


class _Handler(BaseHTTPRequestHandler):
    server: WireHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the JSON log says it all
        return

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, status: int, reason: str) -> None:
        self.server.log({"http_status": status, "error": reason, "path": self.path, "method": self.command})
        self.close_connection = True
        self._send(status, (reason + "\n").encode(), "text/plain; charset=utf-8")

    def do_GET(self) -> None:
        self._refuse(405, "DM messages are POSTed")

    def do_POST(self) -> None:
        header = self.headers.get("Content-Length")
        if header is None:
            self._refuse(411, "Content-Length required")
            return
        length = ascii_number(header)
        if length is None:
            self._refuse(400, f"Content-Length {header[:40]!r} is not a number of bytes")
            return
        if length > self.server.max_body:
            self._refuse(413, f"body of {length} bytes exceeds the limit of {self.server.max_body}")
            return
        body = self.rfile.read(length)
        with self.server.lock:
            if self.path.startswith(RESET_PATH) and self.server.test_hooks:
                try:
                    self.server.dm.reset(self.path.removeprefix(RESET_PATH))
                except Refused as error:
                    self._refuse(error.status, error.reason)
                    return
                self._send(204, b"", "text/plain")
                return
            exchange = self.server.dm.exchange(body, self.headers.get("Content-Type"))
            exchange.record["path"] = self.path
            self.server.log(exchange.record)
        self._send(exchange.status, exchange.body, exchange.content_type)


def json_line(record: dict[str, Any]) -> str:
    """A log record as one line of JSON."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False)
