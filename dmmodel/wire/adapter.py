"""The Hypothesis kit over HTTP: an :class:`Adapter` whose server is a DM server in another process.

The kit hands the adapter each package the model's device sends; the adapter sends it as a
SyncML message to the server's URL and gives the kit the package of the reply. Over HTTP the
server's control state is not visible, so it is inferred from its answers (212: in session;
401, Package 4 or an acknowledged abort: idle); a timeout is the adapter leaving the session.
The server must know the model's account (``model = true``) with the kit's bounds, and
``reset_url`` re-provisions it before each example (``dmmodel serve --test-hooks``).
"""

from __future__ import annotations

import itertools
import urllib.request
from collections.abc import Callable
from typing import Any

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.messages import Package
from dmmodel.wire import codec
from dmmodel.wire.client import DEVICE_ID
from dmmodel.wire.codec import Format
from dmmodel.wire.http import RESET_PATH
from dmmodel.wire.message import Header, Message
from dmmodel.wire.tree import WireError
from dmmodel.wire.words import ModelWords

IDLE, IN_SESSION = "idle", "in_session"
SERVER_EVENTS = ("timeout",)  # the server's spontaneous steps an HTTP client can make happen


class HttpServerAdapter:
    """The server's side of one device's account, reached over HTTP at ``url``."""

    def __init__(self, url: str, index: int, fmt: Format = Format.XML, timeout: float = 10.0) -> None:
        self.url, self.fmt, self.timeout = url, fmt, timeout
        self.words = ModelWords(index)
        self.name = device_name(index)
        self.state = IDLE
        self.session_ids = itertools.count(1)
        self.session_id = "0"
        self.msg_id = 0
        self.last_reply: Message | None = None

    def _post(self, data: bytes) -> tuple[bytes, str]:
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": self.fmt.content_type})
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            return reply.read(), reply.headers.get("Content-Type", "")

    def event(self, trigger: str, arg: Any) -> tuple[Package, ...]:
        if trigger not in SERVER_EVENTS:
            raise ValueError(f"over HTTP the server cannot be made to {trigger!r}; "
                             "use a configuration without notifications or server pushes")
        self.state, self.last_reply = IDLE, None
        return ()

    def receive(self, package: Package) -> tuple[Package, ...]:
        retry = (package.number == 1 and self.last_reply is not None and self.state == IDLE
                 and package.alert != v.ALERT_SESSION_ABORT)
        if package.number == 1 and package.alert != v.ALERT_SESSION_ABORT and not retry:
            self.session_id, self.msg_id, self.last_reply = str(next(self.session_ids)), 0, None
        self.msg_id += 1
        header = Header(self.session_id, self.msg_id, target=self.url, source=DEVICE_ID,
                        source_name=self.name)
        sent, data = codec.encode(package, header, self.words, self.fmt, self.last_reply)
        body, content_type = self._post(data)
        try:
            reply_message, reply = codec.decode(body, codec.format_of(content_type), self.words, False, sent)
        except WireError as error:
            raise AssertionError(f"the server's reply is not a DM message: {error}") from None
        self.last_reply = reply_message
        if reply is None or reply.number == 4:
            self.state, self.last_reply = IDLE, None
            return () if reply is None else (reply,)
        if reply.status == v.STATUS_AUTHENTICATED:
            self.state = IN_SESSION
        else:
            self.state = IDLE
        return (reply,)

    def observe(self) -> str:
        return self.state


def http_server(url: str, fmt: Format = Format.XML) -> Callable[[Config, int], HttpServerAdapter]:
    """An adapter factory for the kit: re-provisions the account at ``url``, then adapts it."""
    base = url.split("/", 3)
    root = "/".join(base[:3])

    def make(config: Config, index: int) -> HttpServerAdapter:
        reset = urllib.request.Request(root + RESET_PATH + device_name(index), data=b"", method="POST")
        with urllib.request.urlopen(reset, timeout=10):
            pass
        return HttpServerAdapter(url, index, fmt)

    return make
