"""A scripted HTTP/1.1 server on loopback: each test queues the answers it wants and
reads back exactly what the client sent."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs


@attrs.frozen
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    peer: str = ""
    """The client's address and port: one per TCP connection."""

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


@attrs.frozen
class Reply:
    """An answer: status, body (dict -> JSON) and headers; ``action`` for faults:
    "reset" (close with no answer), "truncate" (half the body); ``delay`` seconds to wait
    before answering, cut short when the server closes (a test that wants a reply never
    to come gives a delay far past its client's read timeout and costs nothing for it)."""

    status: int = 200
    body: bytes | dict[str, Any] | list[Any] | str = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    action: str | None = None
    delay: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


def page(*items: dict[str, Any], next_token: str | None = None, **extra: Any) -> Reply:
    """A 200 ListEngagements answer with these engagements."""
    body: dict[str, Any] = {"Engagements": list(items), **extra}
    if next_token is not None:
        body["NextToken"] = next_token
    return Reply(200, body, {"x-amzn-RequestId": "req-page"})


def error(status: int, code: str, message: str = "boom", **members: Any) -> Reply:
    """An awsJson1.1 error answer with ``__type`` in the body."""
    body = {"__type": code, "message": message, **members}
    return Reply(status, body, {"x-amzn-RequestId": f"req-{code}"})


def engagement(n: int, **overrides: Any) -> dict[str, Any]:
    """Wire JSON of a valid engagement numbered n."""
    item: dict[str, Any] = {
        "EngagementArn": f"arn:aws:ssm-contacts:us-east-1:111122223333:engagement/c/{n:05d}",
        "ContactArn": "arn:aws:ssm-contacts:us-east-1:111122223333:contact/c",
        "Sender": "cli",
        "StartTime": 1_700_000_000 + n,
    }
    item.update(overrides)
    return item


Responder = Reply | Callable[[Seen], Reply]


class _Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 overflows when a few dozen clients connect at once;
    # the kernel then drops their handshakes and the clients retry a second or more
    # later (the emulator's EmulatorHTTPServer has the same setting, for that reason).
    request_queue_size = 128


class ScriptedServer:
    """Answers requests from a queue of Reply objects (or callables of the request).

    With the queue empty it answers from ``fallback`` when one is set (a responder
    for tests that send an unknown number of requests), else 599, so a test that
    sends too much fails loudly.
    """

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._queue: deque[Responder] = deque()
        self.fallback: Responder | None = None
        self._lock = threading.Lock()
        self._closing = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Buffered writes put headers and body in one segment; unbuffered, Nagle
            # and delayed ACKs add ~40 ms to every response.
            wbufsize = -1

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    "POST", self.path, dict(self.headers.items()), self.rfile.read(length),
                    peer=f"{self.client_address[0]}:{self.client_address[1]}",
                )  # fmt: skip
                outer._answer(self, seen)

            do_GET = do_POST

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *replies: Responder) -> None:
        with self._lock:
            self._queue.extend(replies)

    def _answer(self, handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)
            if self._queue:
                responder = self._queue.popleft()
            else:
                responder = self.fallback or Reply(599, b"script exhausted")
        reply = responder if isinstance(responder, Reply) else responder(seen)
        if reply.delay and self._closing.wait(reply.delay):
            handler.close_connection = True
            return
        if reply.action == "reset":
            # SO_LINGER 0 makes close() send RST instead of a graceful FIN.
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            handler.close_connection = True
            return
        data = reply.payload()
        handler.send_response_only(reply.status)
        if not any(k.lower() == "date" for k in reply.headers):
            handler.send_header("Date", handler.date_time_string())
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if not any(k.lower() == "content-type" for k in reply.headers):
            handler.send_header("Content-Type", "application/x-amz-json-1.1")
        handler.send_header("Content-Length", str(len(data)))
        if reply.action == "truncate":
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.end_headers()
        handler.wfile.write(data)

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    try:
        yield server
    finally:
        server.close()
