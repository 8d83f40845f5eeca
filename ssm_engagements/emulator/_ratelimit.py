"""The emulator's request rate limit: a token bucket, as the service's per-account quota."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["RequestRateLimit"]


class RequestRateLimit:
    """Admits ``requests_per_second`` on average and ``burst`` at once; thread-safe.

    The bucket starts full. A refused request takes no token, so a client that keeps
    sending while throttled gets through again as soon as the rate allows.
    ``clock`` (monotonic seconds) is a seam for tests.
    """

    def __init__(
        self,
        requests_per_second: float,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if (
            type(requests_per_second) not in (int, float)  # not bool, not str
            or not math.isfinite(requests_per_second)
            or requests_per_second <= 0
        ):
            raise ValueError(
                f"requests_per_second must be a finite number > 0 or None; "
                f"got {requests_per_second!r}"
            )
        if type(burst) is not int or burst < 1:
            raise ValueError(f"burst must be an integer >= 1; got {burst!r}")
        self.requests_per_second = float(requests_per_second)
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._at = clock()

    def admit(self) -> bool:
        """Take a token for one request; False when the rate is exceeded."""
        with self._lock:
            now = self._clock()
            if now > self._at:
                self._tokens = min(
                    float(self.burst), self._tokens + (now - self._at) * self.requests_per_second
                )
                self._at = now
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True
