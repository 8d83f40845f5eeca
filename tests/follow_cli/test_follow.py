"""``ssm-engagements follow``, run as users run it, against an emulator started here.

The follower is a subprocess; the test adds and stops engagements in the emulator while
it runs and reads each line as it is printed. Every wait is for a line that must come
(bounded only by a hang guard), never a guess at how long something takes.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ssm_engagements._cli import main
from ssm_engagements._demo_data import incident_engagements
from ssm_engagements.emulator import Emulator
from tests.cli._helpers import COMMAND, cli_env
from tests.follow_cli._helpers import (
    HANG_GUARD,
    INCIDENT,
    Follower,
    engagement,
    utc_now_ms,
    wait_until,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def follow(emu: Emulator, *args: str) -> Follower:
    """A follower of ``emu`` polling every 50 ms, from an hour ago unless told otherwise."""
    since = () if any(a.startswith("--since") for a in args) else ("--since=-1h",)
    return Follower(
        "--endpoint-url", emu.url, "--poll-interval", "0.05", *since, *args, env=cli_env(emu)
    )


def assert_one_line_error(stderr: str, *words: str) -> None:
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, stderr
    for word in words:
        assert word in errors[0], stderr


# -- what is printed, as it happens -----------------------------------------------------------


def test_jsonl_prints_each_event_as_it_happens(emu: Emulator) -> None:
    start = utc_now_ms() - timedelta(minutes=5)
    with follow(emu, "--output", "jsonl") as proc:
        emu.add_engagements(engagement(1, start))
        started = proc.events(1)[0]
        # The follower is still running: the line was flushed on its own.
        assert proc.proc.poll() is None
        item = engagement(1, start)
        assert started == {
            "event": "started",
            "EngagementArn": item["EngagementArn"],
            "ContactArn": item["ContactArn"],
            "Sender": "cli",
            "IncidentId": INCIDENT,
            "StartTime": start.isoformat(),
        }
        assert next(iter(started)) == "event"

        stop = start + timedelta(minutes=3)
        emu.stop_engagement(item["EngagementArn"], stop)
        stopped = proc.events(1)[0]
        assert stopped == {**started, "event": "stopped", "StopTime": stop.isoformat()}

        emu.add_engagements(engagement(2, start + timedelta(seconds=1)))
        assert proc.events(1)[0]["EngagementArn"] == engagement(2, start)["EngagementArn"]
        assert proc.proc.poll() is None  # the feed never ends by itself


def test_events_of_one_poll_come_in_start_order_and_a_stopped_one_gives_both(
    emu: Emulator,
) -> None:
    base = utc_now_ms() - timedelta(minutes=10)
    newer = engagement(1, base + timedelta(seconds=2))
    older_stopped = engagement(2, base, stop=base + timedelta(seconds=30))
    emu.add_engagements(newer, older_stopped)
    with follow(emu, "--output", "jsonl") as proc:
        events = [(e["event"], e["EngagementArn"]) for e in proc.events(3)]
    assert events == [
        ("started", older_stopped["EngagementArn"]),
        ("stopped", older_stopped["EngagementArn"]),
        ("started", newer["EngagementArn"]),
    ]


def test_table_prints_a_readable_line_per_event(emu: Emulator) -> None:
    start = utc_now_ms().replace(microsecond=0) - timedelta(hours=2)
    item = engagement(7, start, contact="payments-oncall", sender="ssm-incidents")
    with follow(emu, "--since=-3h") as proc:
        emu.add_engagements(item)
        started = proc.next_line()
        emu.stop_engagement(item["EngagementArn"], start + timedelta(minutes=4, seconds=17))
        stopped = proc.next_line()
    assert started.split() == [
        f"{start:%Y-%m-%d}", f"{start:%H:%M:%S}", "UTC", "started", "payments-oncall",
        "by", "ssm-incidents", "incident", "follow-test/0f1e2d3c",
        "engagement", "00000007-0000-4000-8000-000000000000",
    ]  # fmt: skip
    stop = start + timedelta(minutes=4, seconds=17)
    assert stopped.split()[:7] == [
        f"{stop:%Y-%m-%d}", f"{stop:%H:%M:%S}", "UTC", "stopped", "payments-oncall",
        "after", "0:04:17",
    ]  # fmt: skip
    # The columns line up from one event to the next.
    assert started.index(" incident ") == stopped.index(" incident ")


@pytest.mark.parametrize("since", [["--since=-1h"], ["--since", "-1h"]])
def test_since_takes_relative_times(emu: Emulator, since: list[str]) -> None:
    now = utc_now_ms()
    too_old = engagement(1, now - timedelta(hours=2))
    recent = engagement(2, now - timedelta(minutes=30))
    emu.add_engagements(too_old, recent)
    with follow(emu, "--output", "jsonl", *since) as proc:
        assert proc.events(1)[0]["EngagementArn"] == recent["EngagementArn"]
        newest = engagement(3, now)
        emu.add_engagements(newest)
        # The next line is the newest engagement: the one before --since never came.
        assert proc.events(1)[0]["EngagementArn"] == newest["EngagementArn"]


def test_since_takes_absolute_times_and_incident_id_filters(emu: Emulator) -> None:
    base = utc_now_ms() - timedelta(minutes=20)
    other = engagement(1, base + timedelta(minutes=1), incident=INCIDENT + "-other")
    ours = engagement(2, base + timedelta(minutes=2))
    emu.add_engagements(engagement(3, base - timedelta(minutes=1)), other, ours)
    since = (base - timedelta(seconds=1)).isoformat()
    with follow(emu, "--output", "jsonl", "--since", since, "--incident-id", INCIDENT) as proc:
        assert proc.events(1)[0]["EngagementArn"] == ours["EngagementArn"]
        later = engagement(4, base + timedelta(minutes=3))
        emu.add_engagements(later)
        assert proc.events(1)[0]["EngagementArn"] == later["EngagementArn"]


# -- checkpoints, signals, pipes --------------------------------------------------------------


@posix_only
def test_ctrl_c_exits_130_and_the_checkpoint_continues_after_the_last_line(
    emu: Emulator, tmp_path: Path
) -> None:
    checkpoint = str(tmp_path / "follow.json")
    start = utc_now_ms() - timedelta(minutes=5)
    first, second = engagement(1, start), engagement(2, start + timedelta(seconds=1))
    with follow(emu, "--output", "jsonl", "--checkpoint", checkpoint) as proc:
        emu.add_engagements(first)
        assert proc.events(1)[0]["EngagementArn"] == first["EngagementArn"]
        # A request that arrives after the line was read comes from a poll made after
        # the follower asked for the next event, which is when it records the line.
        polled = len(emu.requests)
        wait_until(lambda: len(emu.requests) > polled, "another poll")
        assert proc.finish(signal.SIGINT) == 130
        assert "Traceback" not in proc.stderr()
    assert json.loads(Path(checkpoint).read_text(encoding="utf-8"))  # whole, valid JSON
    emu.add_engagements(second)
    with follow(emu, "--output", "jsonl", "--checkpoint", checkpoint) as proc:
        # Continues after the last line printed: the first engagement is not repeated.
        assert proc.events(1)[0]["EngagementArn"] == second["EngagementArn"]


def test_a_checkpoint_in_use_is_refused_with_exit_2(emu: Emulator, tmp_path: Path) -> None:
    checkpoint = str(tmp_path / "follow.json")
    emu.add_engagements(engagement(1, utc_now_ms() - timedelta(minutes=1)))
    with follow(emu, "--output", "jsonl", "--checkpoint", checkpoint) as first:
        first.events(1)  # running, holding the checkpoint
        with follow(emu, "--checkpoint", checkpoint) as second:
            assert second.finish() == 2
            assert second.lines == []
            assert_one_line_error(second.stderr(), checkpoint, "in use")
        assert first.proc.poll() is None


def test_a_checkpoint_of_another_incident_is_refused_with_exit_2(
    emu: Emulator, tmp_path: Path
) -> None:
    checkpoint = str(tmp_path / "follow.json")
    emu.add_engagements(engagement(1, utc_now_ms() - timedelta(minutes=1)))
    with follow(emu, "--output", "jsonl", "--checkpoint", checkpoint) as proc:
        proc.events(1)
        proc.finish(signal.SIGTERM)
    args = ["--incident-id", INCIDENT, "--checkpoint", checkpoint]
    with follow(emu, *args) as other:
        assert other.finish() == 2
        assert_one_line_error(other.stderr(), checkpoint, "incident_id")


def test_a_corrupt_checkpoint_is_refused_with_exit_2(emu: Emulator, tmp_path: Path) -> None:
    checkpoint = tmp_path / "follow.json"
    checkpoint.write_text("{not json", encoding="utf-8")
    with follow(emu, "--checkpoint", str(checkpoint)) as proc:
        assert proc.finish() == 2
        assert_one_line_error(proc.stderr(), str(checkpoint), "corrupt")
    assert checkpoint.read_text(encoding="utf-8") == "{not json"  # left for the user to see


def test_a_closed_pipe_ends_quietly_and_frees_the_checkpoint(emu: Emulator, tmp_path: Path) -> None:
    checkpoint = str(tmp_path / "follow.json")
    start = utc_now_ms() - timedelta(minutes=5)
    emu.add_engagements(engagement(1, start))
    read_end, write_end = os.pipe()
    args = ["--endpoint-url", emu.url, "--poll-interval", "0.05", "--since=-1h"]
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [*COMMAND, "follow", *args, "--output", "jsonl", "--checkpoint", checkpoint],
            env=cli_env(emu, PYTHONUNBUFFERED=""), stdout=write_end, stderr=stderr,
        )  # fmt: skip
        try:
            os.close(write_end)
            with os.fdopen(read_end, "rb") as out:  # the reader goes away, as `| head -1` does
                assert select.select([out], [], [], HANG_GUARD)[0], "no line"
                assert b"started" in out.readline()
            emu.add_engagements(engagement(2, start + timedelta(seconds=1)))  # next write fails
            assert proc.wait(HANG_GUARD) == 0
        finally:
            proc.kill()
            proc.wait()
        stderr.seek(0)
        text = stderr.read().decode()
    assert "error" not in text and "Traceback" not in text and "BrokenPipe" not in text, text
    with follow(emu, "--output", "jsonl", "--checkpoint", checkpoint) as again:
        # The line that met the closed pipe was never read: it comes again (the first
        # was delivered before the pipe closed, and does not).
        assert again.events(1)[0]["EngagementArn"] == engagement(2, start)["EngagementArn"]


def test_a_failed_poll_is_a_warning_and_the_feed_goes_on(emu: Emulator) -> None:
    emu.inject("http503")  # the first poll fails (one attempt per request here)
    emu.add_engagements(engagement(1, utc_now_ms() - timedelta(minutes=1)))
    with follow(emu, "--output", "jsonl") as proc:
        assert proc.events(1)[0]["event"] == "started"  # from the next poll
        warnings = [line for line in proc.stderr().splitlines() if "warning:" in line]
    assert len(warnings) == 1, warnings
    assert "poll failed" in warnings[0] and "polling again in" in warnings[0]


def test_a_service_error_exits_1(emu: Emulator) -> None:
    env = cli_env(emu, AWS_SECRET_ACCESS_KEY="not-the-emulators-key")
    with Follower("--endpoint-url", emu.url, env=env) as proc:
        assert proc.finish() == 1
        assert_one_line_error(proc.stderr())


# -- usage errors: exit 2 before anything starts ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--poll-interval", "0"], "--poll-interval"),
        (["--poll-interval", "-1"], "--poll-interval"),
        (["--poll-interval", "nan"], "--poll-interval"),
        (["--poll-interval", "inf"], "--poll-interval"),
        (["--poll-interval", "soon"], "--poll-interval"),
        (["--since", "yesterday"], "--since"),
        (["--output", "csv"], "--output"),
        (["--incident-id", "bad<id>"], "--incident-id"),
        (["--demo", "--endpoint-url", "http://127.0.0.1:9"], "--demo"),
        (["--demo", "--region", "us-east-1"], "--demo"),
        (["--unknown"], "--unknown"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], option: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    checkpoint = tmp_path / "follow.json"
    endpoint = [] if "--demo" in args else ["--endpoint-url", "http://127.0.0.1:9"]
    region = [] if "--demo" in args else ["--region", "us-east-1"]
    status = main(["follow", *region, *endpoint, "--checkpoint", str(checkpoint), *args])
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert_one_line_error(err, option)
    assert not checkpoint.exists()  # nothing started


def test_the_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["follow", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Examples:" in out and "follow --demo" in out


# -- --demo -----------------------------------------------------------------------------------


@posix_only
def test_demo_prints_a_live_incident() -> None:
    contacts = {item["ContactArn"] for item in incident_engagements(60)}
    with Follower("--demo", "--output", "jsonl", "--poll-interval", "0.2", env=cli_env()) as proc:
        # The demo's first two pages come together, half a second in.
        events = proc.events(2)
        assert [e["event"] for e in events] == ["started", "started"]
        assert {e["ContactArn"] for e in events} <= contacts
        assert proc.finish(signal.SIGINT) == 130
        assert "demo" in proc.stderr() and "Traceback" not in proc.stderr()
