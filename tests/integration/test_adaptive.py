"""Adaptive retry mode against the emulator throttling as the service does, both clients.

Real threads, sockets and time: only what holds at any machine speed is asserted here.
Whether standard mode fails listings that adaptive mode completes depends on how fast
requests go out, so that decision is tested on a fake clock, with the same audit and
the emulator's own rate limit, in tests/core/test_adaptive_audit.py.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import ssm_engagements as se
from ssm_engagements._ratelimit import MIN_RATE
from ssm_engagements.emulator import Emulator
from tests import _clients as clients

LISTINGS = 16
WORKERS = 16
SETTINGS: dict[str, Any] = {"max_attempts": 3, "max_pool_connections": WORKERS}
INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/audit/{:04d}"


def _engagements() -> list[dict[str, Any]]:
    return [
        {
            "EngagementArn": f"arn:aws:ssm-contacts:us-east-1:111122223333:engagement/c/{n}-{i}",
            "ContactArn": "arn:aws:ssm-contacts:us-east-1:111122223333:contact/c",
            "Sender": "audit",
            "IncidentId": INCIDENT.format(n),
            "StartTime": 1_700_000_000 + n * 60 + i,
        }
        for n in range(LISTINGS)
        for i in range(4)
    ]


def _audit(client: Any) -> dict[int, list[str] | se.ThrottlingException]:
    """WORKERS threads list every incident (2 pages each): its ARNs, or the error."""
    results: dict[int, list[str] | se.ThrottlingException] = {}
    lock = threading.Lock()

    def listing(n: int) -> None:
        result: list[str] | se.ThrottlingException
        try:
            pages = list(client.iter_pages(incident_id=INCIDENT.format(n), page_size=2))
            result = [e.engagement_arn for p in pages for e in p.engagements]
        except se.ThrottlingException as exc:
            result = exc
        with lock:
            results[n] = result

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(listing, range(LISTINGS)))
    return results


def test_adaptive_mode_paces_every_worker_through_one_limiter(client_kind: str) -> None:
    expected = {
        n: [e["EngagementArn"] for e in reversed(_engagements()[n * 4 : n * 4 + 4])]
        for n in range(LISTINGS)
    }
    with Emulator(engagements=_engagements()) as emu:
        with clients.from_emulator(emu, client_kind, retry_mode="adaptive", **SETTINGS) as client:
            for _ in range(10):  # measured, not yet limited: the first cut starts from here
                client.list_engagements(max_results=1)
            emu.set_rate_limit(20, burst=5)
            emu.inject("throttle")  # one throttle is certain, whatever the machine's speed
            results = _audit(client)
            rate = client.send_rate
        sent = len(emu.requests)
    # The limiter engaged and stayed within its bounds.
    assert rate is not None and rate >= MIN_RATE
    assert sorted(results) == list(range(LISTINGS))
    done = {n: arns for n, arns in results.items() if isinstance(arns, list)}
    # Every listing that completed is exact (newest first, nothing lost or repeated);
    # any other ended with the throttle, carrying where to resume.
    for n, arns in done.items():
        assert arns == expected[n], n
    for n, error in results.items():
        if not isinstance(error, list):
            assert error.code == "ThrottlingException" and error.resume_token is not None, n
    assert sent >= 10 + len(done) * 2 + 1


def test_adaptive_client_sends_unlimited_until_throttled(client_kind: str) -> None:
    with Emulator(engagements=_engagements()[:4]) as emu:
        client = clients.from_emulator(emu, client_kind, retry_mode="adaptive")
        for _ in range(20):
            client.list_engagements()
        assert client.send_rate is None
        emu.inject("throttle")
        client.list_engagements()
        assert client.send_rate is not None
        client.close()
        # Standard mode never limits its sending, throttled or not.
        standard = clients.from_emulator(emu, client_kind, retry_mode="standard")
        emu.inject("throttle")
        standard.list_engagements()
        assert standard.send_rate is None
        standard.close()
