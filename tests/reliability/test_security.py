"""Credential hygiene and transport security, tested with canary secrets.

A unique secret key and session token are handed to the emulator and the client; the
tests then look for them everywhere the SDK writes text: log records (every logger,
at DEBUG, through retries and errors), reprs and strs, pickled errors, tracebacks,
CLI output and cassettes. Also: TLS verification, and plain HTTP refused off loopback.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import ssl
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import Credentials

from ssm_engagements import (
    ConfigurationError,
    EngagementsClient,
    ResponseParseError,
    ServiceError,
    SSMContactsError,
    TimeRange,
    TransportError,
)
from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests._server import Reply, Seen, scripted_server
from tests.reliability._raw import wire_engagement

ROOT = Path(__file__).resolve().parents[2]
KEY_ID = "AKIDCANARYEXAMPLE"
SECRET = "canarySecretKey/9f3a1c7e/NEVER-PRINT-ME"
TOKEN = "canarySessionToken+4b7e2d90/NEVER/PRINT/ME=="
CANARIES = (SECRET, TOKEN)


def assert_clean(text: str | bytes, where: str) -> None:
    data = text.encode() if isinstance(text, str) else text
    for canary in CANARIES:
        for form in (canary, canary.replace("/", "\\/")):  # as JSON may escape it
            assert form.encode() not in data, f"a credential leaked into {where}"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(
        access_key_id=KEY_ID,
        secret_access_key=SECRET,
        session_token=TOKEN,
        engagements=[wire_engagement(n) for n in range(300)],
    ) as emulator:
        yield emulator


def _every_text_of(error: BaseException) -> str:
    """str, repr, the full chained traceback and the pickle of an error."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    clone = pickle.loads(pickle.dumps(error))
    parts += [str(clone), repr(clone), repr(pickle.dumps(error))]
    return "\n".join(parts)


def _drive_through_faults(emu: Emulator, client: EngagementsClient) -> list[SSMContactsError]:
    """A whole iteration with retries, and every kind of error raised and resumed."""
    errors: list[SSMContactsError] = []
    plan = {
        50: [("throttle", 2), ("http503", 1)],
        100: [("reset", 3)],  # TransportError
        150: [("truncate", 1), ("malformed", 1)],  # retried, then ResponseParseError
        200: [("internal", 3)],  # InternalServerException
        250: [("http429", 1), ("delay", 1)],
    }
    got = 0
    token: str | None = None
    while True:
        it = client.iter_engagements(page_size=50, starting_token=token)
        try:
            for _ in it:
                got += 1
                for fault, times in plan.pop(got, []):
                    emu.inject(fault, times=times, seconds=0.01 if fault == "delay" else None)
                assert_clean(repr(it), "an iterator's repr")
            break
        except SSMContactsError as err:
            errors.append(err)
            token = err.resume_token
    assert got == 300
    return errors


