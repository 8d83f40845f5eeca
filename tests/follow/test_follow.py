"""Following the emulator with both clients while engagements start and stop."""

from __future__ import annotations

import itertools
import logging
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.credentials import Credentials

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests._clients import from_emulator, make, set_feed_sleep
from tests._server import ScriptedServer, engagement, error, page, scripted_server
from tests.follow.conftest import (
    Idle,
    Operator,
    Sleeps,
    after,
    arn,
    client_for,
    emu_now,
    guarded,
    polls,
    wire,
)


def scripted_feed(kind: str, server: ScriptedServer) -> tuple[Any, Sleeps]:
    """A feed of either client on a scripted server, from the engagements' epoch."""
    client = make(
        kind,
        region_name="us-east-1",
        endpoint_url=server.url,
        credentials=Credentials("AKID", "secret"),
    )
    since = datetime.fromtimestamp(1_700_000_000, timezone.utc)
    feed = client.follow_engagements(since=since, poll_interval=0.01)
    return feed, guarded(feed)


def collect(feed: Any, count: int) -> list[se.EngagementEvent]:
    return [next(feed) for _ in range(count)]


def assert_quiet(feed: Any, sleeps: Any, more_polls: int = 3) -> None:
    """No further event over the next polls."""
    sleeps.arm(more_polls + 1)
    with pytest.raises(Idle):
        next(feed)


def kinds(events: list[se.EngagementEvent]) -> list[tuple[str, str]]:
    return [(e.kind, e.engagement.engagement_arn.rsplit("/", 1)[1]) for e in events]


def test_every_start_and_stop_reported_once_in_order(client_kind: str, emu: Emulator) -> None:
    since = emu_now(emu)
    # 150 at once: a poll of two pages; one before `since`: never reported.
    emu.add_engagements(wire("before", after(since, -1)))
    emu.add_engagements(*(wire(f"b{n:03d}", after(since, n / 1000)) for n in range(150)))
    client = client_for(emu, client_kind)
    feed = client.follow_engagements(since=since, poll_interval=0.01)
    sleeps = guarded(feed)
    actions = []
    for n in range(6):
        start = after(since, 10 + n)
        actions.append(lambda start=start, n=n: emu.add_engagements(wire(f"x{n}", start)))
        actions.append(lambda n=n: emu.stop_engagement(arn(f"x{n}")))
        actions.append(lambda n=n: emu.stop_engagement(arn(f"b{n * 20:03d}")))
    operator = Operator(emu, actions)
    operator.start()
    events = collect(feed, 150 + 6 * 3)
    operator.finish()
    assert_quiet(feed, sleeps)

    got = kinds(events)
    assert len(set(got)) == len(got)  # nothing twice
    assert [name for kind, name in got if kind == "started"] == [
        *(f"b{n:03d}" for n in range(150)),
        *(f"x{n}" for n in range(6)),
    ]  # in start order: each poll's, and across polls as they started
    assert sorted(name for kind, name in got if kind == "stopped") == sorted(
        [*(f"x{n}" for n in range(6)), *(f"b{n * 20:03d}" for n in range(6))]
    )
    for kind, name in got:
        if kind == "stopped":
            assert got.index(("started", name)) < got.index((kind, name))
            stopped = next(
                e
                for e in events
                if e.kind == "stopped" and arn(name) == e.engagement.engagement_arn
            )
            assert stopped.engagement.stop_time is not None
    # Every poll listed all pages from the window start: never before `since`.
    starts = {r.body["TimeRangeValue"]["StartTime"] for r in emu.requests if r.body}
    assert min(starts) == since.timestamp()
    assert feed.closed is True  # the Idle raised by its sleep ended it


def test_first_seen_stopped_and_events_carry_the_engagement(
    client_kind: str, emu: Emulator
) -> None:
    since = emu_now(emu)
    incident = "arn:aws:ssm-incidents::111122223333:incident-record/db/1"
    emu.add_engagements(
        wire("other", after(since, 1), IncidentId="arn:aws:ssm-incidents::1:incident-record/x/2"),
        wire("done", after(since, 2), after(since, 3), IncidentId=incident),
    )
    client = client_for(emu, client_kind)
    with client.follow_engagements(incident_id=incident, since=since, poll_interval=0.01) as feed:
        sleeps = guarded(feed)
        events = collect(feed, 2)
        assert [e.kind for e in events] == ["started", "stopped"]
        assert events[0] == events[1].__class__("started", events[1].engagement)
        assert events[0].engagement == se.Engagement(
            engagement_arn=arn("done"),
            contact_arn="arn:aws:ssm-contacts:us-east-1:111122223333:contact/ana",
            sender="pager",
            incident_id=incident,
            start_time=after(since, 2),
            stop_time=after(since, 3),
        )
        assert_quiet(feed, sleeps)
    assert all(r.body and r.body["IncidentId"] == incident for r in emu.requests)


