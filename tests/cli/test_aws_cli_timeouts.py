"""What the reference says of the AWS CLI's timeouts, checked against the AWS CLI: its
``--cli-read-timeout 0`` means no timeout (so ours refuses 0 rather than copy it).

Needs the ``aws`` command (``pip install 'ssm-engagements[interop]'``); skipped without it.
"""

from __future__ import annotations

import shutil
import subprocess

import attrs
import pytest

from tests._server import page, scripted_server
from tests.cli._helpers import cli_env

AWS = shutil.which("aws")
pytestmark = pytest.mark.skipif(
    AWS is None,
    reason="the AWS CLI ('aws') is not installed: pip install 'ssm-engagements[interop]'",
)


def _aws_list(url: str, read_timeout: str) -> subprocess.CompletedProcess[str]:
    assert AWS is not None
    env = cli_env(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1",
        AWS_MAX_ATTEMPTS="1", AWS_PAGER="",
    )  # fmt: skip
    return subprocess.run(
        [AWS, "ssm-contacts", "list-engagements", "--endpoint-url", url,
         "--cli-read-timeout", read_timeout, "--output", "json"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_aws_cli_reads_a_zero_read_timeout_as_no_timeout() -> None:
    # The answer comes 1.5 s after the request, always: a 1 s read timeout always fires,
    # whatever the machine's speed; no timeout at all never does.
    with scripted_server() as server:
        server.script(*[attrs.evolve(page(), delay=1.5)] * 2)
        waited = _aws_list(server.url, "0")
        assert waited.returncode == 0, waited.stderr
        assert '"Engagements": []' in waited.stdout
        gave_up = _aws_list(server.url, "1")
        assert gave_up.returncode != 0
        assert "Read timeout" in gave_up.stderr
