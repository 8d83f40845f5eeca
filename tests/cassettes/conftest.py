"""Cassette tests: replayed with record mode none in CI; re-recordable against a real account.

To re-record (this overwrites the cassettes with your account's data; review before
committing, the kit scrubs signing headers):

    AWS_PROFILE=... SSM_ENGAGEMENTS_TEST_REGION=us-east-2 \
    SSM_ENGAGEMENTS_TEST_INCIDENT_ID=arn:aws:ssm-incidents::...:incident-record/... \
    python -m pytest tests/cassettes --record-mode=rewrite
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import Credentials

from ssm_engagements import EngagementsClient
from ssm_engagements.testing import register_matchers
from ssm_engagements.testing import vcr_config as kit_config
from tests import _clients as clients

# Captured before the autouse fixture hides the machine's AWS settings, so a
# re-recording run can reach the real account.
_MACHINE_ENV = {
    k: v for k, v in os.environ.items() if k.startswith(("AWS_", "SSM_ENGAGEMENTS_TEST_"))
}


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    register_matchers(vcr)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return kit_config()


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    """pytest-recording's default, without the client parameter in the test's name:
    both clients replay one cassette."""
    marker = request.node.get_closest_marker("default_cassette")
    if marker is not None:
        name: str = marker.args[0]
        return name
    return str(request.node.name).split("[", 1)[0]


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(Path(__file__).parent)


@pytest.fixture
def recording(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--record-mode") not in (None, "none")


@pytest.fixture
def cassette_client(
    recording: bool, isolated_aws_env: Any, client_kind: str
) -> Iterator[EngagementsClient]:
    if recording:
        for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED"):
            os.environ.pop(name, None)
        os.environ.update(_MACHINE_ENV)
        credentials = None
    else:
        credentials = Credentials("AKIDEXAMPLE", "replay-only-secret")
    region = os.environ.get("SSM_ENGAGEMENTS_TEST_REGION", "us-east-2")
    # Default retries: a cassette miss raises CassetteMissError at once, never retried
    # (tests/cassettes/test_kit.py), so real throttling can still be retried when recording.
    with clients.make(client_kind, region, credentials=credentials) as client:
        yield client
