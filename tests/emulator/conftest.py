"""Fixtures for the emulator tests: a running emulator, a boto3 client on it, raw requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ssm_engagements.emulator import Emulator
from tests.emulator._helpers import RawPost, RawResponse, boto3_client, raw_post


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> Any:
    """A boto3 ssm-contacts client on ``emu`` that makes one attempt per call."""
    return boto3_client(emu)


@pytest.fixture
def post(emu: Emulator) -> RawPost:
    def _post(body: bytes | dict[str, Any] = b"{}", **kwargs: Any) -> RawResponse:
        return raw_post(emu, body, **kwargs)

    return _post
