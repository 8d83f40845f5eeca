"""The sans-I/O engagement feed behind ``follow_engagements``: every decision, no I/O.

A ``Follow`` is fed the pages of each poll and the current time by a driver
(``_feed.EngagementFeed``, blocking, or ``_aio_feed.AsyncEngagementFeed``) and tells it
what to do next (a ``Step``): hand out an event, poll from a window start, or wait.
Steps are plain values, so the drivers (imported with the package) need nothing from
this module, which loads at the first ``follow_engagements`` call. It owns the
window, the seen and tracked-open sets, event order, de-duplication, pruning, the
back-off schedule and the checkpoint's content (as plain data; ``_checkpoint`` does
the file I/O).

Delivery: events of a poll are queued; the event handed to the caller counts as
taken only when the caller comes back for the next one (``take``), and only taken
events change the remembered state that the window, pruning and the checkpoint are
made of. A crash therefore re-delivers at most the event in the caller's hands.

Times are integer microseconds since the epoch (UTC), so comparisons and the
checkpoint are exact; window starts are floored to the millisecond because the
request carries milliseconds, and the same floor decides what to forget.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from ._log import logger
from ._models import Engagement, EngagementEvent
from ._retry import is_retryable
from .errors import ServiceError, SSMContactsError

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)
_MS = 1000  # microseconds

MAX_BACKOFF_SECONDS = 300.0
"""The longest wait after failed polls (5 minutes)."""

CHECKPOINT_KIND = "ssm-engagements/follow-checkpoint"
CHECKPOINT_VERSION = 1


def to_us(value: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch."""
    return (value - _EPOCH) // _US


def from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def backoff_seconds(failures: int, poll_interval: float, hint: float | None = None) -> float:
    """Seconds to wait after ``failures`` (>= 1) polls in a row failed: the poll
    interval, doubled for each further failure, the server's hint as a floor, and
    never more than MAX_BACKOFF_SECONDS."""
    delay = poll_interval * 2.0 ** min(failures - 1, 64)
    if hint is not None:
        delay = max(delay, hint)
    return min(delay, MAX_BACKOFF_SECONDS)


Step = EngagementEvent | float | datetime
"""What a driver does next: hand out the event; sleep that many seconds (a float), then
ask again; or list every page of engagements that started at or after the datetime,
feeding each to ``accept``, then call ``poll_succeeded`` (or ``poll_failed``)."""


class CheckpointMismatch(ValueError):
    """A checkpoint that this feed cannot continue from; the message says why."""