def test_no_credential_in_logs_reprs_errors_or_pickles(
    emu: Emulator, caplog: pytest.LogCaptureFixture, client_kind: str
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: botocore and urllib3 records too
    client = clients.from_emulator(emu, client_kind, max_backoff=0.01)
    errors = _drive_through_faults(emu, client)
    assert {type(e).__name__ for e in errors} >= {
        "TransportError",
        "ResponseParseError",
        "InternalServerException",
    }
    # Errors the credentials themselves cause: a wrong secret, a missing token.
    wrong_secret = clients.from_emulator(
        emu, client_kind, credentials=Credentials(KEY_ID, SECRET + "x", TOKEN)
    )
    no_token = clients.from_emulator(
        emu, client_kind, credentials=Credentials(KEY_ID, SECRET), max_attempts=1
    )
    for bad in (wrong_secret, no_token):
        with pytest.raises(ServiceError) as info:
            bad.list_engagements()
        errors.append(info.value)
    for error in errors:
        assert_clean(_every_text_of(error), f"{type(error).__name__}")
    page = client.list_engagements(max_results=1, time_range=TimeRange())
    held = _reachable(client.aclient if client_kind == "async" else client)
    for thing in (*held, page, page.engagements[0], page.response_metadata, TimeRange()):
        assert_clean(repr(thing) + str(thing), f"repr of {type(thing).__name__}")

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = caplog.records
    assert any(r.name == "ssm_engagements" and "attempt" in r.getMessage() for r in records)
    if client_kind == "sync":  # the async client sends with aiohttp, which logs nothing here
        assert any(r.name.startswith(("botocore", "urllib3")) for r in records)
    for record in records:
        assert_clean(formatter.format(record), f"a log record of {record.name}")
        assert "Signature=" not in record.getMessage()
        assert "Authorization" not in record.getMessage()


def test_a_server_echoing_the_session_token_does_not_leak_it(
    caplog: pytest.LogCaptureFixture, client_kind: str
) -> None:
    # When AWS rejects a signature, its message quotes the canonical request, which
    # holds X-Amz-Security-Token; echo servers and some proxies send headers back too.
    caplog.set_level(logging.DEBUG)

    def canonical_quote(seen: Seen) -> Reply:
        token = seen.header("X-Amz-Security-Token")
        message = (
            "The request signature we calculated does not match the signature you provided."
            f"\n\nThe Canonical String for this request should have been\n'POST\n/\n\n"
            f"x-amz-security-token:{token}\nx-amz-target:SSMContacts.ListEngagements\n'"
        )
        return Reply(403, {"__type": "InvalidSignatureException", "message": message})

    def escaped_quote(seen: Seen) -> Reply:  # the same, from an encoder that escapes "/"
        token = (seen.header("X-Amz-Security-Token") or "").replace("/", "\\/")
        body = '{"__type": "InvalidSignatureException", "message": "x-amz-security-token:%s"}'
        return Reply(403, body % token)

    def escaped_echo(seen: Seen) -> Reply:
        token = (seen.header("X-Amz-Security-Token") or "").replace("/", "\\/")
        return Reply(200, '{"headers": {"X-Amz-Security-Token": "' + token + '"}}')

    def html_echo(seen: Seen) -> Reply:
        return Reply(
            400, f"<html>Bad request: {seen.headers}</html>", {"Content-Type": "text/html"}
        )

    def json_echo(seen: Seen) -> Reply:
        return Reply(200, {"headers": dict(seen.headers)})  # an echo service, not AWS

    with scripted_server() as server:
        client = clients.make(
            client_kind,
            "us-east-1",
            endpoint_url=server.url,
            credentials=Credentials(KEY_ID, SECRET, TOKEN),
            max_attempts=1,
        )
        server.script(canonical_quote, escaped_quote, html_echo, json_echo, escaped_echo)
        errors: list[SSMContactsError] = []
        for expected in (ServiceError,) * 3 + (ResponseParseError,) * 2:
            with pytest.raises(expected) as info:
                client.list_engagements()
            errors.append(info.value)
        assert server.requests[0].header("X-Amz-Security-Token") == TOKEN  # it was sent
    assert all(isinstance(e, ServiceError) and "<redacted>" in e.message for e in errors[:2])
    assert "<redacted>" in errors[4].body_excerpt  # type: ignore[attr-defined]
    for error in errors:
        assert_clean(_every_text_of(error), type(error).__name__)
        assert_clean(getattr(error, "body_excerpt", ""), "a body excerpt")
    for record in caplog.records:
        assert_clean(record.getMessage(), f"a log record of {record.name}")


def test_proxy_credentials_are_masked(monkeypatch: pytest.MonkeyPatch, client_kind: str) -> None:
    closed = _closed_port()
    monkeypatch.setenv("HTTPS_PROXY", f"http://proxyuser:{SECRET}@127.0.0.1:{closed}")
    client = clients.make(
        client_kind,
        "us-east-1",
        endpoint_url="https://ssm-contacts.us-east-1.amazonaws.com",
        credentials=Credentials(KEY_ID, SECRET, TOKEN),
        max_attempts=1,
        connect_timeout=2,
    )
    with pytest.raises(TransportError) as info:
        client.list_engagements()
    assert_clean(_every_text_of(info.value), "a proxy TransportError")
    assert_clean(repr(client), "the client's repr")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the command line ------------------------------------------------------------------
def _cli(emu_url: str, *args: str, extra_env: dict[str, str] | None = None) -> Any:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": TOKEN,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "SSM_ENGAGEMENTS_LOG": "debug",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "ssm_engagements", "list", "--endpoint-url", emu_url]
    return subprocess.run(
        [*command, "--region", "us-east-1", *args],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(
    not (ROOT / "ssm_engagements" / "_cli.py").exists(), reason="the CLI is not there yet"
)
def test_cli_output_holds_no_credentials(emu: Emulator) -> None:
    ok = _cli(emu.url, "--output", "json", "--page-size", "100")
    assert ok.returncode == 0, ok.stderr.decode()
    assert b"engagement/plan/00299" in ok.stdout
    assert b"attempt" in ok.stderr  # SSM_ENGAGEMENTS_LOG=debug was on
    emu.inject("reset", times=3)
    failed = _cli(emu.url, "--page-size", "100")
    assert failed.returncode == 1
    wrong = _cli(emu.url, extra_env={"AWS_SECRET_ACCESS_KEY": SECRET + "x"})
    assert wrong.returncode == 1 and b"InvalidSignatureException" in wrong.stderr
    for run in (ok, failed, wrong):
        assert_clean(run.stdout + run.stderr, "CLI output")


# -- cassettes ---------------------------------------------------------------------------
def test_cassettes_hold_no_credentials_and_replay(
    emu: Emulator, tmp_path: Path, client_kind: str
) -> None:
    # Recorded and replayed with each client: vcrpy patches botocore's urllib3 and aiohttp.
    vcr = pytest.importorskip("vcr")
    from ssm_engagements.testing import register_matchers, vcr_config

    cassette = tmp_path / "engagements.yaml"
    recorder = vcr.VCR(**vcr_config(record_mode="all"))
    register_matchers(recorder)
    with recorder.use_cassette(str(cassette)), clients.from_emulator(emu, client_kind) as client:
        recorded = list(client.iter_engagements(page_size=120))
    text = cassette.read_text()
    assert_clean(text, "a cassette")
    assert "Authorization" not in text and "X-Amz-Security-Token" not in text
    assert "!!binary" not in text  # botocore's byte-string headers were decoded
    url = emu.url
    emu.stop()  # replay needs no server and no real credentials
    player = vcr.VCR(**vcr_config(record_mode="none"))
    register_matchers(player)
    replay_client = clients.make(
        client_kind, "us-east-1", endpoint_url=url, credentials=Credentials("AKIDREPLAY", "replay")
    )
    with player.use_cassette(str(cassette)):
        assert list(replay_client.iter_engagements(page_size=120)) == recorded


# -- TLS and plain HTTP ------------------------------------------------------------------
@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 / localhost it signed (openssl CLI)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=d, check=True, capture_output=True, timeout=60)

    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=ssm-engagements test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    run("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost")
    (d / "leaf.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
    )
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext")  # fmt: skip
    return {"ca": d / "ca.pem", "cert": d / "leaf.pem", "key": d / "leaf.key"}


@pytest.fixture
def https_url(tls_files: dict[str, Path]) -> Iterator[str]:
    body = b'{"Engagements": []}'

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # failed handshakes are the point of these tests

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files["cert"], tls_files["key"])
    server = Server(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _https_client(url: str, kind: str, **kwargs: Any) -> Any:
    return clients.make(
        kind,
        "us-east-1",
        endpoint_url=url,
        credentials=Credentials(KEY_ID, SECRET, TOKEN),
        max_backoff=0.01,
        **kwargs,
    )


def test_tls_is_verified_by_default(https_url: str, client_kind: str) -> None:
    with pytest.raises(TransportError, match="TLS") as info:
        _https_client(https_url, client_kind).list_engagements()
    assert isinstance(info.value.__cause__, Exception)
    assert_clean(_every_text_of(info.value), "a TLS TransportError")


def test_tls_trusts_the_ca_given(
    https_url: str, tls_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, client_kind: str
) -> None:
    assert _https_client(https_url, client_kind, verify=str(tls_files["ca"])).list_engagements()
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tls_files["ca"]))
    assert _https_client(https_url, client_kind).list_engagements()