def test_nothing_is_sent_until_the_first_event_is_asked_for(
    client_kind: str, emu: Emulator
) -> None:
    client = client_for(emu, client_kind)
    feed = client.follow_engagements(poll_interval=0.01)
    assert polls(emu) == 0
    assert feed.checkpoint is None and feed.incident_id is None and not feed.closed
    feed.close()
    with pytest.raises(StopIteration):
        next(feed)
    assert polls(emu) == 0


@pytest.mark.parametrize(
    "fault", ["throttle", "http429", "internal", "http503", "reset", "truncate"]
)
def test_retryable_faults_mid_follow_lose_and_double_nothing(
    client_kind: str, emu: Emulator, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    since = emu_now(emu)
    emu.add_engagements(*(wire(f"b{n:03d}", after(since, n / 1000)) for n in range(120)))
    client = client_for(emu, client_kind)  # 3 attempts per poll request
    feed = client.follow_engagements(since=since, poll_interval=0.01)
    sleeps = guarded(feed)
    operator = Operator(
        emu,
        [
            # Six failures in a row: two polls fail after all their attempts.
            lambda: emu.inject(fault, times=6),
            lambda: emu.add_engagements(wire("x", after(since, 5))),
            lambda: emu.inject(fault, times=3),
            lambda: emu.stop_engagement(arn("x")),
            lambda: emu.inject(fault, times=2),  # retried within one poll
            lambda: emu.stop_engagement(arn("b007")),
        ],
    )
    with caplog.at_level(logging.WARNING, logger="ssm_engagements"):
        first = collect(feed, 120)
        operator.start()
        rest = collect(feed, 3)
        operator.finish()
        assert_quiet(feed, sleeps)
    # Actions may land together while polls fail: one poll then reports them all, in
    # start order (b007 started before x).
    got = kinds(rest)
    assert sorted(got) == [("started", "x"), ("stopped", "b007"), ("stopped", "x")]
    assert got.index(("started", "x")) < got.index(("stopped", "x"))
    assert len({e.engagement.engagement_arn for e in first}) == 120
    warnings = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "poll failed" in r.getMessage()
    ]
    assert len(warnings) == 3
    assert emu.pending_faults == []
    # The back-off doubled from the poll interval for the second failure in a row.
    assert "polling again in 0.01 s" in warnings[0].getMessage()
    assert "polling again in 0.02 s" in warnings[1].getMessage()


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (error(400, "AccessDeniedException", "not allowed"), se.AccessDeniedException),
        (
            error(
                400,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ),
            se.ServiceError,
        ),
        (error(400, "ValidationException", "bad", reason="OTHER"), se.ValidationException),
        (page(engagement(9, StartTime="soon")), se.ResponseParseError),
    ],
)
def test_errors_no_retry_fixes_end_the_feed(
    client_kind: str, reply: Any, error: type[Exception]
) -> None:
    with scripted_server() as server:
        server.script(page(engagement(1)), reply)
        feed, _ = scripted_feed(client_kind, server)
        assert next(feed).kind == "started"
        with pytest.raises(error) as raised:
            next(feed)
        assert type(raised.value) is error
        assert feed.closed
        with pytest.raises(StopIteration):
            next(feed)
        assert len(server.requests) == 2  # not retried, not polled again


def test_expired_credentials_mid_follow_end_the_feed(client_kind: str) -> None:
    with Emulator(session_token="token-1") as emu:
        since = emu_now(emu)
        creds = Credentials(emu.credentials.access_key, emu.credentials.secret_key, "token-1")
        client = client_for(emu, client_kind, credentials=creds)
        emu.add_engagements(wire("a", since))
        feed = client.follow_engagements(since=since, poll_interval=0.01)
        guarded(feed)
        assert next(feed).kind == "started"
        creds.token = "token-expired"
        with pytest.raises(se.ServiceError) as raised:
            next(feed)
        assert raised.value.code == "UnrecognizedClientException"
        assert "token-expired" not in str(raised.value)
        assert feed.closed


