"""A fast local ListEngagements server for the benchmark, run in its own process.

It exists so that the client is what gets measured: the engagements JSON of each page
size is rendered once at start-up, each request only splices in its NextToken, and the
whole response (headers and body) goes out in one write on a keep-alive HTTP/1.1
connection. Signatures are not verified (any request for ListEngagements is answered).

Bodies have the real wire shape (PascalCase members, epoch-number timestamps). Every page
size serves a chain of TOTAL engagements: ``NextToken`` is ``s<size>-<page>`` and the last
page has none.

Responses go out in one write with TCP_NODELAY, and the server sets TCP_QUICKACK after
each read, so no client waits on Nagle's algorithm and a delayed ACK (~40 ms a request
on loopback when a small second write waits for the first to be acknowledged; botocore
drops TCP_NODELAY): the wall-clock figures measure the clients, not TCP timers.

One asyncio event loop serves every connection (any number at once, keep-alive), in
one thread: with 16 clients at a time no server threads contend for the GIL, and the
server's per-request work (a regex and a join) stays far below the clients'.

Run: ``python bench_server.py``; it prints the port, then serves until stdin closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import socket
import sys
import threading
from email.utils import formatdate

TOTAL = 200_000
DEFAULT_PAGE_SIZE = 100
_ACCOUNT = "111122223333"
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)
_MAX_RESULTS = re.compile(rb'"MaxResults"\s*:\s*(\d+)')
_NEXT_TOKEN = re.compile(rb'"NextToken"\s*:\s*"s\d+-(\d+)"')
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length\s*:\s*(\d+)", re.IGNORECASE)


def engagement(rng: random.Random, n: int) -> dict[str, object]:
    """One engagement in the wire shape, about as long as a real one."""
    contact = rng.choice(("oncall-primary", "oncall-secondary", "db-escalation", "sre-lead"))
    start = 1_700_000_000 + n * 37 + rng.randint(0, 999) / 1000
    item: dict[str, object] = {
        "EngagementArn": (
            f"arn:aws:ssm-contacts:us-east-1:{_ACCOUNT}:engagement/{contact}/"
            f"{rng.getrandbits(128):032x}"
        ),
        "ContactArn": f"arn:aws:ssm-contacts:us-east-1:{_ACCOUNT}:contact/{contact}",
        "Sender": rng.choice(("cli", "incident-manager", "pagerbot")),
        "IncidentId": (
            f"arn:aws:ssm-incidents::{_ACCOUNT}:incident-record/critical-plan/"
            f"{rng.getrandbits(96):024x}"
        ),
        "StartTime": start,
    }
    if n % 4:  # a quarter are still active: no StopTime
        item["StopTime"] = round(start + rng.randint(60, 7200) + rng.randint(0, 999) / 1000, 3)
    return item


class Pages:
    """The engagements JSON of each page size, rendered once."""

    def __init__(self) -> None:
        self._items: dict[int, bytes] = {}
        self._lock = threading.Lock()
        self._date = formatdate(usegmt=True).encode()

    def items(self, size: int) -> bytes:
        with self._lock:
            if size not in self._items:
                rng = random.Random(size)
                rendered = [engagement(rng, n) for n in range(size)]
                self._items[size] = json.dumps(rendered, separators=(",", ":")).encode()
            return self._items[size]

    def response(self, head: bytes, body: bytes) -> bytes:
        if b"SSMContacts.ListEngagements" not in head:
            return self._http(400, b'{"__type":"UnknownOperationException","message":"?"}')
        found = _MAX_RESULTS.search(body)
        size = int(found.group(1)) if found else 0
        size = size or DEFAULT_PAGE_SIZE
        found = _NEXT_TOKEN.search(body)
        index = int(found.group(1)) if found else 0
        pages = -(-TOTAL // size)
        payload = b'{"Engagements":' + self.items(size)
        if index + 1 < pages:
            payload += b',"NextToken":"s%d-%d"' % (size, index + 1)
        return self._http(200, payload + b"}")

    def _http(self, status: int, payload: bytes) -> bytes:
        reason = b"OK" if status == 200 else b"Bad Request"
        return (
            b"HTTP/1.1 %d %s\r\n"
            b"x-amzn-RequestId: 5f0c9d2e-4b1a-4c3e-9a57-bench%08d\r\n"
            b"Content-Type: application/x-amz-json-1.1\r\n"
            b"Content-Length: %d\r\n"
            b"Date: %s\r\n\r\n" % (status, reason, len(payload) % 10**8, len(payload), self._date)
        ) + payload


class Connection(asyncio.Protocol):
    """One keep-alive connection: answers each whole request as it arrives, in order."""

    def __init__(self, pages: Pages) -> None:
        self._pages = pages
        self._buf = b""
        self._transport: asyncio.Transport | None = None
        self._sock: object = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._quickack()

    def _quickack(self) -> None:
        if _QUICKACK is not None:
            with contextlib.suppress(OSError):
                self._sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        buf = self._buf + data
        while True:
            head, sep, rest = buf.partition(b"\r\n\r\n")
            if not sep:
                break
            found = _CONTENT_LENGTH.search(head)
            length = int(found.group(1)) if found else 0
            if len(rest) < length:
                break
            body, buf = rest[:length], rest[length:]
            assert self._transport is not None
            self._transport.write(self._pages.response(head, body))
        self._buf = buf
        self._quickack()


async def serve(pages: Pages) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Connection(pages), "127.0.0.1", 0, backlog=128, reuse_address=True
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    # The parent closes stdin (or dies): stop.
    threading.Thread(
        target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)), daemon=True
    ).start()
    async with server:
        await stop.wait()


def main() -> None:
    pages = Pages()
    for size in (100, 1000):  # render the benchmark's sizes before taking requests
        pages.items(size)
    asyncio.run(serve(pages))


if __name__ == "__main__":
    main()
