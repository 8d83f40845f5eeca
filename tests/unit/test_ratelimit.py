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


def test_a_waiting_caller_is_told_when_the_next_token_is_due() -> None:
    limiter = engaged_at_20()  # 14/s, bucket empty at t=2
    rate = limiter.rate
    assert rate is not None
    assert limiter.acquire(2.0) == pytest.approx(1 / rate)
    # Nothing was taken: asking again at once gets the same answer.
    assert limiter.acquire(2.0) == pytest.approx(1 / rate)
    assert limiter.acquire(2.0 + 1 / rate) == 0.0
    assert limiter.acquire(2.0 + 1 / rate) == pytest.approx(1 / rate)
    # Once 3 tokens have been earned: 3 callers go, the 4th waits.
    later = 2.0 + 4 / rate
    assert [limiter.acquire(later) for _ in range(4)] == pytest.approx([0, 0, 0, 1 / rate])


def test_a_cut_slows_callers_already_waiting() -> None:
    limiter = engaged_at_20()
    successes(limiter, 2.0, 2.5, 20)
    while (before := limiter.acquire(2.6)) == 0.0:
        pass
    limiter.update(True, 2.6)  # a new congestion event: cut again
    after = limiter.acquire(2.6)
    assert after > before / BETA * 0.95


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


def test_throttles_answering_requests_in_flight_do_not_cut_again() -> None:
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


def test_rate_never_below_the_minimum() -> None:
    limiter = engaged_at_20()
    for i in range(1, 30):
        limiter.update(True, 2.0 + i * 10)
    assert limiter.rate == MIN_RATE


def test_threads_never_share_a_token() -> None:
    limiter = engaged_at_20()
    rate = limiter.rate
    assert rate is not None
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(25):
            wait = limiter.acquire(12.0)  # a full bucket: int(rate) tokens
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert waits.count(0.0) == int(rate)
    assert all(w == pytest.approx((1 - (rate - int(rate))) / rate) for w in waits if w)


def test_rate_changes_are_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="ssm_engagements"):
        limiter = engaged_at_20()
        successes(limiter, 2.01, 5.0, 20)
    messages = [r.getMessage() for r in caplog.records]
    assert any("throttled; send rate cut from unlimited to 13.9" in m for m in messages), messages
    assert any("regrown to" in m for m in messages), messages
    # Growth is logged in steps of 10 %, not once per answer.
    assert len(messages) < 20
