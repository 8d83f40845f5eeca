"""The adaptive mode's rate limiter, driven by a clock of the test's own (seconds).

Where the two agree by design, botocore's own limiter (``botocore.retries.adaptive``:
CUBIC, the token bucket, the rate clocker) is driven on the same fake clock with the
same answers, and the rates are compared number for number.
"""

from __future__ import annotations

import logging
import re

import pytest
from botocore.retries import adaptive, bucket, throttling

from ssm_engagements._ratelimit import (
    BETA,
    MAX_GROWTH,
    MEASURE_SECONDS,
    MIN_RATE,
    SCALE_CONSTANT,
    SMOOTHING,
    AdaptiveRateLimiter,
)
from tests.core._threads import from_threads

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
    waits = from_threads(lambda: limiter.acquire(12.0), times=25)  # a full bucket: int(rate)
    assert waits.count(0.0) == int(rate)
    assert all(w == pytest.approx((1 - (rate - int(rate))) / rate) for w in waits if w)


def test_rate_changes_are_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="ssm_engagements"):
        limiter = engaged_at_20()
        first = limiter.rate
        successes(limiter, 2.01, 5.0, 20)
        before = limiter.rate
        limiter.update(True, 5.0)
    messages = [r.getMessage() for r in caplog.records]
    cut = re.compile(
        r"Adaptive retry: throttled; send rate cut from (unlimited|\d+\.\d\d) to "
        r"(\d+\.\d\d) requests/s \(successes measured at \d+\.\d\d/s\)"
    )
    regrown = re.compile(
        r"Adaptive retry: send rate regrown to \d+\.\d\d requests/s "
        r"\(successes measured at \d+\.\d\d/s\)"
    )
    cuts = [m.groups() for m in map(cut.fullmatch, messages) if m]
    assert first is not None and before is not None and limiter.rate is not None
    assert cuts == [
        ("unlimited", f"{first:.2f}"),
        (f"{before:.2f}", f"{limiter.rate:.2f}"),
    ], messages
    assert any(regrown.fullmatch(m) for m in messages), messages
    assert all(cut.fullmatch(m) or regrown.fullmatch(m) for m in messages), messages
    # Growth is logged in steps of 10 %, not once per answer.
    assert len(messages) < 20


def test_the_first_measuring_period_starts_at_the_first_send() -> None:
    limiter = AdaptiveRateLimiter()
    limiter.acquire(10.0)
    for t in (10.1, 10.2, 10.3):
        limiter.update(False, t)
    limiter.update(True, 10.4)
    # 3 successes since the first send, over at least one period: 6/s, cut to 4.2/s.
    assert limiter.rate == pytest.approx(3 / MEASURE_SECONDS * BETA)
    limiter = AdaptiveRateLimiter()
    limiter.acquire(0.0)
    for t in (0.6, 0.7, 0.8):  # the first answers come a period after the first send
        limiter.update(False, t)
    limiter.update(True, 0.85)
    # The period [0, 0.5) closed at 0.7 with 1 success: 2/s measured, cut to 1.4/s.
    assert limiter.rate == pytest.approx(1 / MEASURE_SECONDS * BETA)


def test_answers_before_any_send_was_recorded_are_measured_from_the_first() -> None:
    limiter = AdaptiveRateLimiter()
    limiter.update(False, 5.0)
    limiter.update(True, 5.1)
    assert limiter.rate == pytest.approx(1 / MEASURE_SECONDS * BETA)


def test_a_throttle_one_measuring_period_after_a_cut_cuts_again() -> None:
    limiter = engaged_at_20()
    rate = limiter.rate
    assert rate is not None
    limiter.update(True, 2.0 + MEASURE_SECONDS - 0.001)  # an echo of the cut
    assert limiter.rate == rate
    limiter.update(True, 2.0 + MEASURE_SECONDS)  # a new congestion event
    assert limiter.rate is not None and limiter.rate < rate


def wait_for_token(limiter: AdaptiveRateLimiter, now: float) -> tuple[float, int]:
    """A caller's loop on a fake clock: ask, sleep what it says, ask again. Returns the
    time the token was granted and the number of asks; a limiter that never grants
    one (a caller hung forever) fails instead of looping."""
    for asks in range(1, 11):
        wait = limiter.acquire(now)
        if wait == 0.0:
            return now, asks
        assert wait > 0.0
        now += wait
    raise AssertionError(f"no token after 10 asks (last wait {wait!r}, rate {limiter.rate!r})")


def cut_to_minimum() -> AdaptiveRateLimiter:
    limiter = AdaptiveRateLimiter()
    limiter.acquire(0.0)
    limiter.update(True, 0.01)  # nothing measured yet: the floor
    assert limiter.rate == MIN_RATE
    return limiter


def test_at_the_minimum_rate_a_token_comes_after_the_wait_the_rate_implies() -> None:
    """A bucket too small to ever hold a whole token would hang every caller."""
    limiter = cut_to_minimum()
    now = 0.01
    for _ in range(5):
        granted, asks = wait_for_token(limiter, now)
        assert granted - now == pytest.approx(1 / MIN_RATE)  # one request every 2 s
        assert asks == 2  # told the wait once, then served
        now = granted


