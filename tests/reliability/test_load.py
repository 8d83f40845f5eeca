"""Load: one client shared by many threads under throttling, the emulator under many clients,
and (``-m soak``, ``nox -s soak``) a 20,000-request leak check."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import Credentials

from ssm_engagements import (
    AsyncEngagementsClient,
    EngagementsClient,
    ListEngagementsResponse,
    SSMContactsError,
)
from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests._server import Reply, Seen, scripted_server
from tests.reliability._raw import wire_engagement

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=[wire_engagement(n) for n in range(250)]) as emulator:
        yield emulator


def _run_threads(count: int, target: Any) -> None:
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a worker hung"


def test_one_client_shared_by_16_threads_under_throttling(emu: Emulator, client_kind: str) -> None:
    # The async client is shared by 16 threads through one event loop: 16 concurrent tasks.
    client = clients.from_emulator(emu, client_kind, max_backoff=0.01)
    calls_per_thread = 125  # 16 x 125 = 2,000 calls
    outcomes: Counter[str] = Counter()
    unexpected: list[BaseException] = []
    lowest = [clients.controls(client).retry_quota_left]
    done = threading.Event()
    lock = threading.Lock()

    def watch_quota() -> None:
        while not done.is_set():
            lowest[0] = min(lowest[0], clients.controls(client).retry_quota_left)
            time.sleep(0.0005)

    started = [0]

    def worker(index: int) -> None:
        for n in range(calls_per_thread):
            # A burst of 10 throttles every 32 calls, counted in calls, not in seconds:
            # at any machine speed at most 630 of the 2,000 calls' attempts are refused,
            # so more than 1,000 calls succeed even if every refusal ends a call.
            with lock:
                started[0] += 1
                burst = started[0] % 32 == 1
            if burst:
                emu.inject("throttle", times=8)
                emu.inject("http429", times=2)
            try:
                page = client.list_engagements(max_results=1 + (index + n) % 50)
            except SSMContactsError as exc:
                with lock:
                    outcomes[type(exc).__name__] += 1
                continue
            except BaseException as exc:  # pragma: no cover - the failure being tested for
                unexpected.append(exc)
                continue
            assert isinstance(page, ListEngagementsResponse)
            with lock:
                outcomes["ok"] += 1

    helper = threading.Thread(target=watch_quota, daemon=True)
    helper.start()
    try:
        _run_threads(16, worker)
    finally:
        done.set()
        helper.join(5)
    throttled = sum(1 for r in emu.requests if r.body is not None) - 2000
    print(f"\n16 threads, 2000 calls: {dict(outcomes)}; {throttled} retried requests; "
          f"lowest quota {lowest[0]}, final {clients.controls(client).retry_quota_left}")  # fmt: skip
    assert not unexpected, unexpected[:3]
    assert sum(outcomes.values()) == 2000
    assert set(outcomes) <= {"ok", "ThrottlingException", "ServiceError"}, outcomes
    assert outcomes["ok"] > 1000, outcomes
    assert lowest[0] >= 0
    assert 0 <= clients.controls(client).retry_quota_left <= 500
    assert throttled > 0, "no request was throttled: the test did not test retries"


def test_emulator_serves_32_concurrent_clients_without_dropping_one(emu: Emulator) -> None:
    clients = [emu.client(max_attempts=1, connect_timeout=5, read_timeout=10) for _ in range(32)]
    start = threading.Barrier(32)
    failures: list[BaseException] = []
    counts = [0] * 32

    def worker(index: int) -> None:
        client = clients[index]
        start.wait(120)  # a hang guard: starting 32 threads can take a while when loaded
        try:
            for _ in range(3):  # three full listings each: 3 pages of 100 and one of 50
                counts[index] += sum(1 for _ in client.iter_engagements(page_size=100))
        except BaseException as exc:
            failures.append(exc)

    _run_threads(32, worker)  # each must finish within its join deadline: none hangs
    assert not failures, failures[:3]
    assert counts == [750] * 32
    assert len(emu.requests) == 32 * 3 * 3
    for client in clients:
        client.close()


# -- soak ------------------------------------------------------------------------------
_EMULATOR_SCRIPT = """
import sys
from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests._server import Reply, scripted_server
from tests.reliability._raw import wire_engagement
with Emulator(engagements=[wire_engagement(n) for n in range(500)]) as emu:
    print(emu.url, flush=True)
    for line in sys.stdin:  # "inject <fault> <times>" or "clear"
        words = line.split()
        if words[:1] == ["inject"]:
            emu.inject(words[1], times=int(words[2]))
        elif words[:1] == ["clear"]:
            emu._service.clear_requests()  # the soak is about the client's memory, not this log
        print("ok", flush=True)
