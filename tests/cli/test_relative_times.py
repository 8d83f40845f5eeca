"""--start / --end as on-call people type them: ``now``, ``-2h``, ``-30m``, ``-7d``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from ssm_engagements._cli_time import join_relative, resolve, when
from ssm_engagements.emulator import Emulator
from tests.cli._helpers import arns_from_jsonl, cli_env, run

NOW = datetime.now(timezone.utc).replace(microsecond=0)
pytestmark = pytest.mark.usefixtures("local_tz")  # every test, in three time zones
ACCOUNT = "arn:aws:ssm-contacts:us-east-1:111122223333"


def _item(name: str, ago: timedelta) -> dict[str, str]:
    return {
        "EngagementArn": f"{ACCOUNT}:engagement/{name}/1",
        "ContactArn": f"{ACCOUNT}:contact/{name}",
        "Sender": "cli",
        "StartTime": (NOW - ago).isoformat(),
    }


DATA = [
    _item("three-hours-ago", timedelta(hours=3)),
    _item("ninety-minutes-ago", timedelta(minutes=90)),
    _item("ten-minutes-ago", timedelta(minutes=10)),
]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=DATA) as emulator:
        yield emulator


def listed(emu: Emulator, *args: str) -> list[str]:
    result = run("list", "--endpoint-url", emu.url, "--output", "jsonl", *args, env=cli_env(emu))
    assert result.returncode == 0, result.stderr
    return [arn.split("/")[1] for arn in arns_from_jsonl(result.stdout)]


@pytest.mark.parametrize("form", [["--start=-2h"], ["--start", "-2h"], ["--start", "-120m"]])
def test_start_back_from_now(emu: Emulator, form: list[str]) -> None:
    assert listed(emu, *form) == ["ten-minutes-ago", "ninety-minutes-ago"]


def test_a_window_in_the_past(emu: Emulator) -> None:
    assert listed(emu, "--start", "-1d", "--end", "-1h") == [
        "ninety-minutes-ago",
        "three-hours-ago",
    ]
    assert listed(emu, "--start=-1h45m", "--end=-1h") == ["ninety-minutes-ago"]


def test_one_now_per_run(emu: Emulator) -> None:
    assert listed(emu, "--start=-2h", "--end", "now")
    body = emu.requests[-1].body
    assert body is not None
    window = body["TimeRangeValue"]
    assert window["EndTime"] - window["StartTime"] == 7200  # exactly: one "now" for both


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("now", timedelta(0)),
        ("NOW", timedelta(0)),
        ("-30s", timedelta(seconds=-30)),
        ("-30m", timedelta(minutes=-30)),
        ("-2h", timedelta(hours=-2)),
        ("-7d", timedelta(days=-7)),
        ("-2w", timedelta(weeks=-2)),
        ("-1h30m", timedelta(minutes=-90)),
    ],
)
def test_relative_values(text: str, offset: timedelta) -> None:
    assert when(text) == offset
    assert resolve(when(text), NOW) == NOW + offset


@pytest.mark.parametrize("text", ["2h", "-2", "-2x", "- 2h", "-2H", "-h", "-99999999d", "+2h"])
def test_bad_values_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        when(text)


def test_absolute_values_still_work() -> None:
    assert when("2024-05-01") == datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert when("2024-03-14T09:00") == datetime(2024, 3, 14, 9, tzinfo=timezone.utc)
    assert resolve(when("2024-05-01T12:30:00Z"), NOW) == datetime(
        2024, 5, 1, 12, 30, tzinfo=timezone.utc
    )


def test_only_start_and_end_values_are_joined() -> None:
    assert join_relative(["list", "--start", "-2h", "--end", "-30m"]) == [
        "list", "--start=-2h", "--end=-30m",
    ]  # fmt: skip
    assert join_relative(["list", "--start", "2024-05-01"]) == ["list", "--start", "2024-05-01"]
    assert join_relative(["list", "--page-size", "-2h"]) == ["list", "--page-size", "-2h"]
    assert join_relative(["x", "--", "--start", "-2h"]) == ["x", "--", "--start", "-2h"]


def test_a_bad_relative_value_is_a_one_line_usage_error(emu: Emulator) -> None:
    result = run("list", "--endpoint-url", emu.url, "--start=-2y", env=cli_env(emu))
    assert result.returncode == 2
    assert "argument --start: not an ISO-8601 date/time or a relative time" in result.stderr
