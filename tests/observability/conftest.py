"""Fixtures for the observability tests: an emulator holding canary credentials, and a
hook that records every event it is given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ssm_engagements.emulator import Emulator
from ssm_engagements.hooks import AttemptEnd, CallEnd, CallStart, Hook, RetryDecision
from tests import _clients as clients
from tests.reliability._raw import wire_engagement
from tests.reliability.test_security import KEY_ID, SECRET, TOKEN


class Recorder(Hook):
    """Keeps every event, in order, as (method name, event)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def __repr__(self) -> str:
        return "Recorder()"

    def on_call_start(self, event: CallStart) -> None:
        self.events.append(("on_call_start", event))

    def on_attempt(self, event: AttemptEnd) -> None:
        self.events.append(("on_attempt", event))

    def on_retry(self, event: RetryDecision) -> None:
        self.events.append(("on_retry", event))

    def on_call_end(self, event: CallEnd) -> None:
        self.events.append(("on_call_end", event))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def of(self, name: str) -> list[Any]:
        return [event for seen, event in self.events if seen == name]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """An emulator with 250 engagements that expects the canary credentials (a session
    token included), so every test here also shows what a hook could see of them."""
    with Emulator(
        access_key_id=KEY_ID,
        secret_access_key=SECRET,
        session_token=TOKEN,
        engagements=[wire_engagement(n) for n in range(250)],
    ) as emulator:
        yield emulator


MakeClient = Callable[..., Any]


@pytest.fixture
def make_client(emu: Emulator, client_kind: str) -> Iterator[MakeClient]:
    """Clients of either kind on the emulator (async ones driven through tests._clients);
    retry sleeps are recorded in ``client.sleeps``, not slept."""
    made: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("max_backoff", 0.01)
        client = clients.record_sleeps(clients.from_emulator(emu, client_kind, **kwargs))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
