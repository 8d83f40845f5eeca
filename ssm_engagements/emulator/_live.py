"""A paging incident played live into an emulator: what ``ssm-engagements follow --demo``
watches. New engagements start every few seconds and most of them stop a little later,
incident after incident, until the player is stopped.
"""

from __future__ import annotations

import heapq
import random
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Literal

import attrs

from .._demo_data import DEMO_INCIDENT_ID, incident_engagements
from ._emulator import Emulator

__all__ = ["LivePlayer", "Step", "live_script"]

_SENDERS = ("ssm-incidents", "ssm-incidents", "cli", "console")
_INCIDENTS = ("checkout-latency", "db-failover", "api-5xx", "queue-backlog", "dns-errors")


@attrs.frozen
class Step:
    """At ``at`` seconds into the play, start the engagement (``engagement``: wire shape
    without times) or stop the one with ARN ``engagement["EngagementArn"]``."""

    at: float
    action: Literal["start", "stop"]
    engagement: dict[str, str]


def live_script(seed: int | None = None) -> Iterator[Step]:
    """An endless story, the same for the same seed (None: a new one each time).

    Each incident pages two of the demo's contacts at once, then one more every 1.5 to
    4 seconds (six to nine in all); each stops (acknowledges) 3 to 12 seconds after it
    started, except about one in five, left open. The next incident follows 4 seconds
    after the last page of the one before. Steps come in time order.
    """
    rng = random.Random(seed)
    contacts = sorted({item["ContactArn"] for item in incident_engagements(60)})
    account_prefix = DEMO_INCIDENT_ID.split("incident-record/", 1)[0]
    stops: list[tuple[float, int, dict[str, str]]] = []  # (at, tie-breaker, engagement)
    serial = 0
    at = 0.5
    while True:
        name = rng.choice(_INCIDENTS)
        incident = f"{account_prefix}incident-record/{name}/{_uuid(rng)}"
        count = rng.randint(6, 9)
        for index in range(count):
            contact = rng.choice(contacts)
            base, resource = contact.split(":contact/", 1)
            engagement = {
                "EngagementArn": f"{base}:engagement/{resource}/{_uuid(rng)}",
                "ContactArn": contact,
                "Sender": rng.choice(_SENDERS),
                "IncidentId": incident,
            }
            while stops and stops[0][0] <= at:
                stop_at, _, stopped = heapq.heappop(stops)
                yield Step(stop_at, "stop", stopped)
            yield Step(at, "start", engagement)
            if rng.random() < 0.8:
                serial += 1
                heapq.heappush(stops, (at + rng.uniform(3.0, 12.0), serial, engagement))
            if index > 0:  # the first two are paged together
                at += rng.uniform(1.5, 4.0)
        at += 4.0


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _utc(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, timezone.utc)


class LivePlayer:
    """Plays ``script`` into ``emulator`` as time goes by: each step when its time comes,
    dated by ``clock`` (epoch seconds, UTC; default: the emulator's clock).

    ``speed`` > 1 plays faster (2.0: twice as fast). ``sleep(seconds)`` waits between
    steps (default: a wait that ``stop`` interrupts); tests pass a fake clock and sleep.
    """

    def __init__(
        self,
        emulator: Emulator,
        script: Iterable[Step],
        *,
        speed: float = 1.0,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0: {speed!r}")
        self.emulator = emulator
        self.speed = speed
        self._steps = iter(script)
        self._clock = emulator.now if clock is None else clock
        self._stopping = threading.Event()
        self._sleep = self._stopping.wait if sleep is None else sleep
        self._thread: threading.Thread | None = None
        self._origin: float | None = None

    def play(self, steps: int | None = None) -> int:
        """Play in this thread until stopped, the script ends, or ``steps`` steps were
        applied; returns how many were applied. Later calls continue where it left off."""
        if self._origin is None:
            self._origin = self._clock()
        done = 0
        while (steps is None or done < steps) and not self._stopping.is_set():
            step = next(self._steps, None)
            if step is None:
                break
            delay = self._origin + step.at / self.speed - self._clock()
            if delay > 0:
                self._sleep(delay)
                if self._stopping.is_set():
                    break
            now = _utc(self._clock())
            if step.action == "start":
                self.emulator.add_engagements({**step.engagement, "StartTime": now})
            else:
                self.emulator.stop_engagement(step.engagement["EngagementArn"], now)
            done += 1
        return done

    def start(self) -> LivePlayer:
        """Play in a daemon thread; returns self."""
        thread = threading.Thread(target=self.play, name="ssm-contacts-live-demo", daemon=True)
        self._thread = thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop playing (a step being applied completes first); waits up to 5 s."""
        self._stopping.set()
        self.wait(5.0)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (None: no limit) for the playing thread to end;
        True if it has (or never started)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()
