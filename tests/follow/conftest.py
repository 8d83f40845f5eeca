"""Fixtures and helpers for following engagements against the emulator.

No outcome depends on the machine's speed: the test thread knows a poll happened by
watching the emulator's request log, feeds sleep at most a few milliseconds between
polls (their sleeps are recorded), and the only wall-clock limits are generous
safety nets that turn a bug into a failure instead of a hang.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ssm_engagements.emulator import Emulator
from tests._clients import from_emulator, record_sleeps, set_feed_sleep

SAFETY_NET_SECONDS = 60.0


class Idle(Exception):
    """Raised from a feed's sleep once a test has seen enough quiet polls."""


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def emu_now(emu: Emulator) -> datetime:
    """The emulator's clock as an aware datetime, whole milliseconds."""
    now = datetime.fromtimestamp(emu.now(), timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def wire(name: str, start: datetime, stop: datetime | None = None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "EngagementArn": f"arn:aws:ssm-contacts:us-east-1:111122223333:engagement/ana/{name}",
        "ContactArn": "arn:aws:ssm-contacts:us-east-1:111122223333:contact/ana",
        "Sender": "pager",
        "StartTime": start,
        **extra,
    }
    if stop is not None:
        item["StopTime"] = stop
    return item


def arn(name: str) -> str:
    return f"arn:aws:ssm-contacts:us-east-1:111122223333:engagement/ana/{name}"


def polls(emu: Emulator) -> int:
    """ListEngagements requests the emulator has received."""
    return len(emu.requests)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SAFETY_NET_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"safety net: still waiting for {what}")
        time.sleep(0.001)


class Sleeps:
    """A feed's sleeps: recorded, each cut to 2 ms, and raising Idle after ``idle_after``
    more of them once armed (to prove nothing else comes)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._left: int | None = None
        self._deadline = time.monotonic() + SAFETY_NET_SECONDS

    def arm(self, sleeps: int) -> None:
        self._left = sleeps

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        if self._left is not None:
            self._left -= 1
            if self._left <= 0:
                raise Idle
        if time.monotonic() > self._deadline:
            raise AssertionError("safety net: the feed produced no event")
        time.sleep(min(seconds, 0.002))


def guarded(feed: Any) -> Sleeps:
    sleeps = Sleeps()
    set_feed_sleep(feed, sleeps)
    return sleeps


def client_for(emu: Emulator, kind: str, **kwargs: Any) -> Any:
    """A client of either kind on ``emu`` whose retry sleeps are recorded, not slept."""
    return record_sleeps(from_emulator(emu, kind, **kwargs))


class Operator(threading.Thread):
    """Runs actions on the emulator from another thread, each once the feed has sent
    at least one more request since the previous action (so each lands while the
    feed is following)."""

    def __init__(self, emu: Emulator, actions: list[Callable[[], object]]) -> None:
        super().__init__(daemon=True)
        self.emu = emu
        self.actions = actions
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for action in self.actions:
                seen = polls(self.emu)
                wait_until(lambda seen=seen: polls(self.emu) > seen, "a poll")
                action()
        except BaseException as err:  # reported by finish()
            self.error = err

    def finish(self) -> None:
        self.join(SAFETY_NET_SECONDS)
        assert not self.is_alive()
        if self.error is not None:
            raise self.error


def after(start: datetime, seconds: float) -> datetime:
    return start + timedelta(seconds=seconds)
