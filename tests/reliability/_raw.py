"""A raw-socket ListEngagements server for byte-level faults the emulator cannot make.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) to serve pages of
a fixed data set, and does not check signatures. Faults are queued like the
emulator's (``inject``) and replace the answer to the next requests:

- ``reset_mid_body``: status line, headers and half the body, then a TCP reset.
- ``trickle``: the whole answer, ``chunk`` bytes at a time with a pause between.
- ``html502``: a load balancer's HTML 502 page (no AWS headers at all).
- ``empty200``: 200 with an empty body.

``layout="cycle"`` serves three pages whose NextTokens go A -> B -> A.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections import deque
from typing import Any

ACCOUNT = "111122223333"
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
RAW_FAULTS = ("reset_mid_body", "trickle", "html502", "empty200")


def wire_engagement(n: int) -> dict[str, Any]:
    """Engagement number n in wire JSON (distinct ARN, start time n seconds after a fixed instant)."""
    return {
        "EngagementArn": f"arn:aws:ssm-contacts:us-east-1:{ACCOUNT}:engagement/plan/{n:05d}",
        "ContactArn": f"arn:aws:ssm-contacts:us-east-1:{ACCOUNT}:contact/plan",
        "Sender": "cli",
        "IncidentId": f"arn:aws:ssm-incidents::{ACCOUNT}:incident-record/plan/raw",
        "StartTime": 1_700_000_000 + n,
    }


class RawServer:
    """Serves ``total`` engagements in pages of MaxResults (100 when absent or 0)."""

    def __init__(self, total: int = 2000, *, layout: str = "normal") -> None:
        self.total = total
        self.layout = layout
        self.requests: list[dict[str, Any]] = []  # every request body, in order
        # A trickled answer comes in this many pieces, each after a pause (s): longer in
        # total than a read timeout of 2 s by construction, each pause far below it.
        self.trickle_pieces = 10
        self.trickle_pause = 0.25
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def tokens(self) -> list[str | None]:
        """The NextToken of every request, in order."""
        with self._lock:
            return [r.get("NextToken") for r in self.requests]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def inject(self, fault: str, *, times: int = 1) -> None:
        if fault not in RAW_FAULTS:
            raise ValueError(f"unknown raw fault {fault!r}")
        with self._lock:
            self._faults.extend([fault] * times)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._listener.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving ---------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            while not self._stop.is_set():
                body = self._read_request(reader)
                if body is None:
                    return
                if not self._answer(conn, body):
                    return
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                reader.close()
                conn.close()

    @staticmethod
    def _read_request(reader: Any) -> bytes | None:
        line = reader.readline(65536)
        if not line:
            return None
        length = 0
        while True:
            header = reader.readline(65536)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        return bytes(reader.read(length))

    def _page(self, request: dict[str, Any]) -> bytes:
        token = request.get("NextToken")
        if self.layout == "cycle":
            nxt = {None: "A", "A": "B", "B": "A"}[token]
            start = {None: 0, "A": 100, "B": 200}[token]
            items = [wire_engagement(n) for n in range(start, start + 100)]
            return json.dumps({"Engagements": items, "NextToken": nxt}).encode()
        offset = int(token[1:]) if token else 0
        limit = request.get("MaxResults") or 100
        end = min(self.total, offset + limit)
        out: dict[str, Any] = {"Engagements": [wire_engagement(n) for n in range(offset, end)]}
        if end < self.total:
            out["NextToken"] = f"o{end}"
        return json.dumps(out).encode()

    def _answer(self, conn: socket.socket, raw_body: bytes) -> bool:
        """Answer one request; False when the connection must end."""
        request = json.loads(raw_body or b"{}")
        with self._lock:
            self.requests.append(request)
            count = len(self.requests)
            fault = self._faults.popleft() if self._faults else None
        if fault == "html502":
            proxy_head = (
                "HTTP/1.1 502 Bad Gateway\r\nServer: awselb/2.0\r\nContent-Type: text/html\r\n"
                f"Content-Length: {len(HTML_502)}\r\nConnection: close\r\n\r\n"
            )
            conn.sendall(proxy_head.encode() + HTML_502)
            return False
        body = b"" if fault == "empty200" else self._page(request)
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"x-amzn-RequestId: raw-{count}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        if fault == "reset_mid_body":
            conn.sendall(head)
            time.sleep(0.05)  # the client has the status and headers: it is reading the body
            conn.sendall(body[: len(body) // 2])
            time.sleep(0.05)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return False
        if fault == "trickle":
            data = head + body
            size = -(-len(data) // self.trickle_pieces)  # rounded up: all of it is sent
            for i in range(0, len(data), size):
                time.sleep(self.trickle_pause)
                conn.sendall(data[i : i + size])
            return True
        conn.sendall(head + body)
        return True
