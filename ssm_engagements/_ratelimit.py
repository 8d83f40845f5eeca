"""The adaptive retry mode's client-side rate limiter: a token bucket whose rate follows
CUBIC, as AWS's SDKs do it (the constants below are botocore's, in ``retries/adaptive.py``,
``bucket.py`` and ``throttling.py``).

No I/O and no sleeping: ``acquire`` takes a token or says how long to wait before asking
again, so the blocking client sleeps and the async one awaits. One
limiter serves every thread or task of a client; all state is behind one lock. Times are
``time.monotonic()`` seconds, passed in, so tests drive a clock of their own.
"""

from __future__ import annotations

import logging
import math
import threading

from ._log import logger

BETA = 0.7
"""A throttle cuts the send rate to this fraction of the rate that was achieved."""
SCALE_CONSTANT = 0.4
"""CUBIC's C, in requests/s per s³: how fast the rate regrows after a cut."""
SMOOTHING = 0.8
"""Weight of the newest half-second measurement in the measured rate."""
MEASURE_SECONDS = 0.5
"""The measured rate is updated once per this many seconds."""
MIN_RATE = 0.5
"""The send rate never falls below this (one request every 2 s)."""
MAX_GROWTH = 2.0
"""The send rate never exceeds this multiple of the measured rate."""

_EPSILON = 1e-9  # a caller that slept the wait it was given finds its token


class AdaptiveRateLimiter:
    """Token bucket (capacity max(rate, 1) tokens) refilled at a rate set by CUBIC.

    Dormant until the first throttling answer, as in botocore: a client the service
    never throttles sends as fast as its callers ask. From then on each request takes a
    token first; a throttle cuts the rate to ``BETA`` times the rate of successes
    measured (or the bucket's rate, when lower), and each success regrows it along
    ``SCALE_CONSTANT * (t - K)**3 + W_max`` (t: seconds since the cut, W_max: the rate
    at the cut, K: when the curve gets back to it), capped at ``MAX_GROWTH`` times the
    measured rate.

    Two choices differ from botocore, both so that one congestion event counts once:
    the measured rate counts successes, not every answer (throttled answers say nothing
    about what the service accepts), and throttles arriving within one measuring period
    of a cut (answers to requests already in flight) do not cut the rate again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engaged = False
        self._rate = 0.0  # tokens per second, once engaged
        self._tokens = 0.0
        self._capacity = 1.0
        self._refilled_at = 0.0
        # CUBIC: the rate at the last cut, when the curve regains it, the cut's time.
        self._w_max = 0.0
        self._k = 0.0
        self._cut_at = 0.0
        self._echo_until = -math.inf
        # Measured rate of successes, per MEASURE_SECONDS period.
        self._measured: float | None = None
        self._period: float | None = None  # start of the open period
        self._first_send: float | None = None
        self._successes = 0
        self._logged = 0.0

    @property
    def rate(self) -> float | None:
        """The current send rate (requests per second), None while dormant."""
        return self._rate if self._engaged else None

    def acquire(self, now: float) -> float:
        """Take a send token: 0 when one was free (send now), else the seconds until
        the next one is due, after which the caller asks again (nothing was taken, so a
        rate cut meanwhile applies to callers already waiting)."""
        with self._lock:
            if not self._engaged:
                if self._first_send is None:
                    self._first_send = now
                return 0.0
            self._refill(now)
            if self._tokens >= 1.0 - _EPSILON:
                self._tokens = max(self._tokens - 1.0, 0.0)
                return 0.0
            return (1.0 - self._tokens) / self._rate

    def update(self, throttled: bool, now: float) -> None:
        """Account for an answer received at ``now``: a throttle cuts the rate, a
        success regrows it."""
        with self._lock:
            measured = self._measure(now, success=not throttled)
            old = self._rate if self._engaged else None
            if throttled:
                if self._engaged and now < self._echo_until:
                    return
                base = min(measured, self._rate) if self._engaged else measured
                self._w_max = base
                self._k = (base * (1.0 - BETA) / SCALE_CONSTANT) ** (1.0 / 3.0)
                self._cut_at = now
                self._echo_until = now + MEASURE_SECONDS
                self._set_rate(base * BETA, now)
                self._engaged = True
            elif self._engaged:
                cubic = SCALE_CONSTANT * (now - self._cut_at - self._k) ** 3 + self._w_max
                self._set_rate(min(cubic, MAX_GROWTH * measured), now)
            else:
                return
            new = self._rate
            if not throttled and abs(new - self._logged) < 0.1 * self._logged:
                return  # growth is reported in steps of 10 %, not once per answer
            self._logged = new
        if not logger.isEnabledFor(logging.DEBUG):
            return
        if throttled:
            logger.debug(
                "Adaptive retry: throttled; send rate cut from %s to %.2f requests/s "
                "(successes measured at %.2f/s)",
                "unlimited" if old is None else f"{old:.2f}", new, measured,
            )  # fmt: skip
        else:
            logger.debug(
                "Adaptive retry: send rate regrown to %.2f requests/s "
                "(successes measured at %.2f/s)", new, measured,
            )  # fmt: skip

    def _set_rate(self, rate: float, now: float) -> None:
        if self._engaged:
            self._refill(now)  # tokens earned so far count at the old rate
        else:
            self._refilled_at = now
        self._rate = max(rate, MIN_RATE)
        self._capacity = max(self._rate, 1.0)
        self._tokens = min(self._tokens, self._capacity)

    def _refill(self, now: float) -> None:
        elapsed = now - self._refilled_at
        if elapsed > 0.0:  # callers read the clock before the lock: now may lag a little
            self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
            self._refilled_at = now

    def _measure(self, now: float, *, success: bool) -> float:
        """The measured rate of successes (per second) after counting this answer."""
        period = math.floor(now / MEASURE_SECONDS) * MEASURE_SECONDS
        if self._period is None:  # the first period starts at the first send
            self._period = now if self._first_send is None else min(self._first_send, now)
        elif period > self._period:
            current = self._successes / (period - self._period)
            previous = self._measured
            self._measured = (
                current if previous is None else SMOOTHING * current + (1 - SMOOTHING) * previous
            )
            self._successes = 0
            self._period = period
        if success:
            self._successes += 1
        if self._measured is not None:
            return self._measured
        # Nothing measured yet: the successes since the first send, over at least one
        # period (a first throttle within milliseconds must not read as thousands/s).
        start = now if self._first_send is None else self._first_send
        return self._successes / max(now - start, MEASURE_SECONDS)
