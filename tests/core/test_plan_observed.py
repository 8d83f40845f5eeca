"""What the call plan shows beyond its outcome, driven by hand: the request it builds,
the page's metadata, the hooks' attempt numbers, the secrets it blanks out of errors,
and the log lines a user turns on to see why a call was or was not retried."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from botocore.credentials import ReadOnlyCredentials

from ssm_engagements import ResponseParseError, ServiceError, TransportError
from ssm_engagements import _constraints as c
from ssm_engagements._core import request_url
from ssm_engagements._retry import RetryQuota
from ssm_engagements.testing import FakeClock
from tests.core._plan import (
    CREDENTIALS,
    RawResponse,
    Recorder,
    Run,
    drive,
    error,
    http_date,
    make_core,
    page,
    response,
)

TOKEN = "FwoGZXIvYXdzEXAMPLE/session+token"
WITH_TOKEN = ReadOnlyCredentials("AKIDEXAMPLE", "secret", TOKEN)


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("https://host", "https://host/"),
        ("https://host/", "https://host/"),
        ("https://host/proxy", "https://host/proxy/"),
        ("https://host/proxy/", "https://host/proxy/"),
    ],
)
def test_the_request_url_ends_in_exactly_one_slash(endpoint: str, url: str) -> None:
    assert request_url(endpoint) == url


def test_the_request_carries_botocores_header_names() -> None:
    core = make_core(user_agent_extra="tests/1")
    (request,) = drive(core, [page()]).sends
    assert list(request.headers)[:3] == ["Content-Type", "X-Amz-Target", "User-Agent"]
    assert request.headers["Content-Type"] == c.CONTENT_TYPE
    assert request.headers["X-Amz-Target"] == c.TARGET
    assert request.headers["User-Agent"].endswith("tests/1")


def _access_key(request: Any) -> str:
    value = request.headers["Authorization"]
    text = value.decode() if isinstance(value, bytes) else value
    return str(text.split("Credential=")[1].split("/")[0])


def test_new_credentials_sign_the_next_request() -> None:
    core = make_core()
    rotated = ReadOnlyCredentials("AKIDROTATED", "other-secret", None)
    first = drive(core, [page()], credentials=CREDENTIALS).sends[0]
    second = drive(core, [page()], credentials=rotated).sends[0]
    again = drive(core, [page()], credentials=rotated).sends[0]
    assert [_access_key(r) for r in (first, second, again)] == [
        "AKIDEXAMPLE", "AKIDROTATED", "AKIDROTATED",
    ]  # fmt: skip


def test_the_page_carries_the_answer_and_its_metadata() -> None:
    answer = response(
        200,
        {"Engagements": [], "NextToken": "tok-2"},
        {"x-amzn-RequestId": "req-9", "X-Extra": "1"},
    )
    run = drive(make_core(random=1.0), [response(503), answer])
    assert (run.page.next_token, run.page.request_id) == ("tok-2", "req-9")
    meta = run.page.response_metadata
    assert (meta.request_id, meta.http_status_code) == ("req-9", 200)
    assert meta.http_headers["x-extra"] == "1"
    assert (meta.retry_attempts, meta.retry_delay_seconds) == (1, 1.0)


def test_hooks_get_each_attempts_number_and_a_skew_retrys_error() -> None:
    recorder = Recorder()
    core = make_core(hooks=[recorder], max_attempts=4)

    def skewed(request: Any, clock: FakeClock) -> RawResponse:
        return error(403, "InvalidSignatureException", {"Date": http_date(clock, 900)})

    run = drive(core, [skewed, response(503), page()])
    assert run.error is None
    assert [a.attempt for a in recorder.of("on_attempt")] == [1, 2, 3]
    skew, backoff = recorder.of("on_retry")
    assert (skew.attempt, skew.reason, skew.delay_seconds) == (1, "InvalidSignatureException", 0)
    assert isinstance(skew.error, ServiceError) and skew.error.code == "InvalidSignatureException"
    assert (backoff.attempt, backoff.reason) == (2, "503")


def test_each_retry_paid_is_refunded_by_the_success() -> None:
    quota = RetryQuota()
    core = make_core(max_attempts=3, quota=quota)
    drive(core, [response(503)] * 3)
    assert quota.available == 490  # two retries paid, nothing refunded
    run = drive(core, [response(503), response(503), page()])
    assert run.error is None and quota.available == 490  # both paid, both refunded


@pytest.mark.parametrize(
    "status", [199, 300, 301], ids=["below-200", "300-multiple-choices", "301-redirect"]
)
def test_only_a_2xx_answer_is_a_page(status: int) -> None:
    run = drive(make_core(), [response(status, {"Engagements": []})])
    assert isinstance(run.error, ServiceError) and run.error.status_code == status


def test_a_2xx_that_does_not_parse_names_its_status() -> None:
    run = drive(make_core(), [response(203, b"not json")])
    assert isinstance(run.error, ResponseParseError) and run.error.status_code == 203


def test_the_session_token_is_blanked_out_of_an_error_that_quotes_it() -> None:
    quoted = error(
        403, "InvalidSignatureException", message=f"canonical: x-amz-security-token:{TOKEN}"
    )
    run = drive(make_core(), [quoted], credentials=WITH_TOKEN)
    assert isinstance(run.error, ServiceError) and "canonical:" in run.error.message
    assert TOKEN not in run.error.message and TOKEN not in str(run.error)


def test_the_session_token_is_blanked_out_of_a_parse_errors_excerpt() -> None:
    run = drive(make_core(), [response(200, f"<html>{TOKEN}".encode())], credentials=WITH_TOKEN)
    assert isinstance(run.error, ResponseParseError) and "<html>" in run.error.body_excerpt
    assert TOKEN not in run.error.body_excerpt and TOKEN not in str(run.error)


# -- the log lines: one per attempt, and why a retry is or is not made ----------------------


def _skewed_once(request: Any, clock: FakeClock) -> RawResponse:
    return error(403, "InvalidSignatureException", {"Date": http_date(clock, 1800.25)})


@pytest.mark.parametrize(
    ("settings", "script", "lines"),
    [
        pytest.param(
            {}, [response(503), page()],
            [
                (logging.DEBUG, "ListEngagements attempt 1: status 503, request id req-1, 250.0 ms"),
                (logging.DEBUG, "Retrying ListEngagements after attempt 1 (503) in 0.500 s; quota left 495"),
                (logging.DEBUG, "ListEngagements attempt 2: status 200, request id req-1, 250.0 ms"),
            ],
            id="retried",
        ),
        pytest.param(
            {}, [TransportError("reset"), page()],
            [
                (logging.DEBUG, "ListEngagements attempt 1: status TransportError, request id None, 250.0 ms"),
                (logging.DEBUG, "Retrying ListEngagements after attempt 1 (TransportError) in 0.500 s; quota left 495"),
                (logging.DEBUG, "ListEngagements attempt 2: status 200, request id req-1, 250.0 ms"),
            ],
            id="transport-error",
        ),
        pytest.param(
            {}, [error(400, "AccessDeniedException")],
            [
                (logging.DEBUG, "ListEngagements attempt 1: status 400, request id req-1, 250.0 ms"),
                (logging.DEBUG, "Not retrying: AccessDeniedException is not retryable"),
            ],
            id="not-retryable",
        ),
        pytest.param(
            {"max_attempts": 1}, [response(503)],
            [
                (logging.DEBUG, "ListEngagements attempt 1: status 503, request id req-1, 250.0 ms"),
                (logging.DEBUG, "Not retrying: 1 of 1 attempts made"),
            ],
            id="attempts-made",
        ),
        pytest.param(
            {"max_backoff": 2.0}, [response(429, b"", {"x-amz-retry-after": "2500"})],
            [
                (logging.DEBUG, "ListEngagements attempt 1: status 429, request id req-1, 250.0 ms"),
                (logging.DEBUG, "Not retrying: server hint 2.500 s exceeds max_backoff"),
            ],
            id="hint-too-long",
        ),
        pytest.param(
            {"quota": RetryQuota(4)}, [response(503)],
            [
                (logging.DEBUG, "ListEngagements attempt 1: status 503, request id req-1, 250.0 ms"),
                (logging.DEBUG, "Not retrying: retry quota exhausted"),
            ],
            id="quota-exhausted",
        ),
        pytest.param(
            {}, [_skewed_once, page()],
            [
                (logging.DEBUG, "ListEngagements attempt 1: status 403, request id req-1, 250.0 ms"),
                (logging.INFO, "Clock skew of 1800 s corrected; re-signing"),
                (logging.DEBUG, "ListEngagements attempt 2: status 200, request id req-1, 250.0 ms"),
            ],
            id="skew-corrected",
        ),
    ],
)  # fmt: skip
def test_the_log_says_what_each_attempt_got_and_why_it_is_or_is_not_retried(
    settings: dict[str, Any],
    script: list[Any],
    lines: list[tuple[int, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ssm_engagements")
    run: Run = drive(make_core(**settings), script)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == lines
    assert (run.error is None) == (run.page is not None)
