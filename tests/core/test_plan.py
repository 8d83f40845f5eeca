"""The call plan, driven by hand: every retry rule of the contract, the clock it reads,
the adaptive limiter it consults and the hooks it tells, with no socket and no sleep."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from ssm_engagements import (
    AccessDeniedException,
    NoCredentialsError,
    ResponseParseError,
    ServiceError,
    ThrottlingException,
    TransportError,
    TransportTimeoutError,
)
from ssm_engagements._ratelimit import AdaptiveRateLimiter
from ssm_engagements._retry import RetryQuota
from ssm_engagements.errors import CassetteMissError
from ssm_engagements.testing import FakeClock
from tests.core._plan import (
    LATENCY,
    START,
    RawResponse,
    Recorder,
    drive,
    error,
    http_date,
    make_core,
    page,
    response,
    signed_at,
)

THROTTLING_CODES = [
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
]  # fmt: skip

RETRIED: list[Any] = [
    *(
        pytest.param(response(status), id=f"status-{status}")
        for status in (429, 500, 502, 503, 504)
    ),
    pytest.param(response(429, b"<html>Too Many Requests</html>"), id="429-html"),
    *(pytest.param(error(400, code), id=code) for code in THROTTLING_CODES),
    *(
        pytest.param(error(400, code), id=code)
        for code in ("InternalServerException", "RequestTimeout", "RequestTimeoutException")
    ),
    pytest.param(error(500, "InternalServerException"), id="500-InternalServerException"),
    pytest.param(TransportError("connection reset"), id="transport-error"),
    pytest.param(TransportTimeoutError("read timed out"), id="timeout"),
]

NOT_RETRIED: list[Any] = [
    pytest.param(error(400, "AccessDeniedException"), AccessDeniedException, id="AccessDenied"),
    pytest.param(error(400, "ValidationException"), ServiceError, id="Validation"),
    pytest.param(error(400, "UnrecognizedClientException"), ServiceError, id="Unrecognized"),
    pytest.param(error(403, "SomethingElse"), ServiceError, id="403-other"),
    pytest.param(response(404, b""), ServiceError, id="404"),
    pytest.param(error(400, "InvalidSignatureException"), ServiceError, id="signature-no-date"),
    pytest.param(response(200, b"not json"), ResponseParseError, id="200-not-json"),
    pytest.param(response(200, b""), ResponseParseError, id="200-empty"),
    pytest.param(response(200, {"Engagements": [{}]}), ResponseParseError, id="200-bad-shape"),
    pytest.param(CassetteMissError("no recording"), CassetteMissError, id="cassette-miss"),
]


@pytest.mark.parametrize("failure", RETRIED)
def test_retried_failures_are_retried_once_then_the_page_returns(failure: Any) -> None:
    run = drive(make_core(), [failure, page("arn:1")])
    assert run.error is None
    assert [e.engagement_arn for e in run.page.engagements] == ["arn:1"]
    assert run.kinds() == ["credentials", "send", "sleep", "credentials", "send"]
    assert run.page.response_metadata.retry_attempts == 1


@pytest.mark.parametrize(("failure", "raised"), NOT_RETRIED)
def test_other_failures_end_the_call_at_once(failure: Any, raised: type[Exception]) -> None:
    run = drive(make_core(), [failure])
    assert type(run.error) is raised or (raised is ServiceError and isinstance(run.error, raised))
    assert run.kinds() == ["credentials", "send"]
    assert getattr(run.error, "attempts", None) == 1


@pytest.mark.parametrize("failure", RETRIED[:3] + RETRIED[-2:])
def test_attempts_run_out(failure: Any) -> None:
    run = drive(make_core(max_attempts=4), [failure] * 4)
    assert len(run.sends) == 4 and len(run.sleeps) == 3
    assert isinstance(run.error, (ServiceError, TransportError))
    assert run.error.attempts == 4


def test_a_thrown_transport_error_is_raised_as_it_came() -> None:
    failure = TransportError("reset")
    run = drive(make_core(max_attempts=1), [failure])
    assert run.error is failure and failure.attempts == 1


# -- delays --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jitter", "max_backoff", "expected"),
    [
        (1.0, 5.0, [1.0, 2.0, 4.0, 5.0, 5.0]),
        (0.5, 20.0, [0.5, 1.0, 2.0, 4.0, 8.0]),
        (0.0, 20.0, [0.0] * 5),
        (1.0, 0.0, [0.0] * 5),
        (0.25, 3.0, [0.25, 0.5, 0.75, 0.75, 0.75]),
    ],
)
def test_delay_is_random_times_capped_exponential(
    jitter: float, max_backoff: float, expected: list[float]
) -> None:
    core = make_core(random=jitter, max_backoff=max_backoff, max_attempts=6)
    run = drive(core, [response(503)] * 5 + [page()])
    assert run.sleeps == expected
    metadata = run.page.response_metadata
    assert metadata.retry_attempts == 5
    assert metadata.retry_delay_seconds == pytest.approx(sum(expected))


@pytest.mark.parametrize(
    ("reply", "floor"),
    [
        pytest.param(error(400, "ThrottlingException", RetryAfterSeconds=3), 3.0, id="body"),
        pytest.param(response(503, b"", {"x-amz-retry-after": "2500"}), 2.5, id="x-amz-ms"),
        pytest.param(response(429, b"", {"Retry-After": "4"}), 4.0, id="retry-after-s"),
        pytest.param(
            response(500, b"", {"Retry-After": "1", "x-amz-retry-after": "3000"}), 3.0,
            id="x-amz-before-retry-after",
        ),
        pytest.param(
            error(400, "ThrottlingException", {"x-amz-retry-after": "4000"}, RetryAfterSeconds=1),
            1.0, id="body-before-headers",
        ),
        pytest.param(
            # 12:00:08 (whole seconds), counted from when the answer came: 12:00:00.25.
            lambda request, clock: response(503, b"", {"Retry-After": http_date(clock, 8)}),
            8.0 - LATENCY, id="http-date-on-the-fake-clock",
        ),
    ],
)  # fmt: skip
def test_a_server_hint_is_a_floor(reply: Any, floor: float) -> None:
    run = drive(make_core(random=0.0, max_backoff=10.0), [reply, page()])
    assert run.sleeps == [floor]


def test_a_hint_below_the_jittered_delay_does_not_shorten_it() -> None:
    reply = error(400, "ThrottlingException", RetryAfterSeconds=0.1)
    run = drive(make_core(random=1.0, max_backoff=10.0, max_attempts=3), [reply, reply, page()])
    assert run.sleeps == [1.0, 2.0]


@pytest.mark.parametrize("hint", [2.5, 30, 1e400])
def test_a_hint_above_max_backoff_ends_retrying_at_once(hint: float) -> None:
    quota = RetryQuota()
    core = make_core(max_backoff=2.0, quota=quota)
    run = drive(core, [error(400, "ThrottlingException", RetryAfterSeconds=hint)])
    assert isinstance(run.error, ThrottlingException)
    assert run.error.retry_after_seconds == hint
    assert run.kinds() == ["credentials", "send"]
    assert quota.available == 500  # nothing spent


def test_a_hint_equal_to_max_backoff_is_waited() -> None:
    run = drive(make_core(max_backoff=2.0), [response(503, b"", {"Retry-After": "2"}), page()])
    assert run.sleeps == [2.0]


# -- the retry quota -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "cost"),
    [
        pytest.param(response(503), 5, id="503"),
        pytest.param(error(400, "ThrottlingException"), 5, id="throttle"),
        pytest.param(TransportError("reset"), 5, id="transport"),
        pytest.param(TransportTimeoutError("timed out"), 10, id="timeout"),
    ],
)
def test_a_retry_costs_five_or_ten_after_a_timeout_and_a_success_refunds_it(
    failure: Any, cost: int
) -> None:
    quota = RetryQuota()
    core = make_core(max_attempts=3, quota=quota)
    run = drive(core, [failure, failure, failure])
    assert quota.available == 500 - 2 * cost  # two retries paid; the failure refunds nothing
    run = drive(core, [failure, page()])
    assert run.error is None
    assert quota.available == 500 - 2 * cost  # paid cost, then given it back
    drive(core, [page()])
    assert quota.available == 500 - 2 * cost + 1  # a first-try success returns 1


def test_a_success_never_fills_the_quota_past_500() -> None:
    quota = RetryQuota()
    drive(make_core(quota=quota), [page()])
    assert quota.available == 500


def test_an_empty_quota_ends_retrying() -> None:
    quota = RetryQuota()
    assert quota.acquire(496)  # 4 left: less than a retry's 5
    run = drive(make_core(quota=quota), [response(503)])
    assert isinstance(run.error, ServiceError) and run.kinds() == ["credentials", "send"]
    assert quota.available == 4
    assert quota.acquire(4 - 10 + 10) and quota.available == 0
    timeout = TransportTimeoutError("timed out")
    quota.release(9)  # 9 left: a timeout's retry costs 10
    run = drive(make_core(quota=quota), [timeout])
    assert run.error is timeout and quota.available == 9
    run = drive(make_core(quota=quota), [response(503), page()])
    assert run.error is None and quota.available == 9  # a 503's 5 was affordable, refunded


# -- clock skew ----------------------------------------------------------------------


def _skewed(status: int, ahead: float, code: str = "InvalidSignatureException") -> Any:
    """The service rejecting a signature, its clock ``ahead`` seconds of the fake one."""

    def reply(request: Any, clock: FakeClock) -> RawResponse:
        server_now = clock.time() + ahead
        if abs(signed_at(request).timestamp() - server_now) <= 300:
            return page(Date=http_date(clock, ahead))
        return error(status, code, {"Date": http_date(clock, ahead)})

    return reply


@pytest.mark.parametrize("status", [400, 403], ids=["json-service-400", "rest-service-403"])
@pytest.mark.parametrize(
    "code",
    ["InvalidSignatureException", "SignatureDoesNotMatch", "RequestTimeTooSkewed",
     "RequestExpired", "RequestInTheFuture", "AuthFailure"],
)  # fmt: skip
def test_clock_skew_is_corrected_once_and_kept(status: int, code: str) -> None:
    quota, recorder = RetryQuota(), Recorder()
    core = make_core(quota=quota, hooks=[recorder])
    run = drive(core, [_skewed(status, 900, code), _skewed(status, 900, code)])
    assert run.error is None
    (retry,) = recorder.of("on_retry")
    assert (retry.delay_seconds, retry.quota_left) == (0.0, 500)  # free, immediate
    assert run.kinds() == ["credentials", "send", "credentials", "send"]  # no sleep
    assert core.clock_offset == pytest.approx(900 - LATENCY)
    first, second = run.sends
    assert signed_at(first) == START.replace(microsecond=0)
    assert abs(signed_at(second) - (START + timedelta(seconds=900))) < timedelta(seconds=2)
    assert run.page.response_metadata.retry_attempts == 1
    assert quota.available == 500  # the re-sign is free, the success refunds 1 (capped)
    later = drive(core, [_skewed(status, 900, code)])  # signed right the first time
    assert later.error is None and len(later.sends) == 1


@pytest.mark.parametrize("ahead", [-600, 1800])
def test_skew_is_corrected_only_once_per_call(ahead: float) -> None:
    reject = lambda request, clock: error(  # noqa: E731 (never accepts)
        403, "InvalidSignatureException", {"Date": http_date(clock, ahead)}
    )
    core = make_core(max_attempts=5)
    run = drive(core, [reject, reject])
    assert isinstance(run.error, ServiceError) and run.error.code == "InvalidSignatureException"
    assert len(run.sends) == 2 and run.error.attempts == 2


def test_skew_offset_is_kept_when_no_attempt_is_left() -> None:
    core = make_core(max_attempts=1)
    run = drive(core, [_skewed(403, -600, "SignatureDoesNotMatch")])
    assert isinstance(run.error, ServiceError) and len(run.sends) == 1
    assert core.clock_offset == pytest.approx(-600 - LATENCY)


@pytest.mark.parametrize("ahead", [120, -230])
def test_a_small_skew_is_not_corrected(ahead: float) -> None:
    core = make_core()
    reject = lambda request, clock: error(  # noqa: E731
        403, "InvalidSignatureException", {"Date": http_date(clock, ahead)}
    )
    run = drive(core, [reject])
    assert isinstance(run.error, ServiceError) and len(run.sends) == 1
    assert core.clock_offset == 0.0


def test_a_skewed_date_on_another_error_is_not_a_skew() -> None:
    core = make_core()
    late = lambda request, clock: error(  # noqa: E731
        400, "AccessDeniedException", {"Date": http_date(clock, 900)}
    )
    run = drive(core, [late])
    assert isinstance(run.error, AccessDeniedException) and core.clock_offset == 0.0


# -- time: metadata and hooks from the fake clock -------------------------------------


def test_hooks_hear_each_stage_in_order_with_times_from_the_clock() -> None:
    recorder = Recorder()
    core = make_core(hooks=[recorder], random=1.0, max_attempts=3)
    run = drive(core, [error(400, "ThrottlingException"), response(503), page("arn:1")])
    assert recorder.names() == [
        "on_call_start",
        "on_attempt", "on_retry",
        "on_attempt", "on_retry",
        "on_attempt", "on_call_end",
    ]  # fmt: skip
    attempts = recorder.of("on_attempt")
    assert [a.elapsed_seconds for a in attempts] == [LATENCY] * 3
    assert [a.status_code for a in attempts] == [400, 503, 200]
    retries = recorder.of("on_retry")
    assert [(r.attempt, r.reason, r.delay_seconds) for r in retries] == [
        (1, "ThrottlingException", 1.0), (2, "503", 2.0),
    ]  # fmt: skip
    assert [r.quota_left for r in retries] == [495, 490]
    (end,) = recorder.of("on_call_end")
    assert end.response is run.page and end.attempts == 3
    assert end.retry_delay_seconds == 3.0
    assert end.elapsed_seconds == 3 * LATENCY + 3.0
    assert run.page.response_metadata.retry_delay_seconds == 3.0


def test_a_transport_error_attempt_has_no_status_and_its_time() -> None:
    recorder = Recorder()
    run = drive(make_core(hooks=[recorder]), [TransportError("reset"), page()])
    first = recorder.of("on_attempt")[0]
    assert (first.status_code, first.request_id, dict(first.response_headers)) == (None, None, {})
    assert first.elapsed_seconds == LATENCY and isinstance(first.error, TransportError)
    assert run.error is None


def test_no_credentials_means_no_attempt() -> None:
    recorder = Recorder()
    missing = NoCredentialsError("none")
    run = drive(make_core(hooks=[recorder]), [], credentials=missing)
    assert run.error is missing and run.kinds() == ["credentials"]
    assert recorder.names() == ["on_call_start", "on_call_end"]
    end = recorder.of("on_call_end")[0]
    assert end.error is missing and end.attempts == 0


class Boom(Exception):
    pass


class RaisesIn(Recorder):
    def __init__(self, method: str, name: str, log: list[tuple[str, str, Any]]) -> None:
        super().__init__(name, log)
        self.method = method

    def _maybe_raise(self, method: str, event: Any) -> None:
        self.log.append((self.name, method, event))
        if method == self.method:
            raise Boom(f"{self.name} failed in {method}")

    def on_call_start(self, event: Any) -> None:
        self._maybe_raise("on_call_start", event)

    def on_attempt(self, event: Any) -> None:
        self._maybe_raise("on_attempt", event)

    def on_retry(self, event: Any) -> None:
        self._maybe_raise("on_retry", event)

    def on_call_end(self, event: Any) -> None:
        self._maybe_raise("on_call_end", event)


@pytest.mark.parametrize("method", ["on_call_start", "on_attempt", "on_retry"])
def test_a_hook_raising_ends_the_call_unretried_and_opened_hooks_are_closed(method: str) -> None:
    log: list[tuple[str, str, Any]] = []
    before, failing, after = Recorder("a", log), RaisesIn(method, "b", log), Recorder("c", log)
    core = make_core(hooks=[before, failing, after])
    script = [] if method == "on_call_start" else [response(503)]
    run = drive(core, script)
    assert isinstance(run.error, Boom)
    assert any("failed in" in note or "raised by hook" in note for note in run.error.__notes__)
    assert run.sleeps == []  # nothing retried because of a hook
    ends = [name for name, m, _ in log if m == "on_call_end"]
    # on_call_end goes to exactly the hooks whose on_call_start returned.
    assert ends == (["a"] if method == "on_call_start" else ["a", "b", "c"])
    for _, m, event in log:
        if m == "on_call_end":
            assert event.error is run.error
    assert log[-1][1] == "on_call_end"
    # The hook after the failing one missed the failing event.
    assert (method not in [m for name, m, _ in log if name == "c"]) or method == "on_call_start"


def test_a_hook_raising_at_the_end_still_ends_every_hook_then_raises() -> None:
    log: list[tuple[str, str, Any]] = []
    first, second = RaisesIn("on_call_end", "a", log), Recorder("b", log)
    core = make_core(hooks=[first, second], max_attempts=1)
    run = drive(core, [error(400, "ThrottlingException")])
    assert isinstance(run.error, Boom)
    assert isinstance(run.error.__cause__, ThrottlingException)  # the call's own error
    assert [name for name, m, _ in log if m == "on_call_end"] == ["a", "b"]
    run = drive(core, [page()])
    assert isinstance(run.error, Boom)


# -- the adaptive rate limiter ---------------------------------------------------------


class ScriptedLimiter:
    """A limiter that logs what the plan asks of it and makes it wait as scripted."""

    def __init__(self, waits: list[float], log: list[str]) -> None:
        self.waits = waits
        self.log = log

    @property
    def rate(self) -> float | None:
        return None

    def acquire(self, now: float) -> float:
        wait = self.waits.pop(0) if self.waits else 0.0
        self.log.append(f"acquire@{now:g}->{wait:g}")
        return wait

    def update(self, throttled: bool, now: float) -> None:
        self.log.append(f"update@{now:g}:{'throttled' if throttled else 'ok'}")


def test_the_limiter_is_consulted_before_each_send_and_told_each_answer() -> None:
    log: list[str] = []
    core = make_core(limiter=ScriptedLimiter([0.0, 0.5, 0.25, 0.0], log), random=0.0)

    def reply(answer: RawResponse) -> Any:
        def send(request: Any, clock: FakeClock) -> RawResponse:
            log.append(f"send@{clock.monotonic() - LATENCY:g}")
            return answer

        return send

    run = drive(core, [reply(error(400, "ThrottlingException")), reply(page())])
    assert run.error is None
    assert log == [
        "acquire@0->0", "send@0", f"update@{LATENCY:g}:throttled",
        f"acquire@{LATENCY:g}->0.5", f"acquire@{LATENCY + 0.5:g}->0.25",
        f"acquire@{LATENCY + 0.75:g}->0", f"send@{LATENCY + 0.75:g}",
        f"update@{2 * LATENCY + 0.75:g}:ok",
    ]  # fmt: skip
    # The limiter's waits are not retry delays.
    assert run.sleeps == [0.0, 0.5, 0.25]
    assert run.page.response_metadata.retry_delay_seconds == 0.0


def test_a_request_is_signed_after_its_wait_for_a_token() -> None:
    core = make_core(limiter=ScriptedLimiter([10.0], []))
    run = drive(core, [page()])
    assert run.kinds() == ["credentials", "sleep", "send"] and run.sleeps == [10.0]
    assert signed_at(run.sends[0]) == START + timedelta(seconds=10)


def test_adaptive_mode_waits_for_the_rate_after_a_throttle() -> None:
    clock = FakeClock()
    core = make_core(clock=clock, retry_mode="adaptive", random=0.0)
    assert isinstance(core.limiter, AdaptiveRateLimiter)
    for _ in range(3):  # unlimited before a throttle: no waiting
        assert drive(core, [page()]).kinds() == ["credentials", "send"]
    run = drive(core, [error(400, "ThrottlingException"), page()])
    assert run.error is None
    assert core.limiter.rate is not None
    kinds = run.kinds()
    # After the throttle: the back-off, then a wait for the limiter's token, then send.
    assert kinds[:3] == ["credentials", "send", "sleep"]
    assert kinds[3] == "credentials" and kinds[4:-1] == ["sleep"] * (len(kinds) - 5)
    assert kinds[-1] == "send" and len(kinds) > 5
    assert sum(run.sleeps[1:]) == pytest.approx(1 / core.limiter.rate, rel=0.5)


@pytest.mark.parametrize(
    "interruption",
    [asyncio.CancelledError(), KeyboardInterrupt(), SystemExit(3)],
    ids=["cancelled", "interrupted", "exit"],
)
def test_an_interrupted_wait_for_a_token_ends_the_call(interruption: BaseException) -> None:
    recorder = Recorder()
    log: list[str] = []
    core = make_core(hooks=[recorder], limiter=ScriptedLimiter([5.0], log))
    run = drive(core, [], on_sleep=lambda seconds: interruption)
    assert run.error is interruption
    assert run.kinds() == ["credentials", "sleep"]  # nothing sent after the wait
    assert recorder.of("on_call_end")[0].error is interruption


@pytest.mark.parametrize(
    "interruption",
    [asyncio.CancelledError(), KeyboardInterrupt()],
    ids=["cancelled", "interrupted"],
)
def test_an_interrupted_retry_delay_or_send_ends_the_call(interruption: BaseException) -> None:
    run = drive(make_core(), [response(503)], on_sleep=lambda seconds: interruption)
    assert run.error is interruption and len(run.sends) == 1
    recorder = Recorder()
    run = drive(make_core(hooks=[recorder]), [interruption])
    assert run.error is interruption and run.sleeps == []
    assert recorder.names() == ["on_call_start", "on_call_end"]  # no attempt was completed
