"""TracingHook against opentelemetry-instrumentation-botocore: boto3 and this SDK call
the same emulator in the same test, both recorded by opentelemetry-sdk, and their spans
are compared span by span."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from ssm_engagements import ConfigurationError, SSMContactsError
from ssm_engagements.emulator import Emulator
from ssm_engagements.otel import TracingHook
from tests import _clients as clients
from tests.reliability.test_security import KEY_ID, SECRET, TOKEN, assert_clean


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    instrumentor = BotocoreInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    memory.provider = provider  # type: ignore[attr-defined]
    yield memory
    instrumentor.uninstrument()
    provider.shutdown()


def _provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider: TracerProvider = exporter.provider  # type: ignore[attr-defined]
    return provider


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# name -> (faults to inject, list_engagements keywords (ours), boto3's, attempts)
SCENARIOS: dict[str, tuple[list[str], dict[str, Any], dict[str, Any], int]] = {
    "success": ([], {"max_results": 10}, {"MaxResults": 10}, 3),
    "retried throttle": (["throttle"], {}, {}, 3),
    "throttled out": (["throttle"] * 2, {}, {}, 2),
    "validation": ([], {"next_token": "x" * 64}, {"NextToken": "x" * 64}, 3),
    "transport failure": ([], {}, {}, 1),
}


def _boto3_span(emu: Emulator, exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    faults, _, params, attempts = SCENARIOS[name]
    url = emu.url if name != "transport failure" else f"http://127.0.0.1:{_closed_port()}"
    client = boto3.client(
        "ssm-contacts", region_name=emu.region, endpoint_url=url,
        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, aws_session_token=TOKEN,
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}),
    )  # fmt: skip
    for fault in faults:
        emu.inject(fault)
    exporter.clear()
    try:
        client.list_engagements(**params)
    except Exception:
        assert name not in ("success", "retried throttle")
    (span,) = exporter.get_finished_spans()
    return span


def _our_span(
    emu: Emulator, exporter: InMemorySpanExporter, kind: str, name: str
) -> tuple[ReadableSpan, BaseException | None]:
    faults, params, _, attempts = SCENARIOS[name]
    url = emu.url if name != "transport failure" else f"http://127.0.0.1:{_closed_port()}"
    hook = TracingHook(_provider(exporter))
    client = clients.from_emulator(
        emu, kind, endpoint_url=url, max_attempts=attempts, hooks=[hook],
        credentials=Credentials(KEY_ID, SECRET, TOKEN),
    )  # fmt: skip
    clients.set_sleep(client, lambda seconds: None)
    for fault in faults:
        emu.inject(fault)
    exporter.clear()
    error: BaseException | None = None
    try:
        client.list_engagements(**params)
    except SSMContactsError as exc:
        error = exc
    finally:
        client.close()
    (span,) = exporter.get_finished_spans()
    return span, error


def _shape(span: ReadableSpan) -> dict[str, Any]:
    """What a query or dashboard keys on; the request id differs per request, so only
    whether there is one."""
    attributes = dict(span.attributes or {})
    if "aws.request_id" in attributes:
        attributes["aws.request_id"] = bool(attributes["aws.request_id"])
    return {
        "name": span.name,
        "kind": span.kind,
        "attributes": attributes,
        "attribute order": list(attributes),
        "status": span.status.status_code,
        "exception events": [
            (event.name, sorted((event.attributes or {}).keys()))
            for event in span.events
            if event.name == "exception"
        ],
    }


_INSTRUMENTATION = version("opentelemetry-instrumentation-botocore")


# The comparisons need the attribute names this SDK's spans use.
needs_current_names = pytest.mark.skipif(
    tuple(int(part) for part in _INSTRUMENTATION.split("b")[0].split(".")) < (0, 55),
    reason="needs opentelemetry-instrumentation-botocore 0.55b0, the first to name "
    "cloud.region and server.address as this SDK's spans do (older ones: aws.region)",
)


@needs_current_names
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_spans_match_botocore_instrumentation(
    name: str, client_kind: str, emu: Emulator, exporter: InMemorySpanExporter
) -> None:
    theirs = _boto3_span(emu, exporter, name)
    ours, error = _our_span(emu, exporter, client_kind, name)
    if name.startswith("transport"):  # each run had its own closed port
        assert theirs.attributes and ours.attributes
        assert theirs.attributes["server.port"] != 443 and ours.attributes["server.port"] != 443
        theirs_shape, ours_shape = _shape(theirs), _shape(ours)
        del theirs_shape["attributes"]["server.port"], ours_shape["attributes"]["server.port"]
        assert ours_shape == theirs_shape
    else:
        assert _shape(ours) == _shape(theirs)
    assert ours.kind is SpanKind.CLIENT and ours.name == "SSM Contacts.ListEngagements"
    assert ours.instrumentation_scope is not None
    assert ours.instrumentation_scope.name == "ssm_engagements"
    if error is not None:
        assert ours.status.status_code is StatusCode.ERROR
        assert ours.status.description == str(error)
        (exception,) = [e for e in ours.events if e.name == "exception"]
        assert exception.attributes is not None
        assert exception.attributes["exception.type"].endswith(type(error).__name__)  # type: ignore[union-attr]
    # Beyond boto3's: an event per retry.
    retries = [e.attributes for e in ours.events if e.name == "retry"]
    expected = {"retried throttle": 1, "throttled out": 1}.get(name, 0)
    assert len(retries) == expected
    if retries:
        assert retries[0] is not None
        assert retries[0]["error.type"] == "ThrottlingException"
        assert retries[0]["retry.attempt"] == 2 and retries[0]["http.status_code"] == 400
        assert 0 <= retries[0]["retry.delay_seconds"] <= 1  # type: ignore[operator]


class _Listener:
    """A loopback socket that reads the first line of each connection and closes it:
    a proxy that refuses everything, so no request leaves the machine."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.first_lines: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n" not in data and (chunk := conn.recv(4096)):
                    data += chunk
                self.first_lines.append(data.split(b"\r\n", 1)[0].decode("latin-1"))

    def close(self) -> None:
        self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        self._sock.close()
        self._thread.join(timeout=5)


