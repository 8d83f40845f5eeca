"""pytest plugin (entry point ``pytest11``): the ``ssm_contacts_emulator`` fixture.

Imports nothing heavy at load time: the emulator is imported when the fixture runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .emulator import Emulator


@pytest.fixture
def ssm_contacts_emulator() -> Iterator[Emulator]:
    """A started ``ssm_engagements.emulator.Emulator`` (empty, default settings),
    stopped after the test. Point a client at ``.url`` with ``.credentials`` and
    ``.region``, or call ``.client()``."""
    from .emulator import Emulator

    with Emulator() as emulator:
        yield emulator