@pytest.mark.parametrize(
    "url", ["http://example.com", "http://10.1.2.3:8080", "http://[fe80::1]:80", "http://ssm.corp"]
)
def test_plain_http_off_loopback_is_refused(url: str, client_kind: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        _https_client(url, client_kind)
    client = _https_client(url, client_kind, allow_insecure_http=True)
    assert client.endpoint_url.startswith("http://")


@pytest.mark.parametrize("url", ["http://localhost:1", "http://127.0.0.2:1", "http://[::1]:1"])
def test_plain_http_on_loopback_is_allowed(url: str, client_kind: str) -> None:
    assert _https_client(url, client_kind).endpoint_url.startswith("http://")


def _reachable(root: object, depth: int = 4) -> list[object]:
    """root and this SDK's objects its attributes hold, depth levels down (what a
    traceback with locals, or a debugger, shows of a client). Other libraries' objects
    (botocore's ReadOnlyCredentials is a namedtuple that shows its secret) are theirs."""
    found: list[object] = []
    seen: set[int] = set()
    level = [root]
    for _ in range(depth):
        below: list[object] = []
        for obj in level:
            if id(obj) in seen or not type(obj).__module__.startswith("ssm_engagements"):
                continue
            seen.add(id(obj))
            found.append(obj)
            names = getattr(obj, "__dict__", {}).keys() | set(getattr(type(obj), "__slots__", ()))
            below.extend(getattr(obj, name, None) for name in names)
        level = below
    return found
