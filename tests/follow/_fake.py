"""A fake service and clock for the sans-I/O feed: polls answered from a list."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs

from ssm_engagements import Engagement, EngagementEvent
from ssm_engagements._follow import Follow

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    """T0 plus seconds."""
    return T0 + timedelta(seconds=seconds)


def eng(name: str, start: float, stop: float | None = None) -> Engagement:
    """An engagement named ``arn:<name>`` starting ``start`` seconds after T0."""
    return Engagement(
        engagement_arn=f"arn:{name}",
        contact_arn="arn:contact/ana",
        sender="pager",
        start_time=at(start),
        stop_time=None if stop is None else at(stop),
    )


def follow(since: float = 0.0, **kw: float) -> Follow:
    args = {"lookback": 600.0, "track_open_for": 86400.0, "poll_interval": 30.0, **kw}
    return Follow(
        incident_id=None,
        since_us=round(at(since).timestamp() * 1e6),
        lookback=args["lookback"],
        track_open_for=args["track_open_for"],
        poll_interval=args["poll_interval"],
    )


class Service:
    """Engagements by ARN; a poll lists those that started at or after its start,
    newest first, in pages of ``page_size``."""

    def __init__(self, page_size: int = 100) -> None:
        self.items: dict[str, Engagement] = {}
        self.page_size = page_size
        self.starts: list[datetime] = []  # every poll's window start

    def add(self, *items: Engagement) -> None:
        for item in items:
            self.items[item.engagement_arn] = item

    def stop(self, name: str, when: float) -> None:
        arn = f"arn:{name}"
        self.items[arn] = attrs.evolve(self.items[arn], stop_time=at(when))

    def pages(self, start: datetime) -> list[list[Engagement]]:
        self.starts.append(start)
        match = [e for e in self.items.values() if e.start_time and e.start_time >= start]
        match.sort(key=lambda e: e.start_time or start, reverse=True)
        size = self.page_size
        return [match[i : i + size] for i in range(0, len(match), size)] or [[]]


def poll(f: Follow, service: Service, now: float) -> list[EngagementEvent]:
    """Make one poll at ``now`` (seconds after T0) and take all its events."""
    clock = at(now).timestamp()
    f.take()
    step = f.next_step(clock)
    assert isinstance(step, datetime), step
    for page in service.pages(step):
        f.accept(page)
    f.poll_succeeded(clock)
    return drain(f, clock)


def drain(f: Follow, clock: float) -> list[EngagementEvent]:
    """Take every queued event; the step after them must be a wait."""
    events: list[EngagementEvent] = []
    while True:
        f.take()
        step = f.next_step(clock)
        if not isinstance(step, EngagementEvent):
            assert type(step) is float, step
            return events
        events.append(step)


def names(events: list[EngagementEvent]) -> list[str]:
    """Events as "started:a", "stopped:b"."""
    return [f"{e.kind}:{e.engagement.engagement_arn.removeprefix('arn:')}" for e in events]