def test_the_minimum_rate_bucket_still_holds_one_token() -> None:
    limiter = cut_to_minimum()
    # Idle for a minute: one token saved, not 30 and not half of one.
    assert limiter.acquire(60.0) == 0.0
    assert limiter.acquire(60.0) == pytest.approx(1 / MIN_RATE)


@pytest.mark.parametrize("cuts", [1, 2, 5, 12, 30])
def test_after_any_number_of_cuts_every_caller_is_served(cuts: int) -> None:
    limiter = engaged_at_20()
    now = 2.0
    for _ in range(cuts):
        now += 1.0
        limiter.update(True, now)
    rate = limiter.rate
    assert rate is not None and rate >= MIN_RATE
    for _ in range(3):
        granted, asks = wait_for_token(limiter, now)
        assert asks <= 2
        assert granted - now <= 1 / rate + 1e-9
        now = granted


class FakeClock:
    """botocore's clock interface (current_time), on the test's time."""

    def __init__(self) -> None:
        self.now = 0.0

    def current_time(self) -> float:
        return self.now

    def sleep(self, amount: float) -> None:
        raise AssertionError("a non-blocking acquire never sleeps")


class _Detector:
    def is_throttling_error(self, **kwargs: object) -> bool:
        return bool(kwargs["throttled"])


class Both:
    """This SDK's limiter and botocore's ClientRateLimiter, fed the same answers."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        # As botocore.retries.adaptive.register_retry_handler builds it.
        self.bucket = bucket.TokenBucket(max_rate=1, clock=self.clock)
        self.botocore = adaptive.ClientRateLimiter(
            rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=0.0),
            rate_clocker=adaptive.RateClocker(self.clock),
            token_bucket=self.bucket,
            throttling_detector=_Detector(),
            clock=self.clock,
        )
        self.ours = AdaptiveRateLimiter()
        self.ours.acquire(0.0)

    def answer(self, t: float, throttled: bool) -> None:
        self.clock.now = t
        self.botocore.on_receiving_response(throttled=throttled)
        self.ours.update(throttled, t)

    def successes(self, start: float, end: float, per_second: float) -> float:
        t = start
        while t < end - 1e-9:
            self.answer(t, False)
            t += 1 / per_second
        return t

    def rates(self) -> tuple[float, float | None]:
        return self.bucket.max_rate, self.ours.rate


def test_botocore_constants() -> None:
    calculator = throttling.CubicCalculator(starting_max_rate=0, start_time=0)
    theirs = (
        calculator._beta,
        calculator._scale_constant,
        bucket.TokenBucket._MIN_RATE,
        adaptive.ClientRateLimiter._MAX_RATE_ADJUST_SCALE,
        adaptive.RateClocker._DEFAULT_SMOOTHING,
        adaptive.RateClocker._TIME_BUCKET_RANGE,
    )
    assert theirs == (BETA, SCALE_CONSTANT, MIN_RATE, MAX_GROWTH, SMOOTHING, MEASURE_SECONDS)


def test_the_cut_and_the_cubic_regrowth_are_botocores() -> None:
    """Steady successes at 20/s, one throttle, then successes again: both limiters
    cut to the same rate and regrow along the same curve (K s later back at 20/s, the
    2x-measured cap after), and a second congestion event cuts both alike."""
    both = Both()
    t = both.successes(0.0, 10.0, 20)
    both.answer(10.0, True)
    theirs, ours = both.rates()
    assert ours == pytest.approx(theirs, rel=1e-9)
    assert ours == pytest.approx(20 * BETA, rel=0.02)
    t = 10.025
    for stop in (11, 12, 13, 14, 15, 16):
        t = both.successes(t, stop, 20)
        theirs, ours = both.rates()
        assert ours == pytest.approx(theirs, rel=1e-9), stop
    assert ours is not None and 37 < ours < 2 * 20  # past the old rate, under the cap
    both.answer(16.0, True)
    theirs, ours = both.rates()
    assert ours == pytest.approx(theirs, rel=1e-6)
    assert ours == pytest.approx(20 * BETA, rel=0.01)  # from the measured 20/s, not 37


@pytest.mark.parametrize("rate_per_second", [MIN_RATE, 0.8, 3.3, 13.7])
def test_the_token_bucket_grants_as_botocores_does(rate_per_second: float) -> None:
    """Engaged at a rate, polled on a grid of times: the same asks are granted."""
    clock = FakeClock()
    clock.now = 5.0
    theirs = bucket.TokenBucket(max_rate=rate_per_second, clock=clock)
    ours = AdaptiveRateLimiter()
    ours.acquire(0.0)
    # Successes at about rate/BETA per second, then a throttle at t=5; botocore's
    # bucket is given the rate ours was cut to.
    successes(ours, 0.0, 5.0, rate_per_second / BETA)
    ours.update(True, 5.0)
    assert ours.rate is not None
    theirs.max_rate = ours.rate
    grants: list[tuple[bool, bool]] = []
    for step in range(1, 400):
        clock.now = 5.0 + step * 0.0173  # off any refill boundary
        try:
            theirs.acquire(block=False)
            theirs_granted = True
        except Exception:
            theirs_granted = False
        grants.append((theirs_granted, ours.acquire(clock.now) == 0.0))
    assert all(a == b for a, b in grants), grants
    assert sum(a for a, _ in grants) >= 2
