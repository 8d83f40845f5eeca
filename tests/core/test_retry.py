"""The retry policy's decisions, table by table, against the contract's Retries section.

Pure functions of their inputs: no client, no clock, no randomness but a scripted one.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.retries import standard

from ssm_engagements import _retry as r
from ssm_engagements.errors import (
    AccessDeniedException,
    CassetteMissError,
    ConfigurationError,
    InternalServerException,
    PaginationError,
    ParamValidationError,
    ResponseParseError,
    ServiceError,
    SSMContactsError,
    ThrottlingException,
    TransportError,
    TransportTimeoutError,
    ValidationException,
)
from tests.core._threads import from_threads

# The contract's lists, written out again: a code added to or dropped from the module
# fails here, not silently in a user's retry budget.
THROTTLING_CODES = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
}  # fmt: skip
TRANSIENT_CODES = {"InternalServerException", "RequestTimeout", "RequestTimeoutException"}
TRANSIENT_STATUS = {500, 502, 503, 504}
CLOCK_SKEW_CODES = {
    "InvalidSignatureException", "SignatureDoesNotMatch", "RequestTimeTooSkewed",
    "RequestExpired", "RequestInTheFuture", "AuthFailure",
}  # fmt: skip


def service(code: str, status: int = 400, cls: type[ServiceError] = ServiceError) -> ServiceError:
    return cls(code=code, message="m", status_code=status)


def test_the_code_lists_are_the_contracts() -> None:
    assert r.THROTTLING_CODES == THROTTLING_CODES
    assert r.TRANSIENT_CODES == TRANSIENT_CODES
    assert r.TRANSIENT_STATUS == TRANSIENT_STATUS
    assert r.THROTTLE_STATUS == 429
    assert r.CLOCK_SKEW_CODES == CLOCK_SKEW_CODES


def test_whatever_botocores_standard_mode_retries_is_retried() -> None:
    """botocore lists PriorRequestNotComplete as transient, this SDK as a throttle (it
    feeds the adaptive limiter); InternalServerException is this API's 500."""
    theirs = set(standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES)
    assert theirs == r.THROTTLING_CODES
    theirs |= set(standard.TransientRetryableChecker._TRANSIENT_ERROR_CODES)
    assert theirs | {"InternalServerException"} == r.THROTTLING_CODES | r.TRANSIENT_CODES
    assert set(standard.TransientRetryableChecker._TRANSIENT_STATUS_CODES) == r.TRANSIENT_STATUS


@pytest.mark.skipif(
    not hasattr(standard, "ThrottlingStatusCodeChecker"),
    reason="botocore's standard mode retries a bare 429 only from the release that added "
    "ThrottlingStatusCodeChecker (not in botocore 1.34.0, the floor)",
)
def test_botocores_standard_mode_retries_a_bare_429_as_this_sdk_does() -> None:
    checker = standard.ThrottlingStatusCodeChecker
    assert checker._THROTTLING_STATUS_CODES == [r.THROTTLE_STATUS]


RETRIED: list[tuple[str, SSMContactsError]] = [
    *((f"{code} 400", service(code)) for code in sorted(THROTTLING_CODES)),
    *((f"{code} 400", service(code)) for code in sorted(TRANSIENT_CODES)),
    ("ThrottlingException class", service("ThrottlingException", cls=ThrottlingException)),
    (
        "InternalServerException 500",
        service("InternalServerException", 500, InternalServerException),
    ),
    ("429, any code", service("SomethingNew", 429)),
    ("429, the status as code", service("429", 429)),
    *((f"HTTP {status}", service(str(status), status)) for status in sorted(TRANSIENT_STATUS)),
    ("502 with an unknown code", service("BadGateway", 502)),
    ("connection failure", TransportError("connection refused")),
    ("truncated body", TransportError("body shorter than Content-Length")),
    ("timeout", TransportTimeoutError("read timeout")),
]
NEVER: list[tuple[str, SSMContactsError]] = [
    ("ValidationException", service("ValidationException", cls=ValidationException)),
    ("AccessDeniedException", service("AccessDeniedException", cls=AccessDeniedException)),
    ("403 AccessDenied", service("AccessDeniedException", 403)),
    ("400, unknown code", service("SomethingElse")),
    ("404", service("404", 404)),
    ("413", service("413", 413)),
    ("HTTP 501", service("501", 501)),
    ("HTTP 505", service("505", 505)),
    ("HTTP 499", service("499", 499)),
    ("clock skew code", service("InvalidSignatureException")),
    ("a code that only contains a throttling one", service("ThrottlingExceptionX")),
    ("a code in another case", service("throttlingexception")),
    ("cassette miss", CassetteMissError("no recorded response")),
    ("ResponseParseError", ResponseParseError("not JSON", status_code=200)),
    ("ParamValidationError", ParamValidationError(param="p", rule="r", value=1)),
    ("PaginationError", PaginationError("cycle", next_token="t")),
    ("ConfigurationError", ConfigurationError("no region")),
    ("the base class", SSMContactsError("?")),
]


