"""``ssm-engagements emulator``: where it listens and says it listens, argument checks
before anything starts, and the demo data it serves. Clients connect over loopback only."""

from __future__ import annotations

import re
import socket
import time
from datetime import datetime, timedelta, timezone

import pytest

from ssm_engagements._cli import main
from ssm_engagements._demo_data import (
    DEMO_INCIDENT_ID,
    DEMO_NOW,
    DEMO_REGION,
    incident_engagements,
)
from ssm_engagements.emulator import Emulator
from tests.cli._helpers import arns_from_jsonl, run
from tests.emulator._helpers import serving


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")


# -- where it listens ------------------------------------------------------------------------


def test_the_default_listens_on_ipv4_loopback_only() -> None:
    with serving() as served:
        assert re.match(
            r"SSM Contacts emulator listening on http://127\.0\.0\.1:\d+ ", served.banner
        )
        with served.client() as client:
            assert client.list_engagements().engagements == ()
    assert "warning" not in served.stderr


def test_every_ipv4_interface_is_said_and_warned_about() -> None:
    with serving("--host", "0.0.0.0") as served:
        port = served.url.rsplit(":", 1)[1]
        first = served.banner.splitlines()[0]
        assert f"every IPv4 interface (0.0.0.0), port {port}" in first
        assert served.url == f"http://127.0.0.1:{port}"  # what a client here calls
        with served.client() as client:
            client.list_engagements()
    warning = next(line for line in served.stderr.splitlines() if "warning" in line)
    assert f"anyone who can reach port {port} can read" in warning


@needs_ipv6
def test_ipv6_loopback_is_bound_and_bracketed() -> None:
    with serving("--host", "::1") as served:
        assert re.fullmatch(r"http://\[::1\]:\d+", served.url)
        assert f"listening on {served.url} " in served.banner
        with served.client() as client:
            client.list_engagements()
    assert "warning" not in served.stderr


@needs_ipv6
def test_every_interface_means_ipv6_and_ipv4() -> None:
    with serving("--host", "::") as served:
        port = served.url.rsplit(":", 1)[1]
        assert served.url == f"http://[::1]:{port}"
        assert f"every interface, IPv6 and IPv4 (::), port {port}" in served.banner
        for url in (served.url, f"http://127.0.0.1:{port}"):
            with served.client(url) as client:
                client.list_engagements()
    assert "warning: listening on every interface" in served.stderr


@needs_ipv6
def test_the_emulator_class_binds_ipv6_and_gives_a_loopback_url() -> None:
    with Emulator(host="::1") as emu, emu.client() as client:
        assert emu.url == f"http://[::1]:{emu.port}"
        client.list_engagements()
    with Emulator(host="0.0.0.0") as emu:
        assert emu.url == f"http://127.0.0.1:{emu.port}"


# -- arguments are checked before anything starts --------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "bad region"], "argument --region: must be a region name"),
        (["--region", "us-east-1;"], "argument --region"),
        (["--region", ""], "argument --region"),
        (["--port", "99999"], "argument --port: must be a TCP port from 0 to 65535: '99999'"),
        (["--port", "-1"], "argument --port"),
        (["--port", "http"], "argument --port"),
    ],
)
def test_bad_arguments_are_usage_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["emulator", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""  # nothing started: no banner, no export lines


def test_the_emulator_class_checks_region_and_port() -> None:
    with pytest.raises(ValueError, match="region must be a region name"):
        Emulator(region="bad region")
    with pytest.raises(ValueError, match="port must be an integer from 0 to 65535; got 65536"):
        Emulator(port=65536)


# -- the demo data ---------------------------------------------------------------------------


def _started_after(items: list[dict[str, str]], moment: datetime) -> list[str]:
    return [
        item["EngagementArn"]
        for item in items
        if datetime.fromisoformat(item["StartTime"]) >= moment
    ]


def test_demo_data_is_served_in_its_own_region_as_it_stands_now() -> None:
    before = datetime.now(timezone.utc)
    with serving("--demo-data") as served:
        assert served.settings["AWS_REGION"] == DEMO_REGION
        assert f"(region {DEMO_REGION}, 255 engagements)" in served.banner
        with served.client() as client:
            items = list(client.iter_engagements(incident_id=DEMO_INCIDENT_ID))
        assert items[0].engagement_arn.startswith(f"arn:aws:ssm-contacts:{DEMO_REGION}:")
    after = datetime.now(timezone.utc)
    # The incident's times, moved so that its "now" (DEMO_NOW) is when the emulator began.
    demo = incident_engagements()
    newest = max(datetime.fromisoformat(item["StartTime"]) for item in demo)
    assert items[0].start_time is not None
    assert before + (newest - DEMO_NOW) - timedelta(milliseconds=1) <= items[0].start_time
    assert items[0].start_time <= after + (newest - DEMO_NOW)
    assert sorted(e.engagement_arn for e in items) == sorted(e["EngagementArn"] for e in demo)


def test_relative_times_select_what_they_select_under_demo() -> None:
    """``--start=-2h`` against ``emulator --demo-data`` lists what ``list --demo --start=-2h``
    does: the demo incident stands at the emulator's start as it stands at DEMO_NOW."""
    demo = incident_engagements()
    expected = _started_after(demo, DEMO_NOW - timedelta(hours=2))
    listed = run(
        "list", "--demo", "--start=-2h", "--max-items", "1000", "--output", "jsonl"
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert sorted(arns_from_jsonl(listed.stdout)) == sorted(expected)
    assert 50 < len(expected) < len(demo)

    began = time.monotonic()
    with serving("--demo-data") as served:
        result = run(
            "list", "--start=-2h", "--incident-id", DEMO_INCIDENT_ID, "--max-items", "1000",
            "--output", "jsonl", env=served.env(),
        )  # fmt: skip
    elapsed = timedelta(seconds=time.monotonic() - began)
    assert result.returncode == 0, result.stderr
    got = arns_from_jsonl(result.stdout)
    # The list ran a moment after the emulator began: its window may have lost the
    # oldest engagements of that moment, and nothing else.
    assert set(_started_after(demo, DEMO_NOW - timedelta(hours=2) + elapsed)) <= set(got)
    assert set(got) <= set(expected)


def test_demo_data_keeps_the_documented_samples_as_published() -> None:
    with serving("--demo-data") as served, served.client() as client:
        oldest = list(client.iter_engagements())[-1]
    assert oldest.start_time == datetime(2021, 5, 18, 18, 20, 58, 93000, tzinfo=timezone.utc)
    assert oldest.engagement_arn.endswith(":engagement/akuam/607ced0e-e8fa-4ea7-8958-a237b8803f8f")
