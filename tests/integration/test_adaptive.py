"""Adaptive retry mode against the emulator throttling as the service does, both clients:\none real-time smoke test; the limiter's decisions are tested with a fake clock."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests import _clients as clients

LISTINGS = 32
WORKERS = 16
# Enough attempts that no listing fails however the machine's speed shapes the
# throttling; how adaptive mode compares with standard mode is measured by
# `nox -s bench_adaptive`, and its decisions are tested on the core (tests/core).
SETTINGS: dict[str, Any] = {"max_attempts": 10, "max_pool_connections": WORKERS}
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


def test_adaptive_mode_completes_an_audit_under_throttling(client_kind: str) -> None:
    expected = {e["EngagementArn"] for e in _engagements()}
    with Emulator(engagements=_engagements()) as emu:
        emu.set_rate_limit(20, burst=5)
        emu.inject("throttle")  # the limiter engages even if the machine is slow
        with clients.from_emulator(emu, client_kind, retry_mode="adaptive", **SETTINGS) as adaptive:
            failed, seen = _audit(adaptive)
            rate = adaptive.send_rate
    assert failed == 0
    assert seen == expected  # nothing lost, every worker waiting on one shared rate
    assert rate is not None and rate > 0


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
