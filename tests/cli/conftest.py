"""Fixtures of the command-line tests."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest


@pytest.fixture(params=["UTC", "America/Los_Angeles", "Asia/Kolkata"])
def local_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test (and the CLI processes it starts, which inherit TZ) in this local
    time zone: naive times on the command line mean UTC on every machine."""
    zone: str = request.param
    with monkeypatch.context() as patch:
        patch.setenv("TZ", zone)
        time.tzset()
        try:
            yield zone
        finally:
            patch.undo()
            time.tzset()
