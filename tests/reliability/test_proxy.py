"""Proxies, as boto3 honours them, for both clients: requests really travel through a
local proxy (CONNECT tunnels for https://, forwarding for http://), with its credentials,
and NO_PROXY bypasses it."""

from __future__ import annotations

import base64
import select
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.credentials import Credentials

from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests.reliability.test_security import https_url, tls_files  # noqa: F401 (fixtures)


class Proxy(ThreadingHTTPServer):
    """An HTTP proxy: CONNECT tunnels and absolute-URI forwarding; records what it saw."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[tuple[str, str, str | None]] = []  # method, target, Proxy-Authorization

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _ProxyHandler(BaseHTTPRequestHandler):
    server: Proxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self) -> None:
        self.server.seen.append((self.command, self.path, self.headers.get("Proxy-Authorization")))

    def do_CONNECT(self) -> None:
        self._record()
        host, port = self.path.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, upstream]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 5)
                if not ready:
                    break
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()
            self.close_connection = True

    def do_POST(self) -> None:
        self._record()
        target = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with socket.create_connection((target.hostname or "", target.port or 80)) as upstream:
            head = [f"POST {target.path or '/'} HTTP/1.1"]
            head += [
                f"{k}: {v}"
                for k, v in self.headers.items()
                if k.lower() not in {"proxy-authorization", "proxy-connection", "connection"}
            ]
            head.append("Connection: close")
            upstream.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            answer = b""
            while chunk := upstream.recv(65536):
                answer += chunk
        self.wfile.write(answer)
        self.close_connection = True


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    server = Proxy()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def test_http_proxy_forwards_with_its_credentials(
    proxy: Proxy, emu: Emulator, client_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("//", "//user:p%40ss%2Fword@"))
    client = clients.from_emulator(emu, client_kind, max_attempts=1)
    assert client.list_engagements().engagements == ()
    ((method, target, auth),) = proxy.seen
    assert (method, target) == ("POST", emu.url + "/")
    assert auth == "Basic " + base64.b64encode(b"user:p@ss/word").decode()
    assert len(emu.requests) == 1  # and it reached the service, signature intact


def test_https_goes_through_a_connect_tunnel(
    proxy: Proxy,
    https_url: str,  # noqa: F811
    tls_files: dict[str, Path],  # noqa: F811
    client_kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url.replace("//", "//tunnel:s3cret@"))
    client = clients.make(
        client_kind, "us-east-1", endpoint_url=https_url, verify=str(tls_files["ca"]),
        credentials=Credentials("a", "b"), max_attempts=1,
    )  # fmt: skip
    assert client.list_engagements().engagements == ()
    auth = "Basic " + base64.b64encode(b"tunnel:s3cret").decode()
    assert proxy.seen == [("CONNECT", https_url.split("//", 1)[1], auth)]


def test_no_proxy_bypasses_the_proxy(
    proxy: Proxy, emu: Emulator, client_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = clients.from_emulator(emu, client_kind, max_attempts=1)
    assert client.list_engagements().engagements == ()
    assert proxy.seen == []
    assert len(emu.requests) == 1
