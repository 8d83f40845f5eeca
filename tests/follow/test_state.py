"""The feed's decisions, on the sans-I/O Follow with a fake clock and a fake service."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_engagements import (
    AccessDeniedException,
    EngagementEvent,
    ResponseParseError,
    ThrottlingException,
    TransportError,
)
from ssm_engagements._follow import (
    CheckpointMismatch,
    Follow,
    backoff_seconds,
)
from tests.follow._fake import Service, at, drain, eng, follow, names, poll


def test_nothing_seen_the_window_starts_at_since() -> None:
    f, svc = follow(since=100), Service()
    assert poll(f, svc, 130) == []
    assert svc.starts == [at(100)]


def test_engagements_before_since_are_not_reported() -> None:
    f, svc = follow(since=100), Service()
    svc.add(eng("old", 99.999), eng("new", 100))
    assert names(poll(f, svc, 130)) == ["started:new"]


def test_window_is_newest_start_minus_lookback_then_oldest_open() -> None:
    f, svc = follow(since=0, lookback=600), Service()
    svc.add(eng("a", 10, stop=20), eng("b", 5000, stop=5001))
    poll(f, svc, 5010)
    poll(f, svc, 5040)
    assert svc.starts[-1] == at(5000 - 600)
    svc.add(eng("open", 5100))
    svc.add(eng("c", 9000, stop=9001))
    poll(f, svc, 9010)
    poll(f, svc, 9040)
    # newest - lookback would be 8400; the open engagement holds the window at 5100
    assert svc.starts[-1] == at(5100)
    svc.stop("open", 9050)
    assert names(poll(f, svc, 9070)) == ["stopped:open"]
    poll(f, svc, 9100)
    assert svc.starts[-1] == at(9000 - 600)


def test_window_start_is_whole_milliseconds_and_never_before_since() -> None:
    f, svc = follow(since=0.0004, lookback=0.0), Service()
    poll(f, svc, 1)
    assert svc.starts == [at(0)]
    svc.add(eng("a", 10.0017, stop=11))
    poll(f, svc, 31)
    poll(f, svc, 61)
    assert svc.starts[-1] == at(10.001)


def test_events_of_one_poll_in_start_order_ties_by_arn() -> None:
    f, svc = follow(), Service(page_size=2)
    svc.add(eng("z", 5), eng("b", 3), eng("a", 3), eng("m", 1, stop=9), eng("c", 4))
    assert names(poll(f, svc, 30)) == [
        "started:m",
        "stopped:m",
        "started:a",
        "started:b",
        "started:c",
        "started:z",
    ]


def test_first_seen_stopped_gives_started_then_stopped() -> None:
    f, svc = follow(), Service()
    svc.add(eng("a", 1, stop=2))
    events = poll(f, svc, 30)
    assert [e.kind for e in events] == ["started", "stopped"]
    assert all(e.engagement.stop_time == at(2) for e in events)
    assert poll(f, svc, 60) == []


def test_each_engagement_starts_and_stops_once() -> None:
    f, svc = follow(), Service()
    svc.add(eng("a", 1))
    assert names(poll(f, svc, 30)) == ["started:a"]
    assert poll(f, svc, 60) == []
    svc.stop("a", 70)
    assert names(poll(f, svc, 90)) == ["stopped:a"]
    svc.stop("a", 95)  # a later stop time: not a second stop
    assert poll(f, svc, 120) == []


def test_duplicates_across_pages_are_one_event() -> None:
    f = follow()
    f.take()
    step = f.next_step(at(30).timestamp())
    assert isinstance(step, datetime)
    # Offset paging while items are added: a page repeats the previous page's tail,
    # and the second copy of "b" already knows it stopped.
    f.accept([eng("c", 3), eng("b", 2)])
    f.accept([eng("b", 2, stop=4), eng("a", 1)])
    f.accept([eng("a", 1)])
    f.poll_succeeded(at(30).timestamp())
    assert names(drain(f, at(30).timestamp())) == [
        "started:a",
        "started:b",
        "stopped:b",
        "started:c",
    ]


def test_late_arrival_inside_lookback_is_reported() -> None:
    f, svc = follow(lookback=600), Service()
    svc.add(eng("a", 1000))
    poll(f, svc, 1010)
    # Shown by the service only now, though it started 5 minutes before "a".
    svc.add(eng("late", 700))
    assert names(poll(f, svc, 1040)) == ["started:late"]
    # Older than lookback: outside the window, so not even listed.
    svc.add(eng("too-late", 399))
    assert poll(f, svc, 1070) == []
    assert svc.starts[1:] == [at(400), at(400)]


def test_engagement_stopping_three_hours_later_is_reported() -> None:
    f, svc = follow(lookback=600), Service()
    svc.add(eng("long", 10))
    now = 30.0
    assert names(poll(f, svc, now)) == ["started:long"]
    # Many other engagements come and go; the window moves on but stays at "long".
    for n in range(1, 360):
        now += 30
        if n % 10 == 0:
            svc.add(eng(f"short{n}", now - 5, stop=now - 1))
        poll(f, svc, now)
    assert svc.starts[-1] == at(10)
    svc.stop("long", 3 * 3600 + 10)
    assert names(poll(f, svc, 3 * 3600 + 30)) == ["stopped:long"]


def test_tracking_ends_after_track_open_for() -> None:
    f, svc = follow(lookback=600, track_open_for=3600), Service()
    svc.add(eng("open", 10))
    poll(f, svc, 30)
    svc.add(eng("later", 2000, stop=2001))
    poll(f, svc, 2010)
    poll(f, svc, 2040)
    assert svc.starts[-1] == at(10)  # still tracked
    poll(f, svc, 3611)
    assert svc.starts[-1] == at(2000 - 600)  # older than an hour: not tracked
    assert f.sizes["open"] == 0 and f.sizes["seen"] == 1  # "open" forgotten
    svc.stop("open", 3700)
    assert poll(f, svc, 3720) == []


def test_events_not_taken_do_not_change_the_remembered_state() -> None:
    f, svc = follow(), Service()
    svc.add(eng("a", 1), eng("b", 2))
    f.take()
    step = f.next_step(at(30).timestamp())
    assert isinstance(step, datetime)
    for page in svc.pages(step):
        f.accept(page)
    f.poll_succeeded(at(30).timestamp())
    first = f.next_step(at(30).timestamp())
    assert isinstance(first, EngagementEvent)
    # "a" is in the caller's hands, not yet taken: the checkpoint knows neither.
    assert f.snapshot()["engagements"] == []
    f.take()
    assert [row[0] for row in f.snapshot()["engagements"]] == ["arn:a"]


def test_a_restored_feed_continues_after_the_last_taken_event() -> None:
    f, svc = follow(), Service()
    svc.add(eng("a", 1), eng("b", 2, stop=3))
    events = poll(f, svc, 30)
    assert names(events) == ["started:a", "started:b", "stopped:b"]
    saved = json.loads(json.dumps(f.snapshot()))
    again = follow(since=5000)  # since is ignored: the checkpoint has its own
    again.restore(saved)
    svc.add(eng("c", 40))
    svc.stop("a", 45)
    assert names(poll(again, svc, 60)) == ["stopped:a", "started:c"]
    assert svc.starts[-1] == at(0)  # the checkpoint's since, not 5000


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([], "not a follow_engagements checkpoint"),
        ({"kind": "other"}, "not a follow_engagements checkpoint"),
        ({"kind": "ssm-engagements/follow-checkpoint", "version": 99}, "version 99"),
        ({"since_us": "x"}, "bad since_us"),
        ({"engagements": [["arn:a", 1]]}, "bad engagement entry"),
        ({"engagements": {}}, "bad engagements"),
        ({"incident_id": "arn:other"}, "written for incident_id='arn:other'"),
    ],
)
def test_restore_refuses_what_is_not_this_feeds_checkpoint(data: object, reason: str) -> None:
    good = follow().snapshot()
    if isinstance(data, dict) and "kind" not in data:
        data = {**good, **data}
    with pytest.raises(CheckpointMismatch, match=reason):
        follow().restore(data)


def test_waits_poll_interval_after_a_poll_from_its_end() -> None:
    f, svc = follow(poll_interval=30), Service()
    poll(f, svc, 10)
    assert f.next_step(at(25).timestamp()) == 15.0
    assert isinstance(f.next_step(at(40).timestamp()), datetime)


def test_backoff_doubles_from_the_poll_interval_up_to_five_minutes() -> None:
    assert [backoff_seconds(n, 30.0) for n in range(1, 8)] == [30, 60, 120, 240, 300, 300, 300]
    assert [backoff_seconds(n, 0.5) for n in (1, 2, 3, 10, 11)] == [0.5, 1, 2, 256, 300]
    assert backoff_seconds(1, 30.0, hint=90.0) == 90.0
    assert backoff_seconds(1, 30.0, hint=3600.0) == 300.0
    assert backoff_seconds(10_000, 1e-3) == 300.0  # no overflow


def test_retryable_poll_failures_back_off_log_and_keep_the_place(
    caplog: pytest.LogCaptureFixture,
) -> None:
    f, svc = follow(poll_interval=30), Service()
    svc.add(eng("a", 1))
    poll(f, svc, 30)
    clock = at(60).timestamp()
    errors = [
        ThrottlingException(code="ThrottlingException", message="Rate exceeded", status_code=400),
        TransportError("connection reset", attempts=3),
        ThrottlingException(code="ThrottlingException", message="slow", status_code=400),
    ]
    delays = []
    with caplog.at_level(logging.WARNING, logger="ssm_engagements"):
        for error in errors:
            step = f.next_step(clock)
            assert isinstance(step, datetime) and step == at(0)
            f.accept([eng("b", 50)])  # part of a poll that then fails: forgotten
            delays.append(f.poll_failed(error, clock))
            wait = f.next_step(clock)
            assert wait == delays[-1]
            assert isinstance(wait, float)
            clock += wait
    assert delays == [30, 60, 120]
    assert [r.levelno for r in caplog.records] == [logging.WARNING] * 3
    assert "ThrottlingException" in caplog.records[0].getMessage()
    svc.add(eng("b", 50))
    assert names(poll(f, svc, clock - at(0).timestamp())) == ["started:b"]
    f.poll_failed(errors[0], clock)
    assert f.next_step(clock) == 30.0  # a success reset the back-off


@pytest.mark.parametrize(
    "error",
    [
        AccessDeniedException(code="AccessDeniedException", message="no", status_code=400),
        ResponseParseError("bad JSON", body_excerpt="{"),
        KeyError("not ours"),
    ],
)
def test_errors_no_retry_can_fix_are_raised(error: BaseException) -> None:
    f = follow()
    step = f.next_step(at(1).timestamp())
    assert isinstance(step, datetime)
    with pytest.raises(type(error)):
        f.poll_failed(error, at(1).timestamp())


def test_days_of_polling_keep_memory_and_checkpoint_flat() -> None:
    """A week of polls every 30 s (20,160), an engagement every 10 minutes lasting 30:
    the sets and the checkpoint stay the size of the window."""
    f, svc = follow(lookback=600, track_open_for=86400, poll_interval=30), Service()
    day = 86400
    sizes: list[tuple[int, int, int]] = []
    now = 0.0
    n = 0
    while now < 7 * day:
        now += 30
        if now % 600 == 0:
            n += 1
            svc.add(eng(f"e{n}", now - 1))
        for arn in [a for a, e in svc.items.items() if e.stop_time is None]:
            start = svc.items[arn].start_time
            assert start is not None
            if (at(now) - start).total_seconds() >= 1800:
                svc.stop(arn.removeprefix("arn:"), now)
        # The fake service forgets what is long gone, as a test must not grow either.
        for arn in [
            a for a, e in svc.items.items() if e.stop_time and e.stop_time < at(now - 7200)
        ]:
            del svc.items[arn]
        poll(f, svc, now)
        sizes.append((f.sizes["seen"], f.sizes["heap"], len(json.dumps(f.snapshot()))))
    assert len(sizes) == 7 * 2880
    first_day = sizes[:2880]
    last_day = sizes[-2880:]
    assert max(s[0] for s in last_day) == max(s[0] for s in first_day) <= 5
    assert max(s[1] for s in last_day) == max(s[1] for s in first_day)
    assert max(s[2] for s in last_day) <= max(s[2] for s in first_day) + 16  # digits of names
    assert f.sizes["open"] <= 4 and f.sizes["changes"] == 0 and f.sizes["queue"] == 0


def test_follow_checks_types_of_its_own_counts() -> None:
    f = Follow(
        incident_id="arn:i", since_us=1_000_999, lookback=1.5, track_open_for=2, poll_interval=1
    )
    assert f.since_us == 1_000_000  # whole milliseconds
    assert f.snapshot()["incident_id"] == "arn:i"


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(
        st.one_of(
            st.tuples(st.just("add"), st.integers(-50, 400)),
            st.tuples(st.just("stop"), st.integers(0, 40)),
            st.tuples(st.just("poll"), st.integers(1, 90)),
        ),
        max_size=60,
    ),
    page_size=st.integers(1, 4),
    repeat=st.booleans(),
)
def test_any_history_reports_each_start_and_stop_once_in_order(
    ops: list[tuple[str, int]], page_size: int, repeat: bool
) -> None:
    """Whatever happens between polls, with pages that may repeat items: each
    engagement at or after `since` starts once and stops once (after its start), each
    poll's events are in (start, ARN) order, and a last poll reports everything."""
    f, svc = (
        follow(since=0, lookback=10_000, track_open_for=100_000, poll_interval=1),
        Service(page_size=page_size),
    )
    now = 1000.0
    events: list[EngagementEvent] = []
    added = 0

    def run_poll() -> None:
        clock = at(now).timestamp()
        f.take()
        step = f.next_step(clock)
        assert isinstance(step, datetime)
        pages = svc.pages(step)
        for index, page in enumerate(pages):
            f.accept(page)
            if repeat and index + 1 < len(pages):
                f.accept(pages[index + 1][:1])  # offset paging: an item seen twice
        f.poll_succeeded(clock)
        got = drain(f, clock)
        keys = [(e.engagement.start_time, e.engagement.engagement_arn) for e in got]
        assert keys == sorted(keys)
        events.extend(got)

    for op, value in ops:
        if op == "add":
            svc.add(eng(f"e{added}", value))
            added += 1
        elif op == "stop":
            name = f"e{value % added}" if added else ""
            if name and svc.items[f"arn:{name}"].stop_time is None:
                svc.stop(name, now)
        else:
            now += value
            run_poll()
    now += 1
    run_poll()
    got = names(events)
    assert len(got) == len(set(got))
    for item in svc.items.values():
        name = item.engagement_arn.removeprefix("arn:")
        assert item.start_time is not None
        if item.start_time < at(0):
            assert f"started:{name}" not in got
            continue
        assert f"started:{name}" in got
        if item.stop_time is not None:
            assert got.index(f"started:{name}") < got.index(f"stopped:{name}")
        else:
            assert f"stopped:{name}" not in got