"""


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.soak
@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs Linux /proc")
def test_soak_20000_requests_leak_no_connections_or_memory() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", _EMULATOR_SCRIPT],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        url = server.stdout.readline().strip()
        from botocore.credentials import Credentials

        from ssm_engagements.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY

        client = EngagementsClient(
            "us-east-1",
            endpoint_url=url,
            credentials=Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY),
            max_backoff=0.001,
        )

        def command(line: str) -> None:
            assert server.stdin is not None and server.stdout is not None
            server.stdin.write(line + "\n")
            server.stdin.flush()
            assert server.stdout.readline().strip() == "ok"

        requests = 0
        samples: list[tuple[int, int, int]] = []
        started = time.perf_counter()
        next_sample = 0
        while requests < 20_000:
            if requests >= next_sample:
                next_sample += 1000
                gc.collect()
                samples.append((requests, _fds(), _rss_kib()))
                command("clear")
                # Faults every round: retries, reset and truncated connections, parse errors.
                for fault in ("throttle 2", "reset 1", "truncate 1", "http503 1", "malformed 1"):
                    command(f"inject {fault}")
            token: str | None = None
            while True:  # one listing: 5 pages of 100
                try:
                    page = client.list_engagements(max_results=100, next_token=token)
                except SSMContactsError:
                    requests += 1
                    continue
                requests += 1
                token = page.next_token
                if token is None:
                    break
        elapsed = time.perf_counter() - started
        gc.collect()
        samples.append((requests, _fds(), _rss_kib()))
        client.close()
    finally:
        server.stdin.close()
        server.wait(10)
    base = samples[1]  # after the first 1,000: pools, caches and imports are warm
    report = "\n".join(
        f"  {n:>6} requests: {fds} fds, RSS {rss / 1024:.1f} MiB" for n, fds, rss in samples
    )
    print(f"\nsoak: {requests} requests in {elapsed:.1f} s ({requests / elapsed:.0f}/s)\n{report}")
    assert max(fds for _, fds, _ in samples[1:]) - base[1] <= 2, report
    assert max(rss for _, _, rss in samples[1:]) - base[2] <= 8 * 1024, report


@pytest.mark.parametrize(("pool", "churns"), [(16, False), (10, True)])
def test_max_pool_connections_serves_16_threads_without_churn(
    caplog: pytest.LogCaptureFixture, pool: int, churns: bool
) -> None:
    # With fewer pooled connections than threads, urllib3 opens extra ones and throws
    # them away after each request, logging "Connection pool is full" (boto3 does too).
    caplog.set_level(logging.WARNING, logger="urllib3")
    # Each round, every thread's connection goes back to the pool before any thread
    # sends, and the server answers no request before all 16 have arrived: 16 are
    # idle, then in flight, together, however the threads are scheduled.
    held = threading.Barrier(16)

    def answer(seen: Seen) -> Reply:
        held.wait(30)
        return Reply(200, {"Engagements": []})

    with scripted_server() as server:
        server.fallback = answer
        client = EngagementsClient(
            "us-east-1", endpoint_url=server.url, credentials=Credentials("a", "b"),
            max_pool_connections=pool, max_attempts=1,
        )  # fmt: skip

        idle = threading.Barrier(16)
        failures: list[BaseException] = []

        def work(_: int) -> None:
            try:
                for _ in range(5):
                    idle.wait(30)  # all 16 connections back in the pool (or thrown away)
                    client.list_engagements()
            except BaseException as exc:  # pragma: no cover - the failure being tested for
                failures.append(exc)

        _run_threads(16, work)
        client.close()
        assert not failures, failures[:3]
        assert len(server.requests) == 80
        connections = {seen.peer for seen in server.requests}
    full = [r for r in caplog.records if "Connection pool is full" in r.getMessage()]
    assert bool(full) is churns
    assert (len(connections) > 16) is churns


def test_async_pool_bounds_connections_for_64_tasks() -> None:
    # Tasks beyond the pool wait for a pooled connection instead of opening more.
    with scripted_server() as server:
        server.fallback = Reply(200, {"Engagements": []}, delay=0.02)

        async def main() -> None:
            async with AsyncEngagementsClient(
                "us-east-1", endpoint_url=server.url, credentials=Credentials("a", "b"),
                max_pool_connections=8,
            ) as client:  # fmt: skip
                for _ in range(2):
                    await asyncio.gather(*(client.list_engagements() for _ in range(64)))

        asyncio.run(main())
        connections = {seen.peer for seen in server.requests}
    assert len(server.requests) == 128
    assert 1 < len(connections) <= 8
