"""The ``ssm-engagements`` command line, run as users run it: ``python -m ssm_engagements``.

Most tests run a subprocess against ``--demo`` or an emulator started here; a few call
``main()`` in-process, where only the exit status and the text matter.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.credentials import Credentials

from ssm_engagements import EngagementsClient, __version__
from ssm_engagements._cli import main
from ssm_engagements._demo_data import (
    BOTOCORE_EXAMPLE,
    DEMO_INCIDENT_ID,
    DOCUMENTED_SAMPLE,
    demo_engagements,
    incident_engagements,
)
from ssm_engagements.emulator import Emulator
from tests.cli._helpers import (
    HANG_SECONDS,
    arns_from_jsonl,
    cli_env,
    next_token,
    read_lines_until,
    run,
    start,
    stderr_of,
)

SAMPLE_ARN = DOCUMENTED_SAMPLE[0]["EngagementArn"]
DEMO_COUNT = len(demo_engagements())
FIELDS = ["EngagementArn", "ContactArn", "Sender", "IncidentId", "StartTime", "StopTime"]
# Newest first, as the service (and the emulator) list them.
DATA = sorted(
    [*BOTOCORE_EXAMPLE, *incident_engagements(30, seed=7)],
    key=lambda item: item["StartTime"],
    reverse=True,
)
ALL_ARNS = [item["EngagementArn"] for item in DATA]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=DATA) as emulator:
        yield emulator


def list_args(emulator: Emulator, *args: str) -> list[str]:
    return ["list", "--endpoint-url", emulator.url, *args]


def assert_one_line_error(stderr: str) -> None:
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, stderr


# -- --demo, every output format -------------------------------------------------------------


def test_demo_json_is_the_aws_cli_shape() -> None:
    result = run("list", "--demo", "--demo-all", "--max-items", "1000", "--output", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["Engagements"]  # no NextToken: the listing is complete
    assert len(doc["Engagements"]) == DEMO_COUNT
    sample = next(e for e in doc["Engagements"] if e["EngagementArn"] == SAMPLE_ARN)
    assert sample == DOCUMENTED_SAMPLE[0]  # same keys and ISO-8601 UTC timestamp text
    assert "local emulator" in result.stderr
    assert next_token(result.stderr) is None


def test_demo_jsonl_has_one_engagement_per_line() -> None:
    result = run("list", "--demo", "--demo-all", "--max-items", "1000", "--output", "jsonl")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == DEMO_COUNT
    items = [json.loads(line) for line in lines]
    assert all(set(item) <= set(FIELDS) and "EngagementArn" in item for item in items)
    assert items[-len(BOTOCORE_EXAMPLE) :] == list(BOTOCORE_EXAMPLE)  # the oldest, in order


def test_demo_csv_parses_with_a_header() -> None:
    result = run("list", "--demo", "--demo-all", "--max-items", "1000", "--output", "csv")
    assert result.returncode == 0, result.stderr
    reader = csv.DictReader(io.StringIO(result.stdout))
    rows = list(reader)
    assert reader.fieldnames == FIELDS
    assert len(rows) == DEMO_COUNT
    sample = next(row for row in rows if row["EngagementArn"] == SAMPLE_ARN)
    assert sample["StartTime"] == "2022-08-16T18:48:50.153000+00:00"
    assert sample["IncidentId"] == sample["StopTime"] == ""


def test_demo_table_has_a_header_and_rows() -> None:
    result = run("list", "--demo", "--demo-all", "--max-items", "1000")  # table: the default
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split()[:3] == ["CONTACT", "START", "(UTC)"]
    assert all(title in header for title in ("STOP", "SENDER", "INCIDENT", "ARN"))
    assert len(rows) == DEMO_COUNT
    sample = next(row for row in rows if "27bd86cf" in row)
    assert sample.startswith("test_escalation_plan")
    assert "2022-08-16 18:48:50" in sample
    assert SAMPLE_ARN in sample  # piped: the whole ARN, to copy


# -- --max-items and --starting-token --------------------------------------------------------


@pytest.mark.parametrize(
    ("page_size", "max_items"),
    [("7", "10"), ("7", "14"), (None, "5")],
    ids=["inside-a-page", "at-a-page-boundary", "service-page-size"],
)
def test_max_items_prints_a_token_that_resumes_exactly(
    emu: Emulator, page_size: str | None, max_items: str
) -> None:
    env = cli_env(emu)
    paging = ["--page-size", page_size] if page_size else []
    first = run(*list_args(emu, "--output", "jsonl", "--max-items", max_items, *paging), env=env)
    assert first.returncode == 0, first.stderr
    token = next_token(first.stderr)
    assert token is not None
    head = arns_from_jsonl(first.stdout)
    assert len(head) == int(max_items)

    rest = run(*list_args(emu, "--output", "jsonl", "--starting-token", token, *paging), env=env)
    assert rest.returncode == 0, rest.stderr
    assert next_token(rest.stderr) is None
    assert head + arns_from_jsonl(rest.stdout) == ALL_ARNS  # nothing lost, nothing twice


def test_json_carries_the_next_token_too(emu: Emulator) -> None:
    env = cli_env(emu)
    first = run(*list_args(emu, "--output", "json", "--max-items", "3"), env=env)
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    assert doc["NextToken"] == next_token(first.stderr)
    rest = run(*list_args(emu, "--output", "json", "--starting-token", doc["NextToken"]), env=env)
    tail = json.loads(rest.stdout)
    assert "NextToken" not in tail
    assert [e["EngagementArn"] for e in doc["Engagements"] + tail["Engagements"]] == ALL_ARNS


def test_max_items_covering_everything_prints_no_token(emu: Emulator) -> None:
    result = run(*list_args(emu, "--output", "csv", "--max-items", "100"), env=cli_env(emu))
    assert result.returncode == 0, result.stderr
    assert next_token(result.stderr) is None
    assert len(result.stdout.splitlines()) == len(DATA) + 1


# -- filters ---------------------------------------------------------------------------------


def test_incident_id_filter() -> None:
    result = run(
        "list", "--demo", "--demo-all", "--incident-id", DEMO_INCIDENT_ID, "--max-items", "1000",
        "--output", "jsonl",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(items) == DEMO_COUNT - len(DOCUMENTED_SAMPLE) - len(BOTOCORE_EXAMPLE)
    assert {item["IncidentId"] for item in items} == {DEMO_INCIDENT_ID}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2021-05-18T18:30:00Z", "2021-05-18T20:00:00Z"),
        ("2021-05-18T18:30:00", "2021-05-18 20:00"),  # naive means UTC
        ("2021-05-18T19:30:00+01:00", "2021-05-18T16:00:00.000-04:00"),
        ("2021-05-18T14:30-0400", "2021-05-18T20:00:00.5z"),
    ],
)
@pytest.mark.usefixtures("local_tz")
def test_time_window_filter(start: str, end: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--start", start, "--end", end, "--output", "jsonl"]
    assert main(["list", "--demo", "--demo-all", *args]) == 0
    # Only botocore's 18:40:26 engagement started between 18:30 and 20:00 UTC.
    assert arns_from_jsonl(capsys.readouterr().out) == [BOTOCORE_EXAMPLE[1]["EngagementArn"]]


@pytest.mark.usefixtures("local_tz")
def test_start_alone_is_an_open_window(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["list", "--demo", "--start", "2024-01-01", "--max-items", "999", "--output", "csv"])
        == 0
    )
    rows = capsys.readouterr().out.splitlines()[1:]
    assert len(rows) == len(incident_engagements())


# -- exit statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--page-size", "0"], "--page-size"),
        (["--max-items", "0"], "--max-items"),
        (["--start", "notadate"], "--start"),
        (["--page-size", "many"], "--page-size"),
        (["--start", "2024-02-01", "--end", "2024-01-01"], "--start"),
        (["--starting-token", "sse1.nonsense"], "--starting-token"),
        (["--incident-id", "bad<id>"], "--incident-id"),
        (["--output", "yaml"], "--output"),
    ],
)
def test_bad_parameters_exit_2(args: list[str], message: str) -> None:
    result = run("list", "--region", "us-east-1", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line_error(result.stderr)
    assert message in result.stderr


def test_no_region_is_a_configuration_error() -> None:
    result = run("list")  # the autouse fixture leaves no region anywhere
    assert result.returncode == 2
    assert_one_line_error(result.stderr)
    assert "region" in result.stderr and "--region" in result.stderr


def test_no_credentials_is_a_configuration_error(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["list", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert status == 2
    assert "credentials" in err
    assert_one_line_error(err)


@pytest.mark.parametrize("option", ["--region=us-east-1", "--profile=x", "--endpoint-url=http://x"])
def test_demo_is_self_contained(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--demo", option]) == 2
    assert "--demo" in capsys.readouterr().err


def test_service_error_exits_1_with_code_and_request_id(emu: Emulator) -> None:
    emu.inject("internal", times=10)
    result = run(*list_args(emu), env=cli_env(emu))
    assert result.returncode == 1
    assert result.stdout == ""
    assert_one_line_error(result.stderr)
    assert "InternalServerException" in result.stderr
    assert re.search(r"request id [\w-]{8,}", result.stderr), result.stderr
    assert next_token(result.stderr) is None  # nothing was listed: start over


def test_error_mid_listing_keeps_what_was_printed_and_prints_the_resume_token(
    emu: Emulator,
) -> None:
    emu.inject("delay", seconds=0)  # the first page passes untouched
    emu.inject("internal")  # one attempt per request (AWS_MAX_ATTEMPTS=1)
    env = cli_env(emu)
    failed = run(*list_args(emu, "--output", "jsonl", "--page-size", "10"), env=env)
    assert failed.returncode == 1
    assert_one_line_error(failed.stderr)
    token = next_token(failed.stderr)
    assert token is not None
    head = arns_from_jsonl(failed.stdout)
    assert len(head) == 10

    rest = run(
        *list_args(emu, "--output", "jsonl", "--page-size", "10", "--starting-token", token),
        env=env,
    )
    assert rest.returncode == 0, rest.stderr
    assert head + arns_from_jsonl(rest.stdout) == ALL_ARNS


def test_json_on_error_prints_the_partial_document(emu: Emulator) -> None:
    emu.inject("delay", seconds=0)
    emu.inject("internal")  # one attempt per request (AWS_MAX_ATTEMPTS=1)
    failed = run(*list_args(emu, "--output", "json", "--page-size", "4"), env=cli_env(emu))
    assert failed.returncode == 1
    doc = json.loads(failed.stdout)
    assert len(doc["Engagements"]) == 4
    assert doc["NextToken"] == next_token(failed.stderr)


# -- streaming, pipes, signals ---------------------------------------------------------------


def test_rows_stream_before_the_last_page(emu: Emulator) -> None:
    emu.inject("delay", seconds=0)  # first page at once, the next two slowly
    emu.inject("delay", times=2, seconds=0.5)
    proc = start(*list_args(emu, "--output", "jsonl", "--page-size", "15"), env=cli_env(emu))
    try:
        first = read_lines_until(proc, r"EngagementArn")
        assert proc.poll() is None  # still waiting for the delayed pages
        assert json.loads(first[0])["EngagementArn"] == ALL_ARNS[0]
        assert proc.wait(timeout=HANG_SECONDS) == 0
    finally:
        proc.kill()
        proc.wait()


def test_closed_pipe_exits_quietly() -> None:
    # jsonl of the demo is larger than a pipe buffer, so writing must hit the closed pipe.
    proc = start("list", "--demo", "--output", "jsonl", env=cli_env())
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=HANG_SECONDS) == 0
    stderr = stderr_of(proc)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_while_listing_exits_130_with_the_resume_token(emu: Emulator) -> None:
    emu.inject("delay", seconds=0)
    emu.inject("delay", seconds=3)
    proc = start(*list_args(emu, "--output", "jsonl", "--page-size", "10"), env=cli_env(emu))
    try:
        read_lines_until(proc, r"EngagementArn")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=HANG_SECONDS) == 130
        stderr = stderr_of(proc)
        assert "Traceback" not in stderr
        assert next_token(stderr) is not None
    finally:
        proc.kill()
        proc.wait()


# -- the emulator command --------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_emulator_command_serves_until_ctrl_c(tmp_path: Path) -> None:
    data = tmp_path / "engagements.json"
    data.write_text(json.dumps({"Engagements": [*DOCUMENTED_SAMPLE, *BOTOCORE_EXAMPLE]}))
    proc = start(
        "emulator", "--port", "0", "--data", str(data), "--region", "eu-west-1", env=cli_env()
    )
    try:
        lines = read_lines_until(proc, r"AWS_ENDPOINT_URL_SSM_CONTACTS=")
        settings = dict(re.findall(r"(AWS_\w+)=(\S+)", "".join(lines)))
        assert settings["AWS_REGION"] == settings["AWS_DEFAULT_REGION"] == "eu-west-1"
        credentials = Credentials(settings["AWS_ACCESS_KEY_ID"], settings["AWS_SECRET_ACCESS_KEY"])
        with EngagementsClient(
            "eu-west-1",
            endpoint_url=settings["AWS_ENDPOINT_URL_SSM_CONTACTS"],
            credentials=credentials,
        ) as client:
            arns = [e.engagement_arn for e in client.iter_engagements()]
        assert arns == [SAMPLE_ARN] + [e["EngagementArn"] for e in BOTOCORE_EXAMPLE]

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=HANG_SECONDS) == 130
        stderr = stderr_of(proc)
        assert "Traceback" not in stderr and "stopped" in stderr
    finally:
        proc.kill()
        proc.wait()


def test_emulator_command_rejects_a_bad_data_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Items": []}')
    assert main(["emulator", "--data", str(bad)]) == 2
    assert main(["emulator", "--data", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("error: argument --data") == 2 and "Traceback" not in err


# -- help and version ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["list"], ["emulator"]])
def test_help_shows_examples(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Examples:" in out
    assert "ssm-engagements " + (command[0] if command else "list") in out


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ssm-engagements {__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert_one_line_error(capsys.readouterr().err)
