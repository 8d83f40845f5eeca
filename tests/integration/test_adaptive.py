"""Adaptive retry mode against the emulator throttling as the service does, both clients."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests import _clients as clients

LISTINGS = 32
WORKERS = 16
# The default three attempts: against 20 requests/s with a burst of 5, standard mode's
# lone backoffs fail some listings, while adaptive mode, which waits for the shared
# rate, needs no more. (With two attempts, a rare burst on a loaded machine could fail
# an adaptive listing too; at 50 requests/s, standard mode sometimes got through.)
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


def _audit(client: Any) -> tuple[int, set[str]]:
    """WORKERS threads list every incident (2 pages each); (failed listings, ARNs seen)."""
    seen: set[str] = set()
    lock = threading.Lock()

    def listing(n: int) -> bool:
        try:
            pages = list(client.iter_pages(incident_id=INCIDENT.format(n), page_size=2))
        except se.ThrottlingException:
            return False
        with lock:
            seen.update(e.engagement_arn for p in pages for e in p.engagements)
        return True

    with ThreadPoolExecutor(WORKERS) as pool:
        done = list(pool.map(listing, range(LISTINGS)))
    return done.count(False), seen


def test_adaptive_mode_completes_the_audit_standard_mode_fails(client_kind: str) -> None:
    expected = {e["EngagementArn"] for e in _engagements()}
    with Emulator(engagements=_engagements()) as emu:
        emu.set_rate_limit(20, burst=5)
        with clients.from_emulator(emu, client_kind, retry_mode="standard", **SETTINGS) as standard:
            failed, _ = _audit(standard)
            assert standard.send_rate is None
        standard_requests = len(emu.requests)
        # Standard mode: every worker backs off alone, the throttles keep coming.
        assert failed > 0

        emu.set_rate_limit(20, burst=5)  # a full bucket again
        with clients.from_emulator(emu, client_kind, retry_mode="adaptive", **SETTINGS) as adaptive:
            failed, seen = _audit(adaptive)
            rate = adaptive.send_rate
        adaptive_requests = len(emu.requests) - standard_requests
    assert failed == 0
    assert seen == expected  # nothing lost
    # The limiter engaged, shared by all workers, and wasted far fewer requests.
    assert rate is not None and rate > 0
    assert adaptive_requests < standard_requests
    assert adaptive_requests <= 2 * LISTINGS * 1.5


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
