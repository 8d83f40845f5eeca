"""The emulator as an HTTP server: lifecycle, keep-alive, shutdown, clock, pytest fixture."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from ssm_engagements.emulator import Emulator
from tests.emulator._helpers import TARGET, boto3_client, engagement, raw_post

pytest_plugins = ["pytester"]


# stop() closes connections and waits at most 2 s for their threads; what matters is
# that it does not wait for an idle timeout (60 s) or an injected delay (an hour). A
# bound a loaded machine does not reach, and also the guard on waits that only a hang
# makes long.
PROMPT_SECONDS = 30.0


def _signed_headers(emu: Emulator, body: bytes) -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(
        method="POST",
        url=emu.url + "/",
        data=body,
        headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(emu.credentials, "ssm-contacts", emu.region).add_auth(request)
    return dict(request.headers.items())


def test_url_region_credentials_and_repr(emu: Emulator) -> None:
    assert emu.url == f"http://127.0.0.1:{emu.port}" and emu.port > 0
    assert emu.region == "us-east-1"
    assert emu.credentials.access_key == "AKIDEMULATOR" and emu.credentials.token is None
    assert emu.url in repr(emu)


def test_lifecycle_errors_and_restart() -> None:
    emu = Emulator(region="eu-west-1")
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.url
    emu.stop()  # a no-op when not running
    emu.start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            emu.start()
    finally:
        emu.stop()
    emu.add_engagements(engagement(1))
    with emu:  # started again, state kept
        assert len(boto3_client(emu).list_engagements()["Engagements"]) == 1
    assert "stopped" in repr(emu)


def test_two_requests_over_one_keep_alive_connection(emu: Emulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    sockets = []
    try:
        for _ in range(2):
            conn.request("POST", "/", body=b"{}", headers=_signed_headers(emu, b"{}"))
            sockets.append(conn.sock)
            response = conn.getresponse()
            assert response.status == 200 and response.version == 11
            assert json.loads(response.read()) == {"Engagements": []}
            assert response.getheader("Connection") != "close"
    finally:
        conn.close()
    assert sockets[0] is sockets[1] is not None  # http.client reconnects only when closed
    assert len(emu.requests) == 2


def test_stop_is_prompt_with_an_idle_keep_alive_connection_open() -> None:
    emu = Emulator().start()
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("POST", "/", body=b"{}", headers=_signed_headers(emu, b"{}"))
    conn.getresponse().read()
    started = time.monotonic()
    emu.stop()
    # Not the idle timeout (60 s): a bound no loaded machine reaches, far below it.
    assert time.monotonic() - started < PROMPT_SECONDS
    with pytest.raises((OSError, http.client.HTTPException)):
        conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": TARGET})
        conn.getresponse()
    conn.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("ssm-contacts-emulator")]


def test_stop_is_prompt_while_a_delay_fault_is_pending() -> None:
    emu = Emulator().start()
    emu.inject("delay", seconds=3600)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            raw_post(emu)
        except BaseException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + PROMPT_SECONDS
    while not emu.requests:  # the request is in, its answer delayed
        assert time.monotonic() < deadline, "the request never arrived"
        time.sleep(0.01)
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < PROMPT_SECONDS  # not the fault's hour
    caller.join(PROMPT_SECONDS)
    assert not caller.is_alive()
    assert errors and isinstance(errors[0], (OSError, http.client.HTTPException))


def test_date_header_follows_the_emulator_clock(emu: Emulator) -> None:
    emu.clock_offset = 3600.0
    before = time.time()
    response = raw_post(emu, sign=False)  # rejected, but dated all the same
    now = emu.now()
    after = time.time()
    date = parsedate_to_datetime(response.headers["date"]).timestamp()
    # Bracketed by the real clock, however long the request took; the header is in
    # whole seconds.
    assert int(before + 3600) <= date <= after + 3600
    assert before + 3600 <= now <= after + 3600


def test_other_http_methods_are_unknown_operations(emu: Emulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        body = json.loads(response.read())
    finally:
        conn.close()
    assert response.status == 400
    assert body["__type"].endswith("#UnknownOperationException")


def test_chunked_request_body_is_read(emu: Emulator) -> None:
    emu.add_engagements(engagement(1), engagement(2))
    body = b'{"MaxResults": 1}'
    headers = _signed_headers(emu, body)
    headers.pop("Content-Length", None)
    headers["Transfer-Encoding"] = "chunked"
    headers["Host"] = f"127.0.0.1:{emu.port}"  # signed (from the URL), so it must be sent
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (5, body[:5], len(body) - 5, body[5:])
        sock.sendall(f"POST / HTTP/1.1\r\n{head}\r\n".encode() + chunks)
        reply = sock.makefile("rb").read1(65536)
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert emu.requests[0].body == {"MaxResults": 1}


def test_requests_is_thread_safe_under_concurrent_clients(emu: Emulator) -> None:
    emu.add_engagements(*(engagement(i) for i in range(10)))
    failures: list[Any] = []

    def worker() -> None:
        client = boto3_client(emu)
        for _ in range(5):
            if len(client.list_engagements(MaxResults=3)["Engagements"]) != 3:
                failures.append("short page")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PROMPT_SECONDS)
        assert not thread.is_alive(), "a worker hung"
    assert failures == [] and len(emu.requests) == 20


def test_client_factory_points_our_client_at_the_emulator(emu: Emulator) -> None:
    client = emu.client(max_attempts=1)
    try:
        assert client.endpoint_url == emu.url and client.region_name == emu.region
    finally:
        client.close()


def test_pytest_fixture(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(
        """
        import http.client

        def test_running(ssm_contacts_emulator):
            emu = ssm_contacts_emulator
            assert emu.url.startswith("http://127.0.0.1:")
            conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
            conn.request("POST", "/", body=b"{}")
            assert conn.getresponse().status == 400  # unsigned: but it answered
            conn.close()
        """
    )
    # No entry-point plugins: an installed ssm_engagements would register twice, and
    # loading every installed plugin is slow. The plugin under test comes in by "-p".
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = pytester.runpytest_inprocess("-p", "ssm_engagements._pytest_plugin", "-q")
    result.assert_outcomes(passed=1)