def test_duplicates_across_pages_are_reported_once(client_kind: str) -> None:
    with scripted_server() as server:
        # Offset paging while an engagement was added: page 2 repeats page 1's last.
        server.script(
            page(engagement(3), engagement(2), next_token="t1"),
            page(engagement(2), engagement(1)),
        )
        server.fallback = page(engagement(3), engagement(2), engagement(1))
        feed, sleeps = scripted_feed(client_kind, server)
        events = collect(feed, 3)
        assert [e.engagement.engagement_arn[-5:] for e in events] == ["00001", "00002", "00003"]
        assert_quiet(feed, sleeps)
        assert server.requests[1].json["NextToken"] == "t1"


BAD_ARGS = [
    ("poll_interval", 0, "> 0"),
    ("poll_interval", -1.5, "> 0"),
    ("poll_interval", True, "not bool"),
    ("poll_interval", "30", "int or float"),
    ("poll_interval", float("nan"), "finite"),
    ("lookback", -0.001, ">= 0"),
    ("lookback", None, "int or float"),
    ("track_open_for", 0.0, "> 0"),
    ("track_open_for", False, "not bool"),
    ("since", datetime(2026, 1, 1), "timezone-aware"),
    ("since", "2026-01-01T00:00:00Z", "datetime"),
    ("checkpoint", 42, "os.PathLike"),
    ("checkpoint", b"/tmp/cp.json", "os.PathLike"),
    ("checkpoint", "", "non-empty"),
    ("incident_id", "bad\u0000id", "pattern"),
]


@pytest.mark.parametrize(("param", "value", "rule"), BAD_ARGS)
def test_bad_arguments_are_refused_at_the_call(
    client_kind: str, emu: Emulator, param: str, value: object, rule: str
) -> None:
    client = client_for(emu, client_kind)
    with pytest.raises(se.ParamValidationError) as raised:
        client.follow_engagements(**{param: value})
    message = str(raised.value)
    assert param in message and rule in message
    assert polls(emu) == 0


def test_good_edge_arguments_are_accepted(client_kind: str, emu: Emulator) -> None:
    client = client_for(emu, client_kind)
    feed = client.follow_engagements(
        poll_interval=1, lookback=0, track_open_for=1, since=datetime.now(timezone.utc)
    )
    feed.close()


def test_an_idle_poll_costs_one_request_per_page(client_kind: str, emu: Emulator) -> None:
    since = emu_now(emu)
    emu.add_engagements(*(wire(f"b{n:03d}", after(since, n / 1000)) for n in range(250)))
    client = client_for(emu, client_kind)
    feed = client.follow_engagements(since=since, poll_interval=0.01)
    sleeps = guarded(feed)
    collect(feed, 250)
    marks: list[int] = []

    def count(seconds: float) -> None:
        marks.append(polls(emu))
        sleeps(seconds)

    set_feed_sleep(feed, count)
    sleeps.arm(6)
    with pytest.raises(Idle):
        next(feed)
    # Between two sleeps: one poll, the window's three pages of up to 100 (the wait
    # before a poll may be cut in several sleeps, hence the zero steps).
    steps = {b - a for a, b in itertools.pairwise(marks)}
    assert steps <= {0, 3} and 3 in steps


def test_adaptive_mode_under_a_rate_limit_loses_and_doubles_nothing(
    client_kind: str, emu: Emulator
) -> None:
    since = emu_now(emu)
    emu.add_engagements(*(wire(f"b{n:03d}", after(since, n / 1000)) for n in range(150)))
    emu.set_rate_limit(10.0, burst=1)  # two pages a poll, 100 ms apart at most: throttled
    # Real (short) sleeps: the adaptive limiter paces requests in wall-clock time.
    client = from_emulator(emu, client_kind, retry_mode="adaptive", max_backoff=0.05)
    feed = client.follow_engagements(since=since, poll_interval=0.01)
    sleeps = guarded(feed)
    operator = Operator(
        emu,
        [
            lambda: emu.add_engagements(wire("x", after(since, 5))),
            lambda: emu.stop_engagement(arn("x")),
            lambda: emu.stop_engagement(arn("b042")),
        ],
    )
    events = collect(feed, 150)
    # Throttled at least once on any machine: the rate limit refuses only a request
    # that follows another within 100 ms, which a loaded machine may never send.
    emu.inject("throttle")
    operator.start()
    events += collect(feed, 3)
    operator.finish()
    assert_quiet(feed, sleeps)
    got = kinds(events)
    assert len(set(got)) == len(got) == 153
    assert {("started", "x"), ("stopped", "x"), ("stopped", "b042")} <= set(got)
    assert client.send_rate is not None  # the service did throttle this client
