"""Retries over real HTTP: what is retried, delays, hints, quota, clock skew, timeouts.

Every decision is tested without sockets in tests/core/test_plan.py; these check that
both clients carry them out over the wire."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

import ssm_engagements as se
from ssm_engagements._retry import QUOTA_CAPACITY, RETRY_COST
from ssm_engagements.emulator._sigv4 import check_signature
from ssm_engagements.testing import FakeClock
from tests import _clients as clients
from tests._server import Reply, ScriptedServer, Seen, engagement, error, page
from tests.core.test_plan import THROTTLING_CODES
from tests.integration.conftest import ACCESS_KEY, SECRET_KEY, MakeClient

# A reply delayed this long (s) never comes within a test: the server drops it on close.
NEVER = 600.0
# Seconds; generous, as a loaded machine can take a while to answer even at once.
READ_TIMEOUT = 2.0

RETRYABLE = [
    Reply(429, b""),
    Reply(429, b"<html>Too Many Requests</html>"),
    Reply(400, b"{}", {"X-Amzn-ErrorType": "ThrottlingException"}),
    Reply(500, b""),
    Reply(502, b"<html>Bad Gateway</html>"),
    Reply(503, b""),
    Reply(504, b""),
    error(500, "InternalServerException"),
    error(400, "RequestTimeout"),
    error(400, "RequestTimeoutException"),
    Reply(0, action="reset"),
    Reply(200, {"Engagements": [engagement(1)] * 20}, action="truncate"),
] + [error(400, code) for code in THROTTLING_CODES]


@pytest.mark.parametrize(
    "failure", RETRYABLE, ids=lambda r: f"{r.status}-{r.action or r.payload()[:40]!r}"
)
def test_retryable_failures_are_retried(
    server: ScriptedServer, client: se.EngagementsClient, failure: Reply
) -> None:
    server.script(failure, page(engagement(7)))
    result = client.list_engagements()
    assert [e.engagement_arn for e in result.engagements] == [engagement(7)["EngagementArn"]]
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "failure",
    [
        error(400, "AccessDeniedException"),
        error(400, "ValidationException"),
        error(400, "UnrecognizedClientException"),
        error(403, "SomethingElse"),
        error(404, "NotFound"),
        Reply(200, b"not json"),
        Reply(200, b""),
    ],
    ids=lambda r: f"{r.status}-{r.payload()[:30]!r}",
)
def test_other_failures_are_not_retried(
    server: ScriptedServer, client: se.EngagementsClient, failure: Reply
) -> None:
    server.script(failure, page())
    with pytest.raises(se.SSMContactsError):
        client.list_engagements()
    assert len(server.requests) == 1


def test_gives_up_after_max_attempts_with_context(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_attempts=4)
    server.script(
        *[error(400, "ThrottlingException", "slow", QuotaCode="Q1", ServiceCode="ssm-contacts")] * 4
    )
    with pytest.raises(se.ThrottlingException) as info:
        client.list_engagements()
    err = info.value
    assert len(server.requests) == 4
    assert err.attempts == 4  # type: ignore[attr-defined]
    assert err.quota_code == "Q1"
    assert "after 4 attempts" in str(err)


def test_transport_errors_after_retries(server: ScriptedServer, make_client: MakeClient) -> None:
    client = make_client(max_attempts=2)
    server.script(Reply(0, action="reset"), Reply(0, action="reset"))
    with pytest.raises(se.TransportError) as info:
        client.list_engagements()
    assert info.value.__cause__ is not None
    assert info.value.attempts == 2


def test_truncated_body_is_never_returned_as_a_page(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_attempts=1)
    server.script(
        Reply(200, {"Engagements": [engagement(n) for n in range(50)]}, action="truncate")
    )
    with pytest.raises(se.TransportError, match="truncated") as info:
        client.list_engagements()
    assert info.value.__cause__ is not None


def test_read_timeout_is_a_transport_timeout_error_and_retried(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    # The first reply (no engagements) never comes (the server holds it until it closes):
    # getting the second one's engagement proves the first attempt timed out. The read
    # timeout is long enough for the immediate second reply on a loaded machine.
    client = make_client(max_attempts=2, read_timeout=READ_TIMEOUT)
    server.script(Reply(200, {"Engagements": []}, delay=NEVER), page(engagement(1)))
    assert len(client.list_engagements().engagements) == 1
    assert clients.controls(client).retry_quota_left == QUOTA_CAPACITY  # refunded
    server.script(Reply(200, {"Engagements": []}, delay=NEVER))
    with pytest.raises(se.TransportTimeoutError, match="timed out") as info:
        make_client(max_attempts=1, read_timeout=READ_TIMEOUT).list_engagements()
    assert isinstance(info.value, se.TransportError) and info.value.__cause__ is not None
    assert info.value.attempts == 1


def test_connection_refused_is_a_transport_error(make_client: MakeClient) -> None:
    client = make_client(endpoint_url="http://127.0.0.1:9", max_attempts=2, connect_timeout=1)
    with pytest.raises(se.TransportError) as info:
        client.list_engagements()
    assert info.value.attempts == 2


def test_delay_formula_is_jittered_exponential_capped(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_attempts=6, max_backoff=5.0)
    clients.controls(client).random = lambda: 1.0
    server.script(*[Reply(503)] * 5, page())
    client.list_engagements()
    assert client.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]  # type: ignore[attr-defined]
    clients.controls(client).random = lambda: 0.5
    server.script(Reply(503), page())
    client.sleeps.clear()  # type: ignore[attr-defined]
    client.list_engagements()
    assert client.sleeps == [0.5]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("reply", "floor"),
    [
        (error(400, "ThrottlingException", RetryAfterSeconds=3), 3.0),
        (Reply(503, b"", {"x-amz-retry-after": "2500"}), 2.5),
        (Reply(429, b"", {"Retry-After": "4"}), 4.0),
        (Reply(500, b"", {"Retry-After": "1", "x-amz-retry-after": "3000"}), 3.0),
        (
            Reply(
                400,
                b'{"__type":"ThrottlingException","RetryAfterSeconds":1}',
                {"x-amz-retry-after": "4000"},
            ),
            1.0,
        ),
    ],
)
def test_server_hint_is_a_floor(
    server: ScriptedServer, make_client: MakeClient, reply: Reply, floor: float
) -> None:
    client = make_client(max_backoff=10.0)
    clients.controls(client).random = lambda: 0.0
    server.script(reply, page())
    client.list_engagements()
    assert client.sleeps == [floor]  # type: ignore[attr-defined]


def test_http_date_hint(server: ScriptedServer, make_client: MakeClient) -> None:
    client = make_client(max_backoff=20.0)
    knobs = clients.controls(client)
    knobs.random = lambda: 0.0
    knobs.clock = FakeClock(start=datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc).timestamp())
    sleeps = knobs.record_sleeps()
    server.script(Reply(503, b"", {"Retry-After": "Wed, 01 May 2024 12:00:08 GMT"}), page())
    client.list_engagements()
    assert sleeps == [8.0]


def test_hint_above_max_backoff_stops_at_once(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_backoff=2.0)
    server.script(error(400, "ThrottlingException", RetryAfterSeconds=30), page())
    with pytest.raises(se.ThrottlingException) as info:
        client.list_engagements()
    assert info.value.retry_after_seconds == 30
    assert len(server.requests) == 1
    assert client.sleeps == []  # type: ignore[attr-defined]


def test_quota_drains_and_refills(server: ScriptedServer, make_client: MakeClient) -> None:
    client = make_client(max_attempts=2)
    calls = QUOTA_CAPACITY // RETRY_COST  # each call: one retry, then failure
    server.script(*[Reply(503)] * (2 * calls))
    for _ in range(calls):
        with pytest.raises(se.ServiceError):
            client.list_engagements()
    assert clients.controls(client).retry_quota_left == 0
    sent = len(server.requests)
    assert sent == 2 * calls
    # Empty quota: no retry, one request per call.
    server.script(Reply(503))
    with pytest.raises(se.ServiceError):
        client.list_engagements()
    assert len(server.requests) == sent + 1
    # Successes refill one token each; a retried success returns what its retries took.
    server.script(*[page()] * 5)
    for _ in range(5):
        client.list_engagements()
    assert clients.controls(client).retry_quota_left == 5
    server.script(Reply(503), page())
    client.list_engagements()
    assert clients.controls(client).retry_quota_left == 5


def test_quota_is_safe_under_threads(server: ScriptedServer, make_client: MakeClient) -> None:
    client = make_client(max_attempts=3)
    lock = threading.Lock()
    counter = {"n": 0}

    def half_throttled(seen: Seen) -> Reply:
        with lock:
            counter["n"] += 1
            odd = counter["n"] % 2
        return error(400, "ThrottlingException") if odd else page(engagement(1))

    server.script(*[half_throttled] * 2000)
    outcomes: list[str] = []
    low = [QUOTA_CAPACITY]

    def work() -> None:
        for _ in range(40):
            try:
                client.list_engagements()
                outcomes.append("ok")
            except se.ThrottlingException:
                outcomes.append("throttled")
            low[0] = min(low[0], clients.controls(client).retry_quota_left)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 640
    assert set(outcomes) <= {"ok", "throttled"}
    assert outcomes.count("ok") > 0
    assert low[0] >= 0 and 0 <= clients.controls(client).retry_quota_left <= QUOTA_CAPACITY


@pytest.mark.parametrize("status", [400, 403], ids=["json-service-400", "rest-service-403"])
def test_clock_skew_is_corrected_and_kept(
    server: ScriptedServer, client: se.EngagementsClient, status: int
) -> None:
    ahead = timedelta(minutes=15)

    def service(seen: Seen) -> Reply:
        now = datetime.now(timezone.utc) + ahead
        date = format_datetime(now, usegmt=True)
        failure = check_signature(
            seen.method, seen.path, seen.headers, seen.body,
            credentials=_creds(), region="us-east-1", now=now.timestamp(),
        )  # fmt: skip
        if failure is not None:
            return Reply(
                status,
                {"__type": "InvalidSignatureException", "message": failure.message},
                {"Date": date},
            )
        return Reply(200, {"Engagements": []}, {"Date": date})

    server.script(*[service] * 4)
    client.list_engagements()
    assert len(server.requests) == 2
    client.list_engagements()
    assert len(server.requests) == 3  # signed right the first time
    assert 14 * 60 < clients.controls(client).clock_offset < 16 * 60


def _creds() -> object:
    from botocore.credentials import Credentials

    return Credentials(ACCESS_KEY, SECRET_KEY)


def test_every_retry_decision_is_logged(
    server: ScriptedServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(max_attempts=2)
    server.script(error(400, "ThrottlingException"), error(400, "ThrottlingException"))
    with caplog.at_level("DEBUG", logger="ssm_engagements"), pytest.raises(se.ThrottlingException):
        client.list_engagements()
    messages = [r.getMessage() for r in caplog.records if r.name == "ssm_engagements"]
    assert any("attempt 1: status 400" in m for m in messages)
    assert any(
        "Retrying ListEngagements after attempt 1 (ThrottlingException)" in m
        and "quota left 495" in m
        for m in messages
    )
    assert any("2 of 2 attempts made" in m for m in messages)
    server.script(error(400, "AccessDeniedException"))
    with (
        caplog.at_level("DEBUG", logger="ssm_engagements"),
        pytest.raises(se.AccessDeniedException),
    ):
        client.list_engagements()
    assert "Not retrying: AccessDeniedException is not retryable" in caplog.text
    assert SECRET_KEY not in caplog.text
