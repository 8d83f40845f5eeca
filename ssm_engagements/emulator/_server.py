"""The emulator's HTTP/1.1 server: keep-alive, daemon handler threads, prompt shutdown."""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import struct
import threading
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._service import Reply, Service, error_reply

__all__ = ["EmulatorHTTPServer", "loopback_for", "url_host"]

_log = logging.getLogger("ssm_engagements.emulator")

IDLE_TIMEOUT_SECONDS = 60.0
"""An idle keep-alive connection is closed after this many seconds (stop() closes it at once)."""
_MAX_BODY = 10 * 1024 * 1024
# Addresses meaning "every interface", and the loopback address a client on this
# machine calls instead (":" binds IPv6 and IPv4 both: see server_bind).
_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def loopback_for(host: str) -> str | None:
    """The loopback address to call when ``host`` is a wildcard (every interface);
    None for any other host."""
    return _WILDCARDS.get(host)


def url_host(host: str) -> str:
    """``host`` as the host part of a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


class _BadBody(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as AWS endpoints
    # Headers and body go out in two writes; with Nagle on, the second waits for the
    # client's delayed ACK and every keep-alive request stalls ~40 ms.
    disable_nagle_algorithm = True
    # StreamRequestHandler applies this to the socket, so idle keep-alive threads end.
    timeout = IDLE_TIMEOUT_SECONDS
    server: EmulatorHTTPServer  # pyright: ignore[reportIncompatibleVariableOverride]

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s " + format, self.address_string(), *args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        # Every Date header comes from the emulator's (possibly shifted) clock.
        now = self.server.service.clock() if timestamp is None else timestamp
        return formatdate(now, usegmt=True)

    def send_response(self, code: int, message: str | None = None) -> None:
        # Like the base class, minus its Server header, which AWS endpoints do not send.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def do_POST(self) -> None:
        self._dispatch()

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_POST

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise _BadBody("bad Content-Length") from None
        if not 0 <= length <= _MAX_BODY:
            raise _BadBody("bad Content-Length")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise _BadBody("bad chunk size") from None
            total += size
            if size < 0 or total > _MAX_BODY:
                raise _BadBody("body too large")
            if size == 0:
                # Skip trailers up to the blank line that ends the message.
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except _BadBody as exc:
            self.close_connection = True
            self.send_error(400, str(exc))
            return
        try:
            reply = self.server.service.handle(
                self.command, self.path, list(self.headers.items()), body
            )
        except Exception:  # a bug here must still answer, as AWS's front end would
            _log.exception("emulator failed to handle a request")
            reply = error_reply(500, "InternalFailure", "The request processing has failed.")
        if reply.delay > 0 and self.server.stopping.wait(reply.delay):
            self.close_connection = True  # stopping: drop the request rather than block stop()
            return
        if reply.action == "reset":
            self._reset()
            return
        self._send(reply)

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST instead of FIN: a true "connection reset".
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # drop makefile()'s reference so close() is immediate
            sock.close()
        except OSError:
            pass

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.with_request_id:
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if reply.content_type is not None:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.action == "truncate":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.close_connection = True
            return
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)


class EmulatorHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its connections so ``close_all`` can end them."""

    daemon_threads = True
    # Handler threads are joined by close_all() with a deadline, never without one.
    block_on_close = False
    # socketserver's default backlog of 5 overflows when a few dozen clients connect at
    # once, and the kernel resets the connections that do not fit.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], service: Service) -> None:
        # An IPv6 literal needs an IPv6 socket ("Address family for hostname not supported").
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.service = service
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6 and self.server_address[0] == "::":
            # Every interface means IPv4 too (Linux's default; BSDs and Windows need asking).
            with contextlib.suppress(OSError):
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        # HTTPServer.server_bind resolves the host's FQDN, a DNS lookup that can stall.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"ssm-contacts-emulator-conn-{client_address}",
            daemon=True,
        )
        with self._lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-request are routine (and the point of some tests).
        _log.debug("emulator connection from %s ended with an error", client_address, exc_info=True)

    def close_all(self, timeout: float = 2.0) -> None:
        """Shut every open connection and wait up to ``timeout`` seconds for handler threads."""
        self.stopping.set()
        with self._lock:
            connections = list(self._connections.items())
        for sock, _ in connections:
            # SHUT_RDWR wakes a handler blocked reading the next request on that connection.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for _, thread in connections:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
