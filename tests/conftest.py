"""Shared fixtures: every test runs with AWS settings isolated from the machine's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests._clients import KINDS, close_made

# Property tests: few examples by default so the suite stays fast; `nox -s fuzz`
# (HYPOTHESIS_PROFILE=fuzz, or --hypothesis-profile=fuzz) runs many more.
settings.register_profile("ci", max_examples=25, deadline=None)
settings.register_profile(
    "fuzz", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def isolated_aws_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Drop every AWS_* and proxy variable and point config files at an empty folder.

    Yields that folder; tests write ``config`` / ``credentials`` there and set
    AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE with monkeypatch when they need them.
    """
    home = tmp_path_factory.mktemp("aws-home")
    saved = dict(os.environ)
    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith(("AWS_", "SSM_ENGAGEMENTS_")) or upper in {
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "NO_PROXY",
            "ALL_PROXY",
        }:
            del os.environ[name]
    os.environ["AWS_CONFIG_FILE"] = str(home / "config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(home / "credentials")
    # No instance-metadata probing: it would wait on timeouts with no network.
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    try:
        yield home
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(params=KINDS)
def client_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """ "sync" or "async": behaviour tests run once per client (see tests/_clients.py)."""
    kind: str = request.param
    yield kind
    close_made()
