"""Why adaptive mode exists, decided on a fake clock: 16 workers list 32 incidents (two
pages each) from a service that admits 20 requests/s with a burst of 5, with three
attempts a call. In standard mode every worker backs off alone and some listings run
out of attempts; in adaptive mode the shared limiter paces them all and none does, with
fewer requests sent. The real-time run of the same audit (tests/integration/
test_adaptive.py) only checks what cannot depend on the machine's speed.

The service's side is the emulator's own token bucket (``RequestRateLimit``) on the
same clock; the client's side is a small model of the call plan's loop, made of the
real decisions: ``AdaptiveRateLimiter``, ``is_throttle``, ``delay_for``, ``RetryQuota``
and ``retry_cost``. Workers are generators that yield the seconds they wait; a
scheduler advances the clock to the next one due. Seeded randomness, no threads.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Generator

import attrs
import pytest

from ssm_engagements._ratelimit import AdaptiveRateLimiter
from ssm_engagements._retry import (
    NO_RETRY_INCREMENT,
    RetryQuota,
    delay_for,
    is_retryable,
    is_throttle,
    retry_cost,
)
from ssm_engagements.emulator._ratelimit import RequestRateLimit
from ssm_engagements.errors import ThrottlingException

WORKERS = 16
LISTINGS = 32
PAGES = 2
ATTEMPTS = 3
MAX_BACKOFF = 20.0

Wait = Generator[float, None, bool]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@attrs.define
class Outcome:
    failed_listings: int = 0
    requests: int = 0
    throttled: int = 0
    seconds: float = 0.0
    send_rate: float | None = None


def audit(mode: str, *, seed: int, latency: float) -> Outcome:
    """The audit in ``mode`` ("standard" or "adaptive"); ``latency``: seconds from
    sending a request to its answer (the machine's and the network's speed)."""
    clock = Clock()
    service = RequestRateLimit(20, burst=5, clock=clock)
    limiter = AdaptiveRateLimiter() if mode == "adaptive" else None
    quota = RetryQuota()
    rand = random.Random(seed).random
    outcome = Outcome()
    throttle = ThrottlingException(
        code="ThrottlingException", message="Rate exceeded", status_code=400
    )
    queue = list(range(LISTINGS))

    def call() -> Wait:
        """One list_engagements call: the plan's loop, in the plan's order."""
        spent = 0
        for attempt in range(1, ATTEMPTS + 1):
            if limiter is not None:
                while (wait := limiter.acquire(clock.now)) > 0:
                    yield wait
            outcome.requests += 1
            admitted = service.admit()
            yield latency
            error = None if admitted else throttle
            if limiter is not None:
                limiter.update(is_throttle(error), clock.now)
            if error is None:
                quota.release(spent or NO_RETRY_INCREMENT)
                return True
            outcome.throttled += 1
            assert is_retryable(error)
            if attempt == ATTEMPTS:
                return False
            delay = delay_for(attempt, None, MAX_BACKOFF, rand)
            if delay is None or not quota.acquire(retry_cost(error)):
                return False
            spent += retry_cost(error)
            yield delay
        raise AssertionError("unreachable")

    def worker() -> Wait:
        while queue:
            queue.pop(0)
            for _ in range(PAGES):
                if not (yield from call()):
                    outcome.failed_listings += 1
                    break
        return True

    due: list[tuple[float, int, Wait]] = [(0.0, n, worker()) for n in range(WORKERS)]
    heapq.heapify(due)
    order = WORKERS
    while due:
        clock.now, _, task = heapq.heappop(due)
        try:
            wait = next(task)
        except StopIteration:
            continue
        order += 1
        heapq.heappush(due, (clock.now + wait, order, task))
    outcome.seconds = clock.now
    outcome.send_rate = None if limiter is None else limiter.rate
    return outcome


SEEDS = range(10)
# From a fast loopback to a slow, loaded machine: the outcome must not depend on it.
LATENCIES = [0.001, 0.005, 0.02, 0.1, 0.2]


@pytest.mark.parametrize("latency", LATENCIES)
def test_standard_mode_fails_listings_adaptive_mode_completes_them(latency: float) -> None:
    for seed in SEEDS:
        standard = audit("standard", seed=seed, latency=latency)
        adaptive = audit("adaptive", seed=seed, latency=latency)
        assert standard.failed_listings > 0, (seed, standard)
        assert adaptive.failed_listings == 0, (seed, adaptive)
        # Fewer requests wasted on throttles: at most a quarter more than the 64 needed.
        assert adaptive.requests < standard.requests, (seed, adaptive, standard)
        assert adaptive.requests <= LISTINGS * PAGES * 1.25, (seed, adaptive)
        assert adaptive.send_rate is not None and standard.send_rate is None


def test_the_audit_is_deterministic() -> None:
    assert audit("adaptive", seed=3, latency=0.01) == audit("adaptive", seed=3, latency=0.01)
    assert audit("standard", seed=3, latency=0.01) == audit("standard", seed=3, latency=0.01)


def test_adaptive_mode_settles_near_the_service_rate() -> None:
    """Paced by the limiter, the audit takes about as long as the service's rate allows
    for the requests it needs (64 at 20/s: 3.2 s), not the backoffs' sum."""
    for seed in SEEDS:
        adaptive = audit("adaptive", seed=seed, latency=0.005)
        assert adaptive.seconds >= (LISTINGS * PAGES - 5) / 20
        assert adaptive.seconds < 2 * LISTINGS * PAGES / 20, adaptive
        assert adaptive.send_rate is not None and adaptive.send_rate < 2 * 20
