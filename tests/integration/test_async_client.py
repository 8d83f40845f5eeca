"""What only the async client can get wrong: the event loop, cancellation, the extra.

The contract's behaviours (validation, wire, parsing, errors, retries, pagination,
resume tokens, redaction) are asserted for both clients by the parametrized suites;
these tests await the async client directly.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests.reliability._raw import wire_engagement

UTC = timezone.utc


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=[wire_engagement(n) for n in range(60)]) as emulator:
        yield emulator


# Seconds: a bound on waits that only a hang reaches, never a measure of speed.
HANG_GUARD = 30.0
# Seconds a delayed answer waits: the cancel after the request's arrival comes first
# on any machine that is not hung.
ANSWER_AFTER = 5.0


async def _until(condition: Any, what: str) -> None:
    """Return once ``condition()`` holds; AssertionError naming ``what`` after HANG_GUARD."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HANG_GUARD
    while not condition():
        assert loop.time() < deadline, f"no {what} within {HANG_GUARD} s"
        await asyncio.sleep(0.005)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_import_loads_neither_aiohttp_nor_asyncio() -> None:
    # Users of the blocking client pay nothing for the async one (asyncio and ssl alone
    # cost ~30 ms of a cold start).
    code = (
        "import sys, ssm_engagements\n"
        "print(sorted(m for m in ('aiohttp', 'asyncio', 'ssl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_without_aiohttp_construction_names_the_extra() -> None:
    # A None entry in sys.modules makes `import aiohttp` fail as if it were not installed.
    code = (
        "import sys; sys.modules['aiohttp'] = None\n"
        "import ssm_engagements as se\n"
        "try:\n"
        "    se.AsyncEngagementsClient('us-east-1', endpoint_url='http://127.0.0.1:1')\n"
        "except se.ConfigurationError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'ssm-engagements[aio]'" in out.stdout


def test_async_client_matches_the_blocking_one(emu: Emulator) -> None:
    async def main() -> tuple[list[str], str | None]:
        async with emu.async_client(max_backoff=0.01) as client:
            page = await client.list_engagements(max_results=5)
            assert page.response_metadata is not None
            assert page.response_metadata.http_status_code == 200
            pages = client.iter_pages(page_size=25)
            first = [e.engagement_arn async for p in pages for e in p.engagements]
            it = client.iter_engagements(page_size=7, max_items=10)
            head = [e.engagement_arn async for e in it]
            assert head == first[:10]
            return first, it.resume_token

    every, token = asyncio.run(main())
    with emu.client() as blocking:
        assert every == [e.engagement_arn for e in blocking.iter_engagements()]
        # Tokens move freely between the two clients.
        rest = [
            e.engagement_arn for e in blocking.iter_engagements(page_size=7, starting_token=token)
        ]
    assert every[:10] + rest == every


def test_bad_arguments_raise_at_the_call_before_anything_is_sent(emu: Emulator) -> None:
    client = emu.async_client()
    with pytest.raises(se.ParamValidationError, match="page_size"):
        client.iter_engagements(page_size=0)
    with pytest.raises(se.ParamValidationError, match="max_results"):
        asyncio.run(client.list_engagements(max_results=2000))
    assert emu.requests == []


def test_many_tasks_share_one_client_within_its_pool(emu: Emulator) -> None:
    async def main() -> list[int]:
        async with emu.async_client(max_pool_connections=4) as client:
            pages = await asyncio.gather(
                *(client.list_engagements(max_results=3) for _ in range(64))
            )
            return [len(p.engagements) for p in pages]

    assert asyncio.run(main()) == [3] * 64


def test_a_second_live_event_loop_is_refused_and_a_closed_one_replaced(emu: Emulator) -> None:
    client = emu.async_client()
    loop_thread = clients.loop_thread()  # a loop that stays alive on another thread
    assert loop_thread.run(client.list_engagements(max_results=1)).engagements
    with pytest.raises(se.ConfigurationError, match="another event loop"):
        asyncio.run(client.list_engagements(max_results=1))
    loop_thread.run(client.close())

    other = emu.async_client()

    async def use_then_close() -> None:
        assert (await other.list_engagements(max_results=1)).engagements
        await other.close()

    for _ in range(2):  # asyncio.run twice: each run's loop is closed after it
        asyncio.run(use_then_close())


def test_cancelling_mid_request_leaves_the_client_usable_and_leaks_nothing(emu: Emulator) -> None:
    async def main() -> tuple[int, int]:
        async with emu.async_client(max_attempts=1) as client:
            await client.list_engagements(max_results=1)  # the pool is warm
            before = _open_fds()
            for _ in range(10):
                # The cancel comes as soon as the request has arrived, long before the
                # answer (a bound no loaded machine reaches): it is mid-request.
                emu.inject("delay", seconds=ANSWER_AFTER)
                sent = len(emu.requests)
                task = asyncio.ensure_future(client.list_engagements(max_results=1))
                await _until(lambda n=sent: len(emu.requests) > n, "the request to arrive")
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            emu.clear()
            emu.add_engagements(*[wire_engagement(n) for n in range(60)])
            for _ in range(10):
                assert len((await client.list_engagements(max_results=2)).engagements) == 2
            # The emulator (in this process) closes its ends of the cancelled
            # connections once their delayed answers are written; a leak never
            # comes back down.
            await _until(lambda: _open_fds() <= before + 1, "the connections to close")
            return before, _open_fds()

    before, after = asyncio.run(main())
    assert after <= before + 1  # cancelled requests' connections were closed, not leaked


def test_a_timeout_around_async_for_keeps_the_resume_token_exact(emu: Emulator) -> None:
    # A timeout (asyncio.wait_for, asyncio.timeout) is a cancellation of the awaiting
    # task; cancelling it once the third page is asked for is that timeout, at a moment
    # that does not depend on the machine's speed.
    async def main() -> list[str]:
        async with emu.async_client(max_attempts=1) as client:
            seen: list[str] = []
            it = client.iter_engagements(page_size=10)
            sent = len(emu.requests)

            async def consume() -> None:
                async for item in it:
                    seen.append(item.engagement_arn)
                    if len(seen) == 15:
                        emu.inject("delay", seconds=HANG_GUARD)  # the third page hangs

            task = asyncio.ensure_future(consume())
            await _until(lambda: len(emu.requests) == sent + 3, "the third page's request")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert len(seen) == 20  # all of the second page, none of the third
            token = it.resume_token
            rest = [
                e.engagement_arn
                async for e in client.iter_engagements(page_size=10, starting_token=token)
            ]
            return seen + rest

    got = asyncio.run(main())
    with emu.client() as blocking:
        assert got == [e.engagement_arn for e in blocking.iter_engagements()]


class _SlowMetadata(ThreadingHTTPServer):
    """EC2 instance metadata (IMDSv2) that answers the credentials path once the test's
    event loop has run (a 500 if it never does)."""

    daemon_threads = True

    def __init__(self, emu: Emulator, expires_in: timedelta) -> None:
        super().__init__(("127.0.0.1", 0), _MetadataHandler)
        self.emu = emu
        self.gate = _LoopGate()
        self.expires_in = expires_in
        self.credential_fetches = 0


class _MetadataHandler(BaseHTTPRequestHandler):
    server: _SlowMetadata

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, body: str) -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:  # the IMDSv2 session token
        self._send("imds-session-token")

    def do_GET(self) -> None:
        prefix = "/latest/meta-data/iam/security-credentials/"
        if self.path == prefix:
            self._send("the-role")
        elif self.path == prefix + "the-role":
            self.server.credential_fetches += 1
            try:
                self.server.gate.wait()
            except RuntimeError:
                self.send_error(500)
                return
            creds = self.server.emu.credentials
            expiry = datetime.now(UTC) + self.server.expires_in
            self._send(
                json.dumps(
                    {
                        "Code": "Success",
                        "AccessKeyId": creds.access_key,
                        "SecretAccessKey": creds.secret_key,
                        "Token": "imds-token",
                        "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                )
            )
        else:
            self.send_error(404)


@pytest.fixture
def slow_metadata(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[_SlowMetadata]:
    server = _SlowMetadata(emu, expires_in=timedelta(hours=6))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
    monkeypatch.setenv(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT", f"http://127.0.0.1:{server.server_port}/"
    )
    yield server
    server.shutdown()
    server.server_close()


class _LoopGate:
    """Blocking code waits at ``wait()`` until a coroutine on the event loop lets it
    through: code running on the loop's own thread would wait with the loop stopped, and
    fail after HANG_GUARD. ``threads`` are the thread ids that waited."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self._waiting: list[threading.Event] = []
        self._lock = threading.Lock()

    def wait(self) -> None:
        """RuntimeError if nothing on the loop let us through."""
        opened = threading.Event()
        with self._lock:
            self.threads.append(threading.get_ident())
            self._waiting.append(opened)
        if not opened.wait(HANG_GUARD):
            raise RuntimeError("the event loop never ran while this waited")

    async def open_while(self, make_work: Any) -> Any:
        """Await make_work() while a coroutine lets every waiter through."""

        async def let_through() -> None:
            while True:
                with self._lock:
                    waiting, self._waiting = self._waiting, []
                for opened in waiting:
                    opened.set()
                await asyncio.sleep(0.005)

        opener = asyncio.ensure_future(let_through())
        try:
            return await make_work()
        finally:
            opener.cancel()


def test_credentials_resolve_off_the_event_loop_once_for_many_tasks(
    emu: Emulator, slow_metadata: _SlowMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The emulator wants the session token the metadata service hands out.
    emu._service.credentials = type(emu.credentials)(
        emu.credentials.access_key, emu.credentials.secret_key, "imds-token"
    )
    # botocore's metadata timeout (1 s) is a speed margin; the gate is the real test.
    monkeypatch.setenv("AWS_METADATA_SERVICE_TIMEOUT", str(int(2 * HANG_GUARD)))

    async def main() -> list[int]:
        client = se.AsyncEngagementsClient("us-east-1", endpoint_url=emu.url)
        try:

            def calls() -> Any:
                return asyncio.gather(*(client.list_engagements(max_results=1) for _ in range(8)))

            # The metadata service answers only once the loop has run during the fetch.
            pages = await slow_metadata.gate.open_while(calls)
        finally:
            await client.close()
        return [len(p.engagements) for p in pages]

    assert asyncio.run(main()) == [1] * 8
    assert slow_metadata.credential_fetches == 1  # eight tasks, one resolution


def test_due_refreshes_run_off_the_event_loop(emu: Emulator) -> None:
    # botocore's RefreshableCredentials whose refresh (STS, SSO, a credential_process...)
    # blocks until the event loop has run, and which stay within the refresh window, so
    # that every request refreshes them: each refresh must run in a thread.
    from botocore.credentials import RefreshableCredentials

    gate = _LoopGate()
    building = True

    def refresh() -> dict[str, str]:
        if not building:
            gate.wait()
        return {
            "access_key": emu.credentials.access_key,
            "secret_key": emu.credentials.secret_key,
            "token": None,  # type: ignore[dict-item]
            "expiry_time": (datetime.now(UTC) + timedelta(minutes=5)).isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        refresh(), refresh_using=refresh, method="slow-refresh"
    )
    building = False

    async def main() -> int:
        client = se.AsyncEngagementsClient(
            "us-east-1", endpoint_url=emu.url, credentials=credentials
        )
        try:

            async def calls() -> None:
                await asyncio.gather(*(client.list_engagements(max_results=1) for _ in range(4)))
                await client.list_engagements(max_results=1)

            await gate.open_while(calls)
        finally:
            await client.close()
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    # 1 for the four concurrent calls, 1 for the last call; none on the loop's thread.
    assert len(gate.threads) == 2
    assert loop_thread not in gate.threads


def test_first_request_imports_and_reads_files_off_the_event_loop(emu: Emulator) -> None:
    # The client is made and used inside the loop; aiohttp (~150 ms to import) and
    # botocore's signer are imported, and the CA bundle read, by a worker thread, not
    # the event loop. A fresh interpreter, so nothing is imported yet; an import hook
    # records which thread imports what.
    code = f"""
import asyncio, sys, threading
import ssm_engagements as se

where = {{}}

class Spy:
    def find_spec(self, name, path=None, target=None):
        if name in ("botocore.auth", "aiohttp"):
            where[name] = threading.current_thread() is threading.main_thread()
        return None

class Credentials:  # what botocore's ReadOnlyCredentials holds, without importing it
    def __init__(self, access_key, secret_key):
        self.access_key, self.secret_key, self.token = access_key, secret_key, None

sys.meta_path.insert(0, Spy())

async def main():
    async with se.AsyncEngagementsClient(
        "{emu.region}", endpoint_url="{emu.url}",
        credentials=Credentials("{emu.credentials.access_key}", "{emu.credentials.secret_key}"),
    ) as client:
        await asyncio.gather(*(client.list_engagements(max_results=1) for _ in range(4)))

assert "botocore.auth" not in sys.modules and "aiohttp" not in sys.modules
asyncio.run(main())
print(where)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ast.literal_eval(out.stdout.strip()) == {"aiohttp": False, "botocore.auth": False}