class Follow:
    """One feed's state. Not thread-safe: one driver owns it.

    Args:
        incident_id: the feed's filter (None: every incident).
        since_us: report only engagements that started at or after this time.
        lookback: seconds before the newest start seen that each poll still lists,
            for engagements that show up late.
        track_open_for: seconds after its start an open engagement is still listed
            for its stop.
        poll_interval: seconds between polls.
    """

    __slots__ = (
        "_changes",
        "_failures",
        "_handed",
        "_heap",
        "_lookback_us",
        "_next_poll_at",
        "_oldest_open",
        "_open",
        "_poll_start",
        "_queue",
        "_seen",
        "_track_us",
        "dirty",
        "incident_id",
        "newest_us",
        "poll_interval",
        "since_us",
    )

    def __init__(
        self,
        *,
        incident_id: str | None,
        since_us: int,
        lookback: float,
        track_open_for: float,
        poll_interval: float,
    ) -> None:
        self.incident_id = incident_id
        self.since_us = since_us // _MS * _MS
        self._lookback_us = round(lookback * 1e6)
        self._track_us = round(track_open_for * 1e6)
        self.poll_interval = float(poll_interval)
        self.newest_us: int | None = None
        # Remembered (taken) state: ARN -> stopped?, with each start in a min-heap so
        # that forgetting what left the window costs only what is forgotten.
        self._seen: dict[str, bool] = {}
        self._heap: list[tuple[int, str]] = []
        self._open: dict[str, int] = {}  # tracked for their stop: ARN -> start
        self._oldest_open: int | None = None  # min of _open, cached
        self._queue: deque[EngagementEvent] = deque()
        self._handed: EngagementEvent | None = None
        self._changes: dict[str, Engagement] = {}
        self._next_poll_at: float | None = None
        self._poll_start = self.since_us
        self._failures = 0
        self.dirty = True  # the checkpoint on disk (if any) lags this state

    # -- what to do next -----------------------------------------------------------
    def next_step(self, now: float) -> Step:
        """The next event to hand out, else a poll to make, else a wait. ``now`` is
        epoch seconds. Call ``take`` first when the caller comes back for more."""
        queue = self._queue
        if queue:
            event = self._handed = queue.popleft()
            return event
        due = self._next_poll_at
        if due is not None and now < due:
            # A clock stepped backwards must not stretch one wait past an interval.
            return min(due - now, max(self.poll_interval, MAX_BACKOFF_SECONDS))
        self._changes = {}
        start = self._poll_start = self.window_start(round(now * 1e6))
        return from_us(start)

    def window_start(self, now_us: int) -> int:
        """Where the next poll starts (epoch microseconds, whole milliseconds): the
        earlier of the newest start seen minus lookback (never before ``since``) and
        the oldest tracked open engagement's start. Stops tracking open engagements
        older than ``track_open_for`` and forgets what started before the window."""
        oldest = self._oldest_open
        if oldest is not None and oldest < now_us - self._track_us:
            cutoff = now_us - self._track_us
            self._open = {arn: s for arn, s in self._open.items() if s >= cutoff}
            oldest = self._oldest_open = min(self._open.values(), default=None)
            self.dirty = True
        start = self.since_us
        if self.newest_us is not None:
            start = max(start, self.newest_us - self._lookback_us)
        if oldest is not None:
            start = min(start, oldest)
        start = start // _MS * _MS
        heap = self._heap
        if heap and heap[0][0] < start:
            seen = self._seen
            while heap and heap[0][0] < start:
                seen.pop(heapq.heappop(heap)[1], None)
            self.dirty = True
        return start

    # -- a poll's answers ----------------------------------------------------------
    def accept(self, engagements: Iterable[Engagement]) -> None:
        """One page of the current poll. Only what changes something is kept: an
        engagement not seen yet, or seen open and now stopped."""
        seen = self._seen
        changes = self._changes
        for item in engagements:
            stopped = seen.get(item.engagement_arn)
            if stopped is None:
                pass
            elif stopped or item.stop_time is None:
                continue
            earlier = changes.get(item.engagement_arn)
            # The same engagement on two pages (offset paging while items are added):
            # one change, the copy that knows it stopped.
            if earlier is None or earlier.stop_time is None:
                changes[item.engagement_arn] = item

    def poll_succeeded(self, now: float) -> None:
        """The poll listed every page: queue its events in start order (ties by ARN)."""
        self._failures = 0
        self._next_poll_at = now + self.poll_interval
        changes, self._changes = self._changes, {}
        if not changes:
            return
        # Nothing new that started before the window: it is before ``since``, or was
        # forgotten (and so reported) long ago.
        floor = max(self._poll_start, self.since_us)
        fallback = from_us(floor)
        ordered = sorted(
            changes.values(),
            key=lambda e: (e.start_time or fallback, e.engagement_arn),
        )
        queue = self._queue
        seen = self._seen
        for item in ordered:
            stopped = seen.get(item.engagement_arn)
            if stopped is None:
                start = item.start_time
                if start is not None and to_us(start) < floor:
                    continue
                queue.append(EngagementEvent("started", item))
            if item.stop_time is not None:
                queue.append(EngagementEvent("stopped", item))

    def poll_failed(self, error: BaseException, now: float) -> float:
        """A poll failed after the client's retries. Re-raises an error no retry can
        fix; otherwise logs a WARNING and returns the seconds until the next poll."""
        if not isinstance(error, SSMContactsError) or not is_retryable(error):
            raise error
        self._changes = {}
        self._failures += 1
        hint = error.retry_after_seconds if isinstance(error, ServiceError) else None
        delay = backoff_seconds(self._failures, self.poll_interval, hint)
        self._next_poll_at = now + delay
        text = str(error)
        name = type(error).__name__
        logger.warning(
            "follow_engagements: a poll failed (%s); polling again in %.3g s",
            text if text.startswith(name) else f"{name}: {text}",
            delay,
        )
        return delay

    # -- delivery ------------------------------------------------------------------
    def take(self) -> bool:
        """The caller came back: the event it holds is delivered. Returns True when the
        remembered state changed (the checkpoint should be written)."""
        event = self._handed
        if event is None:
            return self.dirty
        self._handed = None
        item = event.engagement
        arn = item.engagement_arn
        if event.kind == "started":
            # No start time (the service always sends one): remembered as starting
            # where its poll did, so it is forgotten in time.
            start = self._poll_start if item.start_time is None else to_us(item.start_time)
            self._remember(arn, start, stopped=False)
            if self.newest_us is None or start > self.newest_us:
                self.newest_us = start
        else:
            self._seen[arn] = True
            if self._open.pop(arn, None) is not None:
                self._oldest_open = min(self._open.values(), default=None)
        self.dirty = True
        return True

    def _remember(self, arn: str, start: int, *, stopped: bool) -> None:
        if arn not in self._seen:
            heapq.heappush(self._heap, (start, arn))
        self._seen[arn] = stopped
        if not stopped:
            self._open[arn] = start
            oldest = self._oldest_open
            if oldest is None or start < oldest:
                self._oldest_open = start

    @property
    def sizes(self) -> dict[str, int]:
        """How many items each internal collection holds (for memory checks)."""
        return {
            "seen": len(self._seen),
            "heap": len(self._heap),
            "open": len(self._open),
            "queue": len(self._queue),
            "changes": len(self._changes),
        }

    # -- checkpoint as data --------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The taken state as JSON-ready data; clears ``dirty``."""
        self.dirty = False
        seen = self._seen
        return {
            "kind": CHECKPOINT_KIND,
            "version": CHECKPOINT_VERSION,
            "incident_id": self.incident_id,
            "since_us": self.since_us,
            "newest_us": self.newest_us,
            "engagements": [[arn, start, seen[arn]] for start, arn in sorted(self._heap)],
        }

    def restore(self, data: object) -> None:
        """Continue from a snapshot. Raises CheckpointMismatch when it is not one, or
        was written for another incident_id."""
        if not isinstance(data, dict) or data.get("kind") != CHECKPOINT_KIND:
            raise CheckpointMismatch("not a follow_engagements checkpoint")
        fields: dict[str, Any] = data
        if fields.get("version") != CHECKPOINT_VERSION:
            raise CheckpointMismatch(f"unsupported version {fields.get('version')!r}")
        if fields.get("incident_id") != self.incident_id:
            raise CheckpointMismatch(
                f"written for incident_id={fields.get('incident_id')!r}, "
                f"not incident_id={self.incident_id!r}"
            )
        since, newest, items = (
            fields.get("since_us"),
            fields.get("newest_us"),
            fields.get("engagements"),
        )
        if type(since) is not int or not (newest is None or type(newest) is int):
            raise CheckpointMismatch("bad since_us or newest_us")
        if not isinstance(items, list):
            raise CheckpointMismatch("bad engagements")
        self.since_us, self.newest_us = since, newest
        for entry in items:
            if not (
                isinstance(entry, list)
                and len(entry) == 3
                and isinstance(entry[0], str)
                and type(entry[1]) is int
                and type(entry[2]) is bool
            ):
                raise CheckpointMismatch(f"bad engagement entry {str(entry)[:80]}")
            self._remember(entry[0], entry[1], stopped=entry[2])
        self.dirty = False


__all__ = [
    "MAX_BACKOFF_SECONDS",
    "CheckpointMismatch",
    "Follow",
    "Step",
    "backoff_seconds",
    "from_us",
    "to_us",
]
