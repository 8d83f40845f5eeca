"""``list --demo``: the demo incident, a screenful at a time, and one demo "now" for
``list`` and ``timeline`` (relative times count from DEMO_NOW in both)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ssm_engagements._cli import main
from ssm_engagements._cli_base import DEMO_MAX_ITEMS
from ssm_engagements._demo_data import (
    BOTOCORE_EXAMPLE,
    DEMO_INCIDENT_ID,
    DEMO_NOW,
    DOCUMENTED_SAMPLE,
    incident_engagements,
)
from tests.cli._helpers import arns_from_jsonl, next_token, run

INCIDENT = incident_engagements()
NEWEST_FIRST = [item["EngagementArn"] for item in reversed(INCIDENT)]


def test_list_demo_shows_the_incidents_newest_a_screenful_at_a_time() -> None:
    first = run("list", "--demo")
    assert first.returncode == 0, first.stderr
    header, *rows = first.stdout.splitlines()
    assert header.startswith("CONTACT")
    assert len(rows) == DEMO_MAX_ITEMS == 25
    token = next_token(first.stderr)
    assert token is not None

    page = run("list", "--demo", "--output", "jsonl")
    assert arns_from_jsonl(page.stdout) == NEWEST_FIRST[:DEMO_MAX_ITEMS]
    rest = run("list", "--demo", "--output", "jsonl", "--starting-token", token)
    assert rest.returncode == 0, rest.stderr
    assert arns_from_jsonl(rest.stdout) == NEWEST_FIRST[DEMO_MAX_ITEMS : 2 * DEMO_MAX_ITEMS]


def test_max_items_shows_more_and_demo_all_the_unrelated_samples() -> None:
    everything = run("list", "--demo", "--max-items", "1000", "--output", "jsonl")
    assert arns_from_jsonl(everything.stdout) == NEWEST_FIRST
    assert next_token(everything.stderr) is None
    samples = [e["EngagementArn"] for e in [*DOCUMENTED_SAMPLE, *BOTOCORE_EXAMPLE]]
    old = run("list", "--demo", "--demo-all", "--start", "2020-01-01", "--end", "2023-01-01",
              "--output", "jsonl")  # fmt: skip
    assert arns_from_jsonl(old.stdout) == samples  # no incident, so only when asked for
    other = run("list", "--demo", "--incident-id", DEMO_INCIDENT_ID + "x", "--output", "jsonl")
    assert other.returncode == 0 and other.stdout == ""


def test_demo_all_needs_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--demo-all", "--region", "us-east-2"]) == 2
    assert "--demo-all: only with --demo" in capsys.readouterr().err


@pytest.mark.parametrize("start", ["-2h", "-1h", "-7d"])
def test_list_and_timeline_count_relative_times_from_the_same_demo_now(
    start: str, tmp_path: Path
) -> None:
    moment = DEMO_NOW + timedelta(
        seconds=-int(start[1:-1]) * {"h": 3600, "m": 60, "d": 86400}[start[-1]]
    )
    expected = [
        item["EngagementArn"]
        for item in reversed(INCIDENT)
        if datetime.fromisoformat(item["StartTime"]) >= moment
    ]
    listed = run("list", "--demo", f"--start={start}", "--max-items", "1000", "--output", "jsonl")
    assert listed.returncode == 0, listed.stderr
    assert arns_from_jsonl(listed.stdout) == expected
    drawn = run("timeline", "--demo", f"--start={start}", "-o", str(tmp_path / "t.svg"))
    assert drawn.returncode == 0, drawn.stderr
    count = re.search(r"drew (\d+) engagements", drawn.stderr)
    assert count is not None and int(count[1]) == len(expected)
    assert len(expected) > 0