@pytest.mark.parametrize(("name", "error"), RETRIED, ids=[n for n, _ in RETRIED])
def test_retried(name: str, error: SSMContactsError) -> None:
    assert r.is_retryable(error)


@pytest.mark.parametrize(("name", "error"), NEVER, ids=[n for n, _ in NEVER])
def test_never_retried(name: str, error: SSMContactsError) -> None:
    assert not r.is_retryable(error)


@pytest.mark.parametrize(
    ("error", "throttle"),
    [
        *((service(code), True) for code in sorted(THROTTLING_CODES)),
        (service("Anything", 429), True),
        (service("InternalServerException", 500), False),
        (service("503", 503), False),
        (service("RequestTimeout"), False),
        (service("ValidationException"), False),
        (TransportError("reset"), False),
        (TransportTimeoutError("read"), False),
        (None, False),
    ],
)
def test_is_throttle(error: SSMContactsError | None, throttle: bool) -> None:
    """What feeds the adaptive limiter a cut: throttling answers only."""
    assert r.is_throttle(error) is throttle


class Rand:
    """random.random, scripted: returns the values in turn and counts the calls."""

    def __init__(self, *values: float) -> None:
        self.values = list(values)
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.values.pop(0)


@pytest.mark.parametrize(
    ("attempt", "max_backoff", "rand", "delay"),
    [
        (1, 20.0, 1.0, 1.0),
        (2, 20.0, 1.0, 2.0),
        (3, 20.0, 1.0, 4.0),
        (4, 20.0, 1.0, 8.0),
        (5, 20.0, 1.0, 16.0),
        (6, 20.0, 1.0, 20.0),  # 32 capped
        (30, 20.0, 1.0, 20.0),
        (1, 20.0, 0.5, 0.5),
        (3, 20.0, 0.25, 1.0),
        (6, 20.0, 0.5, 10.0),  # the jitter applies to the capped value
        (1, 20.0, 0.0, 0.0),
        (3, 3.0, 1.0, 3.0),
        (1, 0.5, 1.0, 0.5),
        (2, 0.0, 1.0, 0.0),  # max_backoff 0: retry at once
    ],
)
def test_backoff_is_random_times_capped_exponential(
    attempt: int, max_backoff: float, rand: float, delay: float
) -> None:
    random = Rand(rand)
    assert r.backoff_delay(attempt, max_backoff, random) == delay
    assert random.calls == 1


@pytest.mark.parametrize(
    ("attempt", "hint", "max_backoff", "rand", "delay"),
    [
        (1, None, 20.0, 0.5, 0.5),  # no hint: the backoff
        (1, 3.0, 20.0, 0.5, 3.0),  # hint above the backoff: the floor
        (3, 0.5, 20.0, 0.5, 2.0),  # hint below the backoff: the backoff
        (3, 2.0, 20.0, 0.5, 2.0),  # equal
        (1, 0.0, 20.0, 0.25, 0.25),  # a zero hint changes nothing
        (1, 20.0, 20.0, 0.1, 20.0),  # a hint of exactly max_backoff is still waited
        (2, 5.0, 5.0, 1.0, 5.0),
        (1, 0.0, 0.0, 1.0, 0.0),
    ],
)
def test_a_server_hint_is_a_floor(
    attempt: int, hint: float | None, max_backoff: float, rand: float, delay: float
) -> None:
    assert r.delay_for(attempt, hint, max_backoff, Rand(rand)) == delay


