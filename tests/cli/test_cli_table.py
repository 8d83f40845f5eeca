"""The table as a reviewer reads it: who, when, until when, paged by, then the incident
and the engagement's ARN. At a terminal (a real pseudo-terminal here) it fits the width,
leaving columns out from the right and cutting long values at their end; piped, or with
``--wide``, nothing is left out or cut."""

from __future__ import annotations

import re

import pytest

from ssm_engagements._demo_data import DEMO_INCIDENT_ID
from ssm_engagements.emulator import Emulator
from tests.cli._helpers import ROOT, cli_env, run, run_in_terminal

ORDER = ["CONTACT", "START (UTC)", "STOP (UTC)", "SENDER", "INCIDENT", "ARN"]
ACCOUNT = "arn:aws:ssm-contacts:us-east-1:111122223333"
LONG_NAME = "database-primary-escalation-plan-for-the-payments-team"  # 54 characters
INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/payments/0123abcd"
DATA = [
    {
        "EngagementArn": f"{ACCOUNT}:engagement/{LONG_NAME}/6a1b2c3d-0000-4000-8000-000000000001",
        "ContactArn": f"{ACCOUNT}:contact/{LONG_NAME}",
        "Sender": "ssm-incidents",
        "IncidentId": INCIDENT,
        "StartTime": "2024-03-14T09:00:00Z",
        "StopTime": "2024-03-14T09:20:00Z",
    }
]


def titles(header: str) -> list[str]:
    return re.split(r"\s{2,}", header.strip())


@pytest.mark.parametrize(
    ("columns", "shown"),
    [(60, 2), (80, 4), (100, 5), (212, 5), (213, 6)],
)
def test_at_a_terminal_columns_are_left_out_from_the_right(columns: int, shown: int) -> None:
    status, out, err = run_in_terminal(
        "list", "--demo", "--max-items", "30", env=cli_env(), columns=columns
    )
    assert status == 0, err
    header, *rows = out.splitlines()
    assert titles(header) == ORDER[:shown]  # STOP survives 80 columns; INCIDENT comes after it
    assert len(rows) == 30
    assert max(map(len, out.splitlines())) <= columns


def test_a_value_too_long_is_cut_at_its_end_and_the_note_says_how_to_see_it_whole() -> None:
    with Emulator(engagements=DATA) as emu:
        status, out, err = run_in_terminal(
            "list", "--endpoint-url", emu.url, env=cli_env(emu), columns=100
        )
    assert status == 0, err
    row = out.splitlines()[1]
    contact = row.split("  ")[0]
    assert contact.endswith("\u2026") and LONG_NAME.startswith(contact[:-1])  # never mid-cut
    assert "--wide" in err


def test_wide_at_a_terminal_cuts_nothing() -> None:
    with Emulator(engagements=DATA) as emu:
        status, out, err = run_in_terminal(
            "list", "--endpoint-url", emu.url, "--wide", env=cli_env(emu), columns=80
        )
    assert status == 0, err
    header, row = out.splitlines()
    assert titles(header) == ORDER
    assert titles(row) == [
        LONG_NAME, "2024-03-14 09:00:00", "2024-03-14 09:20:00", "ssm-incidents", INCIDENT,
        DATA[0]["EngagementArn"],
    ]  # fmt: skip
    assert "\u2026" not in out and "--wide" not in err


def test_piped_table_is_never_cut_even_with_columns_set(emu_demo_rows: list[str]) -> None:
    header, *rows = emu_demo_rows
    assert titles(header) == ORDER
    assert all("\u2026" not in row for row in rows)
    incident_rows = [row for row in rows if DEMO_INCIDENT_ID in row]
    assert incident_rows and all(re.search(r"arn:aws:ssm-contacts:\S+$", row) for row in rows)


@pytest.fixture
def emu_demo_rows() -> list[str]:
    result = run("list", "--demo", "--max-items", "20", env=cli_env(COLUMNS="60"))
    assert result.returncode == 0, result.stderr
    assert "--wide" not in result.stderr
    return result.stdout.splitlines()


def test_the_how_to_shows_what_an_80_column_terminal_shows() -> None:
    """docs/how-to/cli.md shows the demo at a terminal; the docs' own runner pipes, so the
    example is checked here, in a real 80-column pseudo-terminal."""
    page = (ROOT / "docs" / "how-to" / "cli.md").read_text(encoding="utf-8")
    command = "$ ssm-engagements list --demo --max-items 4\n"
    block = page.split(command, 1)[1].split("```", 1)[0].splitlines()
    status, out, err = run_in_terminal(*command.split()[2:], env=cli_env(), columns=80)
    assert status == 0, err
    shown = [line for line in block if not line.startswith(("ssm-engagements:", "NextToken:"))]
    assert out.splitlines() == shown
    notes = [line.split("...")[0] for line in block if line not in shown]
    assert [line[: len(note)] for line, note in zip(err.splitlines(), notes, strict=True)] == notes
