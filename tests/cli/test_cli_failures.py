"""Failure and empty states say what happened and what to do: nothing matched, a hung or
refused endpoint, no credentials, an unknown SSM_ENGAGEMENTS_LOG value."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from ssm_engagements._cli import main
from ssm_engagements._demo_data import BOTOCORE_EXAMPLE
from ssm_engagements.emulator import Emulator
from tests._server import Reply, ScriptedServer, scripted_server
from tests.cli._helpers import ROOT, cli_env, run, run_in_terminal

INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/outage/0123abcd"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=BOTOCORE_EXAMPLE) as emulator:
        yield emulator


# -- nothing matched -------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "stdout"), [("table", None), ("jsonl", ""), ("json", None)])
def test_an_empty_result_says_so_on_stderr_with_the_filters(
    emu: Emulator, fmt: str, stdout: str | None
) -> None:
    args = ["--incident-id", INCIDENT, "--start", "2024-05-01", "--end", "2024-05-02T12:00Z"]
    result = run("list", "--endpoint-url", emu.url, "--output", fmt, *args, env=cli_env(emu))
    assert result.returncode == 0, result.stderr
    if stdout is not None:
        assert result.stdout == stdout
    assert "0 engagements matched" in result.stderr
    assert "0 engagements" not in result.stdout  # pipes get data only
    for shown in (emu.region, INCIDENT, "2024-05-01 00:00:00", "2024-05-02 12:00:00"):
        assert shown in result.stderr
    assert "hint" not in result.stderr  # a well-formed incident ARN


@pytest.mark.usefixtures("local_tz")
def test_the_window_of_an_empty_result_is_shown_in_utc(emu: Emulator) -> None:
    args = ["--start", "2024-05-01T02:00+02:00", "--end", "2024-05-01T12:00"]
    result = run("list", "--endpoint-url", emu.url, *args, env=cli_env(emu))
    assert result.returncode == 0, result.stderr
    assert "started 2024-05-01 00:00:00 to 2024-05-01 12:00:00 UTC" in result.stderr


def test_a_listing_with_results_says_nothing_about_matches(emu: Emulator) -> None:
    result = run("list", "--endpoint-url", emu.url, env=cli_env(emu))
    assert result.returncode == 0, result.stderr
    assert "matched" not in result.stderr


@pytest.mark.parametrize("incident", ["outage-42", "0123abcd", "incident-record/outage/0123abcd"])
def test_an_incident_id_that_is_not_an_arn_gets_a_hint(emu: Emulator, incident: str) -> None:
    result = run("list", "--endpoint-url", emu.url, "--incident-id", incident, env=cli_env(emu))
    assert result.returncode == 0, result.stderr
    assert "0 engagements matched" in result.stderr
    assert f"--incident-id {incident!r} does not look like an incident ARN" in result.stderr
    assert "arn:aws:ssm-incidents::ACCOUNT:incident-record/" in result.stderr


# -- hung and refused endpoints --------------------------------------------------------------


@pytest.fixture
def hung() -> Iterator[ScriptedServer]:
    """An endpoint that accepts requests and never answers (until the test ends)."""
    release = threading.Event()

    def never(_seen: object) -> Reply:
        release.wait(30)
        return Reply(599, b"too late")

    with scripted_server() as server:
        server.fallback = never
        try:
            yield server
        finally:
            release.set()


def hung_args(server: ScriptedServer, *extra: str) -> list[str]:
    return ["list", "--endpoint-url", server.url, "--read-timeout", "0.2", *extra]


def test_read_timeout_and_max_attempts_bound_a_hung_endpoint(hung: ScriptedServer) -> None:
    env = cli_env(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-east-1"
    )
    result = run(*hung_args(hung, "--max-attempts", "2"), env=env)
    assert result.returncode == 1
    assert len(hung.requests) == 2
    assert "timed out" in result.stderr and "(2 attempts made)" in result.stderr
    assert "--read-timeout" in result.stderr  # what to change
    assert "attempt 1 of 2" not in result.stderr  # stderr is not a terminal: no retry notes


def test_each_retry_is_told_at_a_terminal(hung: ScriptedServer) -> None:
    env = cli_env(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-east-1"
    )
    status, _, err = run_in_terminal(
        *hung_args(hung, "--max-attempts", "3"), env=env, terminal="stderr"
    )
    assert status == 1
    notes = [line for line in err.splitlines() if "failed (read timeout); retrying in" in line]
    assert [line.split(" failed")[0] for line in notes] == [
        "ssm-engagements: attempt 1 of 3",
        "ssm-engagements: attempt 2 of 3",
    ]


def test_the_retry_count_follows_aws_max_attempts_without_the_option(hung: ScriptedServer) -> None:
    env = cli_env(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-east-1",
        AWS_MAX_ATTEMPTS="2",
    )  # fmt: skip
    status, _, err = run_in_terminal(*hung_args(hung), env=env, terminal="stderr")
    assert status == 1
    assert "attempt 1 of 2 failed" in err and "(2 attempts made)" in err


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A loopback port whose listen queue is full: Linux drops further SYNs, so a new
    connection neither completes nor is refused, whatever the machine's speed."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        fillers = [socket.socket() for _ in range(3)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                filler.connect_ex(listener.getsockname())
            yield listener.getsockname()[1]
        finally:
            for filler in fillers:
                filler.close()


@pytest.mark.skipif(sys.platform != "linux", reason="a full listen queue drops SYNs on Linux")
def test_connect_timeout_bounds_a_connection_that_never_completes(full_backlog: int) -> None:
    env = cli_env(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-east-1"
    )
    url = f"http://127.0.0.1:{full_backlog}"
    status, _, err = run_in_terminal(
        "list", "--endpoint-url", url, "--connect-timeout", "0.2", "--max-attempts", "2",
        env=env, terminal="stderr",
    )  # fmt: skip
    assert status == 1
    assert "attempt 1 of 2 failed (connect timeout)" in err
    assert "Connect timeout" in err and "(2 attempts made)" in err


def test_a_refused_connection_says_how_often_and_what_to_check() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = cli_env(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-east-1"
    )
    result = run(
        "list", "--endpoint-url", f"http://127.0.0.1:{port}", "--max-attempts", "2", env=env
    )
    assert result.returncode == 1
    assert "connection refused" in result.stderr and "2 attempts made" in result.stderr
    assert "--endpoint-url" in result.stderr


def test_max_attempts_overrides_the_environment(emu: Emulator) -> None:
    emu.inject("internal", times=1)
    env = cli_env(emu)  # AWS_MAX_ATTEMPTS=1
    assert run("list", "--endpoint-url", emu.url, env=env).returncode == 1
    emu.inject("internal", times=1)
    result = run("list", "--endpoint-url", emu.url, "--max-attempts", "2", env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--read-timeout", "0"],
        ["--read-timeout", "-1"],
        ["--connect-timeout", "nan"],
        ["--connect-timeout", "soon"],
        ["--max-attempts", "0"],
        ["--max-attempts", "1.5"],
        ["--max-attempts", "many"],
    ],
)
def test_bad_timeouts_and_attempts_are_usage_errors(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--region", "us-east-1", *args]) == 2
    err = capsys.readouterr().err
    assert f"argument {args[0]}" in err and repr(args[1]) in err


# -- credentials and logging -----------------------------------------------------------------


def test_no_credentials_says_what_a_command_line_user_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["list", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    for way in (
        "aws configure",
        "--profile",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ):
        assert way in err
    assert "credentials=" not in err and "profile_name" not in err


def _import_with_log(value: str) -> str:
    env = cli_env(SSM_ENGAGEMENTS_LOG=value, PYTHONWARNINGS="")
    done = subprocess.run(
        [sys.executable, "-c", "import ssm_engagements, ssm_engagements._cli"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return done.stderr


def test_an_unknown_log_level_warns_once_naming_the_accepted_values() -> None:
    err = _import_with_log("verbose")
    assert err.count("SSM_ENGAGEMENTS_LOG='verbose' is not a log level") == 1
    assert "'debug'" in err and "'info'" in err


@pytest.mark.parametrize("value", ["debug", "INFO", " info ", ""])
def test_known_log_levels_do_not_warn(value: str) -> None:
    assert "not a log level" not in _import_with_log(value)
