"""Command-line resume tokens across processes: the demo, the emulator's --token-key,
and tokens the service rejects."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pytest
from botocore.credentials import Credentials

from ssm_engagements import EngagementsClient, ValidationException
from ssm_engagements._demo_data import (
    DEMO_INCIDENT_ID,
    DEMO_REGION,
    DEMO_TOKEN_KEY,
    demo_engagements,
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
)


def _demo_listing() -> list[str]:
    """The whole demo listing, from an emulator in this process."""
    with (
        Emulator(region=DEMO_REGION, engagements=demo_engagements()) as emu,
        emu.client() as client,
    ):
        return [e.engagement_arn for e in client.iter_engagements(page_size=1000)]


def test_demo_token_resumes_in_the_next_demo_process() -> None:
    first = run("list", "--demo", "--max-items", "3", "--output", "jsonl")
    assert first.returncode == 0, first.stderr
    token = next_token(first.stderr)
    assert token is not None
    rest = run("list", "--demo", "--starting-token", token, "--max-items", "4", "--output", "jsonl")
    assert rest.returncode == 0, rest.stderr
    assert arns_from_jsonl(first.stdout) + arns_from_jsonl(rest.stdout) == _demo_listing()[:7]


def _serve(*args: str) -> tuple[subprocess.Popen[str], str, Credentials]:
    proc = start("emulator", "--port", "0", *args, env=cli_env())
    lines = read_lines_until(proc, r"AWS_ENDPOINT_URL_SSM_CONTACTS=")
    settings = dict(re.findall(r"(AWS_\w+)=(\S+)", "".join(lines)))
    creds = Credentials(settings["AWS_ACCESS_KEY_ID"], settings["AWS_SECRET_ACCESS_KEY"])
    return proc, settings["AWS_ENDPOINT_URL_SSM_CONTACTS"], creds


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=HANG_SECONDS)
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "engagements.json"
    path.write_text(json.dumps({"Engagements": demo_engagements()[:40]}))
    return path


def test_token_key_lets_a_token_outlive_an_emulator_restart(data_file: Path) -> None:
    everything = [e["EngagementArn"] for e in demo_engagements()[:40]]
    proc, url, creds = _serve("--data", str(data_file), "--token-key", "team-fixture")
    try:
        with EngagementsClient("us-east-1", endpoint_url=url, credentials=creds) as client:
            first = client.iter_engagements(page_size=6, max_items=12)
            head = [e.engagement_arn for e in first]
    finally:
        _stop(proc)
    assert first.resume_token is not None
    proc, url, creds = _serve("--data", str(data_file), "--token-key", "team-fixture")
    try:
        with EngagementsClient("us-east-1", endpoint_url=url, credentials=creds) as client:
            rest = [
                e.engagement_arn for e in client.iter_engagements(starting_token=first.resume_token)
            ]
    finally:
        _stop(proc)
    assert sorted(head + rest) == sorted(everything)
    assert len(set(head + rest)) == len(everything)


def test_emulator_demo_data_accepts_the_token_of_list_demo() -> None:
    first = run("list", "--demo", "--max-items", "5", "--output", "jsonl")
    token = next_token(first.stderr)
    assert token is not None
    proc, url, creds = _serve("--demo-data", "--region", DEMO_REGION)
    try:
        with EngagementsClient(DEMO_REGION, endpoint_url=url, credentials=creds) as client:
            rest = client.iter_engagements(
                incident_id=DEMO_INCIDENT_ID, starting_token=token, max_items=5
            )
            arns = [e.engagement_arn for e in rest]
    finally:
        _stop(proc)
    assert arns_from_jsonl(first.stdout) + arns == _demo_listing()[:10]


def test_emulators_share_tokens_only_with_the_same_key() -> None:
    data = demo_engagements()[:30]
    with Emulator(engagements=data, token_key=DEMO_TOKEN_KEY) as one, one.client() as client:
        listing = [e.engagement_arn for e in client.iter_engagements()]
        token = client.list_engagements(max_results=10).next_token
    assert token is not None
    with Emulator(engagements=data, token_key=DEMO_TOKEN_KEY.encode()) as two, two.client() as c:
        page = c.list_engagements(next_token=token)
    assert [e.engagement_arn for e in page.engagements] == listing[10:]
    for other in (Emulator(engagements=data), Emulator(engagements=data, token_key="other")):
        with other, other.client(max_attempts=1) as c, pytest.raises(ValidationException):
            c.list_engagements(next_token=token)
    with pytest.raises(ValueError, match="token_key"):
        Emulator(token_key="")


@pytest.mark.parametrize("output", ["jsonl", "json"])
def test_a_token_the_service_rejects_is_not_offered_again(output: str) -> None:
    with Emulator(engagements=demo_engagements()[:30]) as emu:
        # Well-formed, but signed by another emulator's key.
        with Emulator(engagements=demo_engagements()[:30]) as other, other.client() as client:
            foreign = client.list_engagements(max_results=5).next_token
        assert foreign is not None
        result = run(
            "list", "--endpoint-url", emu.url, "--starting-token", foreign, "--output", output,
            env=cli_env(emu),
        )  # fmt: skip
    assert result.returncode == 1
    assert "ValidationException" in result.stderr
    assert next_token(result.stderr) is None, result.stderr
    assert "NextToken" not in result.stdout
