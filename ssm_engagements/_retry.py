"""The retry policy: AWS "standard" mode, made of small pure decisions.

- is_retryable: may this error be retried at all?
- backoff_delay: the jittered exponential delay before the next attempt.
- delay_for: that delay with the server's hint as a floor, or None to stop.
- RetryQuota: the per-client token bucket that stops retry storms.
- is_clock_skew: should the client correct its clock and re-sign?
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from .errors import (
    CassetteMissError,
    ServiceError,
    SSMContactsError,
    TransportError,
    TransportTimeoutError,
)

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT_CODES = frozenset(
    {"InternalServerException", "RequestTimeout", "RequestTimeoutException"}
)
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
THROTTLE_STATUS = 429
CLOCK_SKEW_CODES = frozenset(
    {
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "RequestTimeTooSkewed",
        "RequestExpired",
        "RequestInTheFuture",
        "AuthFailure",
    }
)
# A skew below this is left alone: SigV4 tolerates 5 minutes, and small offsets
# are more likely a slow network than a wrong clock.
CLOCK_SKEW_THRESHOLD_SECONDS = 240.0

QUOTA_CAPACITY = 500
RETRY_COST = 5
TIMEOUT_RETRY_COST = 10
NO_RETRY_INCREMENT = 1


def is_retryable(error: SSMContactsError) -> bool:
    """True for throttling, transient server errors and transport failures (but not a
    vcrpy cassette miss, which no retry can fix)."""
    if isinstance(error, TransportError):
        return not isinstance(error, CassetteMissError)
    if isinstance(error, ServiceError):
        return (
            error.status_code == THROTTLE_STATUS
            or error.status_code in TRANSIENT_STATUS
            or error.code in THROTTLING_CODES
            or error.code in TRANSIENT_CODES
        )
    return False


def is_throttle(error: SSMContactsError | None) -> bool:
    """True for a throttling answer: HTTP 429 or a throttling error code."""
    return isinstance(error, ServiceError) and (
        error.status_code == THROTTLE_STATUS or error.code in THROTTLING_CODES
    )


def backoff_delay(attempt: int, max_backoff: float, rand: Callable[[], float]) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based):
    ``rand() * min(max_backoff, 2 ** (attempt - 1))``."""
    return rand() * min(max_backoff, 2.0 ** (attempt - 1))


def delay_for(
    attempt: int, hint: float | None, max_backoff: float, rand: Callable[[], float]
) -> float | None:
    """The delay before the next attempt, the server's hint (seconds) as a floor;
    None when the hint is above max_backoff, which ends retrying."""
    if hint is not None and hint > max_backoff:
        return None
    delay = backoff_delay(attempt, max_backoff, rand)
    return max(delay, hint) if hint is not None else delay


def is_clock_skew(
    error: SSMContactsError, server_now: datetime | None, local_now: datetime
) -> bool:
    """True when the service rejected the signature for its time and its clock is
    more than the threshold away from ours."""
    return (
        isinstance(error, ServiceError)
        and error.code in CLOCK_SKEW_CODES
        and server_now is not None
        and abs((server_now - local_now).total_seconds()) > CLOCK_SKEW_THRESHOLD_SECONDS
    )


def retry_cost(error: SSMContactsError) -> int:
    """What a retry of this error takes from the quota."""
    return TIMEOUT_RETRY_COST if isinstance(error, TransportTimeoutError) else RETRY_COST


class RetryQuota:
    """A thread-safe token bucket: retries spend, successes refund; never negative."""

    def __init__(self, capacity: int = QUOTA_CAPACITY) -> None:
        self._capacity = capacity
        self._available = capacity
        self._lock = threading.Lock()

    @property
    def available(self) -> int:
        """Tokens left."""
        return self._available

    def acquire(self, cost: int) -> bool:
        """Take cost tokens for a retry; False (and nothing taken) when too few are left."""
        with self._lock:
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def release(self, amount: int) -> None:
        """Give back tokens after a success, up to the capacity."""
        with self._lock:
            self._available = min(self._capacity, self._available + amount)
