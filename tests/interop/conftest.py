"""Fixtures for the interop tests: one seeded emulator, this SDK's client and boto3's on it.

``client`` is this SDK's client; tests take it by fixture so another client with the
same interface can be swapped in by parametrizing the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests.emulator._helpers import boto3_client, engagement

INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/plan/a"
OTHER_INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/plan/b"
COUNT = 57


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """An emulator holding COUNT engagements; every third is OTHER_INCIDENT's."""
    with Emulator() as emulator:
        emulator.add_engagements(
            *[
                engagement(i, IncidentId=OTHER_INCIDENT if i % 3 == 0 else INCIDENT)
                for i in range(COUNT)
            ]
        )
        yield emulator


@pytest.fixture
def client(emu: Emulator, client_kind: str) -> Iterator[se.EngagementsClient]:
    """This SDK's client of each kind (the async one through tests._clients)."""
    with clients.from_emulator(emu, client_kind, max_attempts=1) as ours:
        yield ours


@pytest.fixture
def boto(emu: Emulator) -> Any:
    """A boto3 ssm-contacts client on ``emu``."""
    return boto3_client(emu)
