"""Resume tokens shared with the AWS CLI (v1, botocore's paginator), both ways.

Needs the ``aws`` command (``pip install 'ssm-engagements[interop]'``, or any awscli on
PATH); skipped without it. Each ``aws`` run costs about a second, so there are few.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests.cli._helpers import arns_from_jsonl, cli_env, next_token, run
from tests.interop.conftest import INCIDENT

AWS = shutil.which("aws")
pytestmark = pytest.mark.skipif(
    AWS is None,
    reason="the AWS CLI ('aws') is not installed: pip install 'ssm-engagements[interop]'",
)


def _aws(emu: Emulator, *args: str) -> dict[str, Any]:
    assert AWS is not None
    result = subprocess.run(
        [
            AWS,
            "ssm-contacts",
            "list-engagements",
            "--endpoint-url",
            emu.url,
            "--output",
            "json",
            *args,
        ],
        env=cli_env(emu, AWS_DEFAULT_REGION=emu.region, AWS_PAGER=""),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def _ours(emu: Emulator, *args: str) -> tuple[list[str], str | None]:
    result = run("list", "--endpoint-url", emu.url, "--output", "jsonl", *args, env=cli_env(emu))
    assert result.returncode == 0, result.stderr
    return arns_from_jsonl(result.stdout), next_token(result.stderr)


def _everything(client: se.EngagementsClient, **filters: Any) -> list[str]:
    return [e.engagement_arn for e in client.iter_engagements(**filters)]


@pytest.mark.parametrize(
    ("aws_args", "our_args", "filters"),
    [
        # No --page-size: one page of the emulator's 100 holds them all; the token
        # is {"NextToken": null, "boto_truncate_amount": 30}.
        (["--max-items", "30"], [], {}),
        (
            ["--incident-id", INCIDENT, "--page-size", "10", "--max-items", "25"],
            ["--incident-id", INCIDENT, "--page-size", "10"],
            {"incident_id": INCIDENT},
        ),
    ],
    ids=["first-page", "mid-page-filtered"],
)
def test_aws_cli_token_continues_in_our_cli_and_iterators(
    emu: Emulator,
    client: se.EngagementsClient,
    aws_args: list[str],
    our_args: list[str],
    filters: dict[str, Any],
) -> None:
    exported = _aws(emu, *aws_args)
    seen = [e["EngagementArn"] for e in exported["Engagements"]]
    token = exported["NextToken"]
    everything = _everything(client, **filters)

    rest, again = _ours(emu, *our_args, "--starting-token", token)
    assert again is None
    assert seen + rest == everything
    page_size = 10 if "--page-size" in our_args else None
    items = client.iter_engagements(**filters, page_size=page_size, starting_token=token)
    assert seen + [e.engagement_arn for e in items] == everything
    pages = client.iter_pages(**filters, page_size=page_size, starting_token=token)
    assert seen + [e.engagement_arn for p in pages for e in p.engagements] == everything


def test_our_token_continues_in_the_aws_cli(emu: Emulator, client: se.EngagementsClient) -> None:
    seen, token = _ours(emu, "--incident-id", INCIDENT, "--page-size", "10", "--max-items", "20")
    assert token is not None
    rest = _aws(emu, "--incident-id", INCIDENT, "--page-size", "10", "--starting-token", token)
    assert "NextToken" not in rest
    tail = [e["EngagementArn"] for e in rest["Engagements"]]
    assert seen + tail == _everything(client, incident_id=INCIDENT)
