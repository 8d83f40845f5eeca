"""The adaptive mode's rate limiter, driven by a clock of the test's own (seconds)."""

from __future__ import annotations

import logging
import threading

import pytest

from ssm_engagements._ratelimit import (
    BETA,
    MEASURE_SECONDS,
    MIN_RATE,
    SCALE_CONSTANT,
    AdaptiveRateLimiter,
)

K_20 = (20 * (1 - BETA) / SCALE_CONSTANT) ** (1 / 3)  # CUBIC's K after a cut at 20/s


def successes(limiter: AdaptiveRateLimiter, start: float, end: float, per_second: float) -> float:
    """Answer successes at per_second from start to end (exclusive); the last time used."""
    t = start
    step = 1 / per_second
    while t < end - 1e-9:
        limiter.update(False, t)
        t += step
    return t - step


def engaged_at_20() -> AdaptiveRateLimiter:
    """A limiter that saw 20 successes/s for 2 s, then a throttle at t=2: cut at 20/s."""
    limiter = AdaptiveRateLimiter()
    limiter.acquire(0.0)
    successes(limiter, 0.0, 2.0, 20)
    limiter.update(True, 2.0)
    return limiter


def test_dormant_until_the_first_throttle() -> None:
    limiter = AdaptiveRateLimiter()
    for i in range(100):
        assert limiter.acquire(i / 1000) == 0.0
        limiter.update(False, i / 1000)
    assert limiter.rate is None


def test_a_throttle_cuts_to_beta_times_the_measured_success_rate() -> None:
    limiter = engaged_at_20()
    assert limiter.rate == pytest.approx(20 * BETA, rel=0.02)


def test_first_throttle_within_milliseconds_is_not_read_as_thousands_per_second() -> None:
    limiter = AdaptiveRateLimiter()
    limiter.acquire(0.0)
    for i in range(5):
        limiter.update(False, 0.001 * i)
    limiter.update(True, 0.006)
    # 5 successes over at least one measuring period (0.5 s): 10/s, cut to 7/s.
    assert limiter.rate == pytest.approx(5 / MEASURE_SECONDS * BETA)


def test_throttle_with_nothing_measured_falls_to_the_minimum_rate() -> None:
    limiter = AdaptiveRateLimiter()
    limiter.acquire(0.0)
    limiter.update(True, 0.01)
    assert limiter.rate == MIN_RATE


def test_tokens_are_reserved_in_order_at_the_fill_rate() -> None:
    limiter = engaged_at_20()  # 14/s, bucket empty at t=2
    rate = limiter.rate
    assert rate is not None
    waits = [limiter.acquire(2.0) for _ in range(5)]
    assert waits == pytest.approx([(i + 1) / rate for i in range(5)])
    # Once 7 tokens have been earned: the 5 owed, 2 free, then waiting again.
    later = [limiter.acquire(2.0 + 7.001 / rate) for _ in range(3)]
    assert later == pytest.approx([0.0, 0.0, 0.999 / rate])


def test_an_idle_bucket_holds_at_most_one_second_of_tokens() -> None:
    limiter = engaged_at_20()
    rate = limiter.rate
    assert rate is not None
    # 10 s idle would earn 140 tokens; the capacity is max(rate, 1) = 14.
    free = 0
    while limiter.acquire(12.0) == 0.0:
        free += 1
    assert free == int(rate)


def test_rate_regrows_along_the_cubic_curve() -> None:
    limiter = engaged_at_20()
    w_max = 20 * 1.0  # the measured rate at the cut
    # Successes keep the measured rate at 20/s, so the 2x cap (40/s) stays out of the way.
    for dt in (0.5, 1.5, K_20, 3.5):
        end = successes(limiter, 2.0 + 0.01, 2.0 + dt + 0.001, 20)
        expected = SCALE_CONSTANT * (end - 2.0 - K_20) ** 3 + w_max
        assert limiter.rate == pytest.approx(expected, rel=0.03), dt
    # Back at the old rate K seconds after the cut, and past it after.
    assert limiter.rate is not None and limiter.rate > 20


def test_growth_is_capped_at_twice_the_measured_rate() -> None:
    limiter = engaged_at_20()
    # Callers slow to 4 requests/s: the measured rate falls toward 4, the cap to ~8.
    successes(limiter, 2.01, 8.0, 4)
    assert limiter.rate is not None
    assert limiter.rate < 2 * 4 * 1.1


def test_throttles_answering_requests_already_scheduled_do_not_cut_again() -> None:
    limiter = engaged_at_20()
    rate = limiter.rate
    assert rate is not None
    for _ in range(3):  # in flight before the cut
        limiter.update(True, 2.0 + MEASURE_SECONDS / 2)
    assert limiter.rate == rate
    successes(limiter, 2.0, 2.5, 20)  # successes go on: the measured rate stays ~20/s
    rate = limiter.rate
    assert rate is not None
    # A throttle after the echo window is a new congestion event: cut again, from the
    # lower of the measured rate (20/s) and the bucket's (14/s).
    limiter.update(True, 2.0 + MEASURE_SECONDS + 0.01)
    assert limiter.rate == pytest.approx(rate * BETA, rel=0.01)


def test_echo_window_covers_the_slots_reserved_before_the_cut() -> None:
    limiter = engaged_at_20()
    successes(limiter, 2.01, 6.0, 20)  # regrown past 20/s
    fast = limiter.rate
    assert fast is not None and fast > 20
    backlog = 0.0
    while backlog < 1.0:  # callers reserve slots up to a second ahead
        backlog = limiter.acquire(6.0)
    limiter.update(True, 6.0)
    cut = limiter.rate
    assert cut is not None and cut < fast
    limiter.update(True, 6.0 + backlog + MEASURE_SECONDS - 0.05)
    assert limiter.rate == cut
    limiter.update(True, 6.0 + backlog + MEASURE_SECONDS + 0.05)
    assert limiter.rate is not None and limiter.rate < cut


def test_rate_never_below_the_minimum() -> None:
    limiter = engaged_at_20()
    for i in range(1, 30):
        limiter.update(True, 2.0 + i * 10)
    assert limiter.rate == MIN_RATE


def test_threads_share_one_schedule() -> None:
    limiter = engaged_at_20()
    rate = limiter.rate
    assert rate is not None
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(25):
            wait = limiter.acquire(2.0)
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 200 reservations, one per slot: no two callers share a slot, none is skipped.
    assert sorted(waits) == pytest.approx([(i + 1) / rate for i in range(200)])


def test_rate_changes_are_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="ssm_engagements"):
        limiter = engaged_at_20()
        successes(limiter, 2.01, 5.0, 20)
    messages = [r.getMessage() for r in caplog.records]
    assert any("throttled; send rate cut from unlimited to 13.9" in m for m in messages), messages
    assert any("regrown to" in m for m in messages), messages
    # Growth is logged in steps of 10 %, not once per answer.
    assert len(messages) < 20
