"""The clock the call core reads: injected, so every timing decision can be tested
with a fake one (``ssm_engagements.testing.FakeClock``)."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Where the call core gets the time. Two readings, for two purposes."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back: durations (elapsed times
        in hooks and logs) and the adaptive rate limiter."""
        ...

    def time(self) -> float:
        """Wall-clock time, epoch seconds (UTC): signing times and clock-skew checks."""
        ...


class SystemClock:
    """The machine's clocks: ``time.perf_counter`` and ``time.time``."""

    __slots__ = ()

    def monotonic(self) -> float:
        return time.perf_counter()

    def time(self) -> float:
        return time.time()

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()
