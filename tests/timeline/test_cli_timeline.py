"""``ssm-engagements timeline``, run as users run it: ``python -m ssm_engagements``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ssm_engagements._cli import main
from ssm_engagements._demo_data import DEMO_INCIDENT_ID, DEMO_NOW, incident_engagements
from ssm_engagements.emulator import Emulator
from tests.cli._helpers import cli_env, next_token, run
from tests.timeline import _svg

DEMO = incident_engagements()  # the demo incident, as `timeline --demo` draws it
DEMO_CONTACTS = len({item["ContactArn"] for item in DEMO})
DEFAULT_FILE = "timeline-demo-outage-4c1d2e6a.html"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_in(folder: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ssm_engagements", *args],
        cwd=folder, env=env or cli_env(), capture_output=True, text=True, timeout=30,
        check=False,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def test_demo_writes_a_page_named_after_the_incident(here: Path) -> None:
    status, out, err = run_in(here, "timeline", "--demo")
    assert status == 0, err
    assert out == ""
    page = (here / DEFAULT_FILE).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    bars = _svg.bars(_svg.parse(page))
    assert {bar.arn for bar in bars} == {item["EngagementArn"] for item in DEMO}
    assert sum("open" in bar.classes for bar in bars) == sum("StopTime" not in i for i in DEMO)
    assert len(_svg.texts(_svg.parse(page), "row-label")) == DEMO_CONTACTS
    assert err.splitlines()[-1] == (
        f"ssm-engagements: drew {len(DEMO)} engagements of {DEMO_CONTACTS} contacts to "
        f"{DEFAULT_FILE}"
    )  # nothing left out: nothing more said
    assert "still open at 2024-03-14 16:00:00 UTC" in page  # the demo's fixed "now"
    assert [p.name for p in here.iterdir()] == [DEFAULT_FILE]  # no temporary file left


def test_output_svg_htm_and_stdout(here: Path) -> None:
    status, _, err = run_in(here, "timeline", "--demo", "-o", "picture.SVG")
    assert status == 0, err
    svg = (here / "picture.SVG").read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert len(_svg.bars(_svg.parse(svg))) == len(DEMO)
    status, _, err = run_in(here, "timeline", "--demo", "-o", "page.htm")
    assert status == 0, err
    assert (here / "page.htm").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    status, out, err = run_in(here, "timeline", "--demo", "--output", "-")
    assert status == 0, err
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "to standard output" in err


def test_nothing_to_draw_is_a_page_that_says_what_was_asked(here: Path) -> None:
    status, _, err = run_in(
        here, "timeline", "--demo", "--start", "2030-01-01", "--end", "2030-01-02", "-o", "t.html"
    )
    assert status == 0, err
    page = (here / "t.html").read_text(encoding="utf-8")
    assert "No engagements matched the query." in page
    assert (
        f"incident {DEMO_INCIDENT_ID}, started 2030-01-01 00:00:00 to 2030-01-02 00:00:00 UTC"
        in page
    )
    assert "<h1>Paging timeline: demo-outage</h1>" in page
    assert "Hover" not in page
    assert "drew 0 engagements of 0 contacts to t.html" in err


def test_max_rows_caps_the_picture(here: Path) -> None:
    status, out, err = run_in(here, "timeline", "--demo", "--max-rows", "5", "-o", "-")
    assert status == 0, err
    root = _svg.parse(out)
    assert len(_svg.texts(root, "row-label")) == 5
    (more,) = _svg.texts(root, "more")
    assert more.startswith(f"+{DEMO_CONTACTS - 5} more contacts")
    drawn = len(_svg.bars(root))
    assert err.splitlines()[-1] == (
        f"ssm-engagements: drew {drawn} engagements of 5 contacts to standard output; "
        f"left out {len(DEMO) - drawn} engagements of {DEMO_CONTACTS - 5} more contacts "
        "(--max-rows 5)"
    )


@pytest.mark.parametrize("form", [["--start=-1h"], ["--start", "-1h"], ["--start", "-60m"]])
def test_relative_start_counts_back_from_the_demo_now(here: Path, form: list[str]) -> None:
    status, out, err = run_in(here, "timeline", "--demo", *form, "-o", "-")
    assert status == 0, err
    since = (DEMO_NOW - timedelta(hours=1)).isoformat(timespec="milliseconds")
    expected = {i["EngagementArn"] for i in DEMO if i["StartTime"] >= since[:23]}
    assert expected and len(expected) < len(DEMO)
    assert {bar.arn for bar in _svg.bars(_svg.parse(out))} == expected


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=incident_engagements(40, seed=5)) as emulator:
        yield emulator


def test_against_an_endpoint_with_an_incident_filter(here: Path, emu: Emulator) -> None:
    other = "arn:aws:ssm-incidents::111122223333:incident-record/other/9"
    emu.add_engagements(
        {"EngagementArn": "arn:aws:ssm-contacts:us-east-1:111122223333:engagement/x/1",
         "ContactArn": "arn:aws:ssm-contacts:us-east-1:111122223333:contact/x",
         "Sender": "cli", "IncidentId": other, "StartTime": "2024-03-14T10:00:00Z"}
    )  # fmt: skip
    env = cli_env(emu)
    status, _, err = run_in(
        here, "timeline", "--endpoint-url", emu.url, "--incident-id", other, env=env
    )
    assert status == 0, err
    page = (here / "timeline-other-9.html").read_text(encoding="utf-8")
    assert [bar.arn for bar in _svg.bars(_svg.parse(page))] == [
        "arn:aws:ssm-contacts:us-east-1:111122223333:engagement/x/1"
    ]
    status, _, err = run_in(here, "timeline", "--endpoint-url", emu.url, env=env)
    assert status == 0, err
    assert (here / "timeline.html").exists()  # no incident: a plain name
    assert "drew 41 engagements" in err


def test_a_failed_fetch_keeps_the_previous_file(here: Path, emu: Emulator) -> None:
    (here / "t.html").write_text("previous", encoding="utf-8")
    emu.inject("internal")
    status, _, err = run_in(here, "timeline", "--endpoint-url", emu.url, "-o", "t.html",
                            env=cli_env(emu))  # fmt: skip
    assert status == 1
    assert "InternalServerException" in err and "Traceback" not in err
    assert next_token(err) is None  # timeline cannot continue from a token
    assert (here / "t.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in here.iterdir()) == ["t.html"]


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--max-rows", "0"], 2, "argument --max-rows: must be at least 1; got 0"),
        (["--region", "us-east-1"], 2, "--demo cannot be combined with --region"),
        (["--start", "now", "--end=-1h"], 2, "argument --start: must not be after --end"),
        (["--start", "yesterday"], 2, "not an ISO-8601 date/time or a relative time"),
        (["-o", "no/such/folder/t.html"], 1, "cannot write 'no/such/folder/t.html'"),
        (
            ["-o", "t.png"],
            2,
            "argument -o/--output: must end in .html, .htm or .svg, or be - "
            "for standard output; got 't.png'",
        ),
        (["-o", "timeline"], 2, "argument -o/--output: must end in .html, .htm or .svg"),
        (["--start=-1h", "--now=-2h"], 2, "argument --now: must not be before --start"),
        (["--now", "soon"], 2, "argument --now: not an ISO-8601 date/time or a relative time"),
    ],
)
def test_bad_usage_is_one_line(
    here: Path, args: list[str], status: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["timeline", "--demo", *args]) == status
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if "error:" in line]) == 1
    assert list(here.iterdir()) == []


def test_now_draws_the_incident_as_it_was_then(here: Path) -> None:
    """--now cuts the picture: open bars end there, later stops are cut and marked, later
    starts are left out (and said so)."""
    status, out, err = run_in(here, "timeline", "--demo", "--now", "-3h", "-o", "-")
    assert status == 0, err
    cut = DEMO_NOW - timedelta(hours=3)
    stamp = cut.isoformat(timespec="milliseconds")[:23]
    started = [i for i in DEMO if i["StartTime"][:23] <= stamp]
    later = [i for i in started if i.get("StopTime", "9")[:23] > stamp]
    bars = _svg.bars(_svg.parse(out))
    assert {bar.arn for bar in bars} == {i["EngagementArn"] for i in started}
    clipped = {bar.arn for bar in bars if "clipped" in bar.classes}
    assert clipped == {i["EngagementArn"] for i in later} and clipped
    assert _svg.texts(_svg.parse(out), "clipped-label") == ["continues"] * len(clipped)
    assert (
        f"left out {len(DEMO) - len(started)} engagements that started after 2024-03-14 13:00:00 UTC"
        in err
    )


def test_the_end_of_the_window_is_the_default_now(here: Path) -> None:
    """An old incident: with --end, open bars end at --end, not at today."""
    status, out, err = run_in(here, "timeline", "--demo", "--end", "2024-03-14T12:00", "-o", "-")
    assert status == 0, err
    root = _svg.parse(out)
    latest = max(t for t, _, _ in _svg.ticks(root))
    assert latest.isoformat() == "2024-03-14T12:00:00+00:00"  # the axis ends there
    assert any("clipped" in bar.classes for bar in _svg.bars(root))  # cut at 12:00
    assert "as of 2024-03-14 12:00:00 UTC" in out


def test_progress_is_shown_on_a_terminal_only(here: Path, emu: Emulator) -> None:
    import os
    import pty
    import subprocess
    import sys

    emu.add_engagements(*incident_engagements(450, seed=9))  # 490 in all: 5 pages of 100
    args = [sys.executable, "-m", "ssm_engagements", "timeline", "--endpoint-url", emu.url]
    primary, secondary = pty.openpty()
    with subprocess.Popen(
        [*args, "-o", "tty.html"], cwd=here, env=cli_env(emu), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=secondary,
    ) as child:  # fmt: skip
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert child.wait(timeout=30) == 0, seen
    os.close(primary)
    terminal = seen.decode()
    for count, page in ((100, "1 page"), (200, "2 pages"), (490, "5 pages")):
        assert f"\rssm-engagements: fetched {count} engagements ({page})\x1b[K" in terminal
    assert terminal.endswith(
        "\r\x1b[Kssm-engagements: drew 490 engagements of 12 contacts to tty.html\r\n"
    )

    status, _, err = run_in(here, "timeline", "--endpoint-url", emu.url, "-o", "pipe.html",
                            env=cli_env(emu))  # fmt: skip
    assert status == 0
    assert err == "ssm-engagements: drew 490 engagements of 12 contacts to pipe.html\n"


def test_help_names_the_command() -> None:
    result = run("--help")
    assert "timeline" in result.stdout
    result = run("timeline", "--help")
    # Python 3.13's argparse writes "-o, --output FILE"; earlier ones "-o FILE, --output FILE".
    assert result.returncode == 0 and "--output FILE" in result.stdout
    assert "-o FILE, --output FILE" in result.stdout or "-o, --output FILE" in result.stdout