@needs_current_names
@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_port_less_endpoint_reports_the_port_the_instrumentation_does(
    scheme: str, client_kind: str, exporter: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endpoint URL without a port, as every derived one is: boto3's span (from the
    real BotocoreInstrumentor) and ours carry the same server.address and server.port.
    Both calls go through a proxy on loopback that refuses them."""
    host = "ssm-contacts.us-east-1.amazonaws.com"
    url = f"{scheme}://{host}"
    proxy = _Listener()
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    try:
        boto = boto3.client(
            "ssm-contacts", region_name="us-east-1", endpoint_url=url,
            aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        )  # fmt: skip
        exporter.clear()
        with pytest.raises(BotoCoreError):
            boto.list_engagements()
        (theirs,) = exporter.get_finished_spans()
        client = clients.make(
            client_kind, "us-east-1", endpoint_url=url, max_attempts=1,
            credentials=Credentials(KEY_ID, SECRET), allow_insecure_http=True,
            hooks=[TracingHook(_provider(exporter))],
        )  # fmt: skip
        exporter.clear()
        with pytest.raises(SSMContactsError):
            client.list_engagements()
        client.close()
        (ours,) = exporter.get_finished_spans()
    finally:
        proxy.close()
    # Both really went to the proxy, for the default port of the scheme.
    expected = f"CONNECT {host}:443 " if scheme == "https" else f"POST {url}/ "
    assert len(proxy.first_lines) == 2
    assert all(line.startswith(expected) for line in proxy.first_lines), proxy.first_lines
    assert theirs.attributes is not None and ours.attributes is not None
    assert theirs.attributes["server.address"] == host
    assert ours.attributes["server.port"] == theirs.attributes["server.port"]
    assert _shape(ours) == _shape(theirs)


def test_paginator_calls_are_children_of_the_callers_span(
    client_kind: str, emu: Emulator, exporter: InMemorySpanExporter
) -> None:
    provider = _provider(exporter)
    tracer = provider.get_tracer("the application")
    hook = TracingHook(provider)
    exporter.clear()
    with tracer.start_as_current_span("report") as parent:
        if client_kind == "sync":
            with emu.client(hooks=[hook]) as client:
                pages = list(client.iter_pages(page_size=100))
        else:

            async def walk() -> list[Any]:
                async with emu.async_client(hooks=[hook]) as client:
                    return [page async for page in client.iter_pages(page_size=100)]

            # asyncio.run copies this thread's context: the task sees "report" as current.
            pages = asyncio.run(walk())
    assert len(pages) == 3
    spans = [s for s in exporter.get_finished_spans() if s.name.startswith("SSM")]
    assert len(spans) == 3
    for span, page in zip(spans, pages, strict=True):
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        assert span.context is not None
        assert span.context.trace_id == parent.get_span_context().trace_id
        assert span.attributes is not None
        assert span.attributes["aws.request_id"] == page.request_id


@pytest.mark.asyncio
async def test_async_calls_in_concurrent_tasks_get_their_own_parents(
    emu: Emulator, exporter: InMemorySpanExporter
) -> None:
    provider = _provider(exporter)
    tracer = provider.get_tracer("the application")
    exporter.clear()
    async with emu.async_client(hooks=[TracingHook(provider)]) as client:

        async def job(label: str) -> int:
            with tracer.start_as_current_span(label) as span:
                await client.list_engagements(max_results=5)
                await client.list_engagements(max_results=5)
                return span.get_span_context().span_id

        ids = await asyncio.gather(job("a"), job("b"))
    ours = [s for s in exporter.get_finished_spans() if s.name.startswith("SSM")]
    assert sorted(s.parent.span_id for s in ours if s.parent) == sorted(ids * 2)


def test_spans_hold_no_credentials(
    client_kind: str, emu: Emulator, exporter: InMemorySpanExporter
) -> None:
    hook = TracingHook(_provider(exporter))
    exporter.clear()
    for credentials in (
        Credentials(KEY_ID, SECRET, TOKEN),
        Credentials(KEY_ID, SECRET + "x", TOKEN),  # rejected: the message quotes the request
    ):
        client = clients.from_emulator(emu, client_kind, credentials=credentials, hooks=[hook])
        clients.set_sleep(client, lambda seconds: None)
        for fault in ("throttle", "reset", "malformed"):
            emu.inject(fault)
        for _ in range(3):
            with contextlib.suppress(SSMContactsError):
                client.list_engagements()
        client.close()
    spans = exporter.get_finished_spans()
    assert len(spans) == 6
    assert any(s.status.status_code is StatusCode.ERROR for s in spans)
    for span in spans:
        text = span.to_json()
        assert_clean(text, "a span")
        assert "Signature=" not in text


def test_without_opentelemetry_the_hook_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # as if not installed
    with pytest.raises(ConfigurationError, match=r"ssm-engagements\[otel\]"):
        TracingHook()


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_loads_neither_opentelemetry_nor_aiohttp() -> None:
    out = _run(
        "import sys, ssm_engagements, ssm_engagements.hooks, ssm_engagements.otel\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'opentelemetry', 'aiohttp'}))"
    )
    assert out.strip() == "[]"


def test_the_global_provider_is_the_default() -> None:
    # In a child process: the global provider can be set only once per process.
    out = _run(
        "from opentelemetry import trace\n"
        "from opentelemetry.sdk.trace import TracerProvider\n"
        "from opentelemetry.sdk.trace.export import SimpleSpanProcessor\n"
        "from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter\n"
        "from ssm_engagements.emulator import Emulator\n"
        "from ssm_engagements.otel import TracingHook\n"
        "hook = TracingHook()  # made before the provider is set\n"
        "memory = InMemorySpanExporter()\n"
        "provider = TracerProvider()\n"
        "provider.add_span_processor(SimpleSpanProcessor(memory))\n"
        "trace.set_tracer_provider(provider)\n"
        "with Emulator() as emu, emu.client(hooks=[hook]) as client:\n"
        "    client.list_engagements()\n"
        "print([s.name for s in memory.get_finished_spans()])\n"
    )
    assert out.strip() == "['SSM Contacts.ListEngagements']"