@pytest.mark.parametrize(("hint", "max_backoff"), [(20.001, 20.0), (60.0, 20.0), (0.1, 0.0)])
def test_a_hint_above_max_backoff_ends_retrying(hint: float, max_backoff: float) -> None:
    random = Rand(0.5)
    assert r.delay_for(1, hint, max_backoff, random) is None


def test_quota_constants_are_the_contracts() -> None:
    assert (r.QUOTA_CAPACITY, r.RETRY_COST, r.TIMEOUT_RETRY_COST) == (500, 5, 10)
    assert r.NO_RETRY_INCREMENT == 1
    assert r.RetryQuota().available == 500


@pytest.mark.parametrize(
    ("error", "cost"),
    [
        (TransportTimeoutError("connect timeout"), 10),
        (TransportError("reset"), 5),
        (service("ThrottlingException"), 5),
        (service("500", 500), 5),
    ],
)
def test_a_retry_costs_5_or_10_after_a_timeout(error: SSMContactsError, cost: int) -> None:
    assert r.retry_cost(error) == cost


def test_the_quota_is_spent_by_retries_and_refunded_by_successes() -> None:
    quota = r.RetryQuota()
    steps: list[tuple[str, int, bool | None, int]] = [
        # (operation, amount, acquire's answer, available after)
        ("acquire", 5, True, 495),
        ("acquire", 10, True, 485),
        ("release", 5, None, 490),
        ("release", 1, None, 491),
        ("release", 100, None, 500),  # never above the capacity
        ("acquire", 500, True, 0),  # all of it, exactly
        ("acquire", 5, False, 0),  # empty: refused, nothing taken
        ("release", 1, None, 1),
        ("acquire", 5, False, 1),
        ("release", 4, None, 5),
        ("acquire", 5, True, 0),
    ]
    for operation, amount, answer, available in steps:
        if operation == "acquire":
            assert quota.acquire(amount) is answer, (operation, amount)
        else:
            quota.release(amount)
        assert quota.available == available, (operation, amount)


def test_100_retries_empty_the_quota_and_50_timeouts_too() -> None:
    for cost, count in ((5, 100), (10, 50)):
        quota = r.RetryQuota()
        assert [quota.acquire(cost) for _ in range(count + 1)] == [True] * count + [False]
        assert quota.available == 0


def test_a_small_quota_refuses_what_it_cannot_cover() -> None:
    quota = r.RetryQuota(capacity=7)
    assert quota.acquire(10) is False
    assert quota.available == 7
    assert quota.acquire(5) is True
    assert quota.acquire(5) is False
    assert quota.available == 2
    quota.release(10)
    assert quota.available == 7


def test_threads_never_overspend_the_quota() -> None:
    quota = r.RetryQuota()
    granted = from_threads(lambda: quota.acquire(5), times=50)
    assert granted.count(True) == 100
    assert quota.available == 0


LOCAL = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("status", [400, 403])
@pytest.mark.parametrize("code", sorted(CLOCK_SKEW_CODES))
@pytest.mark.parametrize(
    ("offset", "skewed"),
    [
        (timedelta(minutes=5), True),
        (-timedelta(minutes=5), True),  # a server behind us counts too
        (timedelta(hours=3), True),
        (timedelta(seconds=240.001), True),
        (timedelta(seconds=240), False),  # "more than 4 minutes"
        (-timedelta(seconds=240), False),
        (timedelta(minutes=2), False),
        (timedelta(0), False),
    ],
)
def test_clock_skew_over_four_minutes(
    status: int, code: str, offset: timedelta, skewed: bool
) -> None:
    assert r.is_clock_skew(service(code, status), LOCAL + offset, LOCAL) is skewed


@pytest.mark.parametrize(
    "error",
    [
        service("AccessDeniedException", 403),
        service("ThrottlingException"),
        service("ValidationException"),
        service("403", 403),
        TransportError("reset"),
        ParamValidationError(param="p", rule="r", value=1),
    ],
)
def test_other_errors_are_never_clock_skew(error: SSMContactsError) -> None:
    assert not r.is_clock_skew(error, LOCAL + timedelta(hours=1), LOCAL)


def test_no_date_header_is_no_clock_skew() -> None:
    assert not r.is_clock_skew(service("RequestTimeTooSkewed"), None, LOCAL)
