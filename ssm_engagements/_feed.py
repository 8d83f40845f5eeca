"""EngagementFeed: the blocking driver of a ``_follow.Follow``; what both feeds share.

``FeedBase`` turns each step of iteration, and closing, into a plan (a generator, in
the style of ``_core``) that yields the I/O it needs: a checkpoint write
(``functools.partial``), a sleep (a float of seconds) or a poll (the datetime its
window starts at); the driver throws in what that I/O raised. The drivers,
this module's ``EngagementFeed`` and ``_aio_feed.AsyncEngagementFeed``, only do that
I/O, blocking or with ``await``; neither decides anything.
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Callable, Generator, Iterator
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias

from ._models import (
    EngagementEvent,
    TimeRange,
    _aware_utc,  # pyright: ignore[reportPrivateUsage]
)
from ._params import check_incident_id
from .errors import ConfigurationError, ParamValidationError

if TYPE_CHECKING:
    from ._checkpoint import CheckpointFile
    from ._follow import Follow

ListPages = Callable[..., Any]
"""The client's iter_pages with the feed's incident_id bound; called with time_range."""

Action: TypeAlias = "functools.partial[None] | float | datetime"
"""I/O a plan asks for: write the checkpoint (call it), sleep (seconds), or poll (list
every page from that window start into ``Follow.accept``)."""


def _seconds(param: str, value: object, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamValidationError(
            param=param, rule="must be a number of seconds (int or float, not bool)", value=value
        )
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        rule = "must be finite and >= 0" if allow_zero else "must be finite and > 0"
        raise ParamValidationError(param=param, rule=rule, value=value)
    return number


def _checkpoint_path(value: object) -> str | None:
    if value is None:
        return None
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if not isinstance(path, str) or not path:
        raise ParamValidationError(
            param="checkpoint",
            rule="must be a non-empty str or os.PathLike path to a file, or None",
            value=value,
        )
    return path


def open_follow(
    *,
    incident_id: object,
    since: object,
    poll_interval: object,
    lookback: object,
    track_open_for: object,
    checkpoint: object,
    now: float,
) -> tuple[Follow, CheckpointFile | None]:
    """Check follow_engagements' arguments, then lock and read the checkpoint.

    Raises:
        ParamValidationError: a bad argument (nothing is opened).
        ConfigurationError: naming the checkpoint: held by another live feed,
            unreadable, corrupt, or written for another incident_id.
    """
    # The feed's logic loads only when a feed is made: importing the package stays cheap.
    from ._follow import CheckpointMismatch, Follow, to_us

    incident = check_incident_id(incident_id)
    interval = _seconds("poll_interval", poll_interval, allow_zero=False)
    back = _seconds("lookback", lookback, allow_zero=True)
    track = _seconds("track_open_for", track_open_for, allow_zero=False)
    start = _aware_utc("since", since)
    path = _checkpoint_path(checkpoint)
    state = Follow(
        incident_id=incident,
        since_us=to_us(start) if start is not None else round(now * 1e6),
        lookback=back,
        track_open_for=track,
        poll_interval=interval,
    )
    if path is None:
        return state, None
    from ._checkpoint import CheckpointFile  # tempfile and fcntl: only with a checkpoint

    file = CheckpointFile(path)
    try:
        found, data = file.read()
        if found:
            state.restore(data)
    except CheckpointMismatch as err:
        file.close()
        raise ConfigurationError(f"cannot continue from the checkpoint {path!r}: {err}") from None
    except BaseException:
        file.close()
        raise
    return state, file


class FeedBase:
    """What both feeds share: the state, the checkpoint, closing."""

    __slots__ = ("__weakref__", "_checkpoint", "_clock", "_closed", "_list_pages", "_state")

    def __init__(
        self, state: Follow, list_pages: ListPages, checkpoint: CheckpointFile | None
    ) -> None:
        self._state = state
        self._list_pages = list_pages
        self._checkpoint = checkpoint
        self._closed = False
        self._clock: Callable[[], float] = time.time

    @property
    def checkpoint(self) -> str | None:
        """The checkpoint file's path as given (``os.fspath``), or None without one."""
        cp = self._checkpoint
        return None if cp is None else cp.path

    @property
    def incident_id(self) -> str | None:
        """The incident followed (its ARN), or None for every incident."""
        return self._state.incident_id

    @property
    def closed(self) -> bool:
        """True once closed, or ended by an error."""
        return self._closed

    def _window(self, start: datetime) -> Any:
        return self._list_pages(time_range=TimeRange(start_time=start))

    def _next_plan(self) -> Generator[Action, None, EngagementEvent]:
        """One ``next()``: the caller came back, so its event is delivered (and the
        checkpoint written); then poll and wait until there is an event to return.
        The driver throws in what an action raised; an error ends the feed, an
        interrupt or a cancellation leaves it usable."""
        state, clock = self._state, self._clock
        try:
            save = self._save_taken()
            if save is not None:
                yield save
            while True:
                step = state.next_step(clock())
                if isinstance(step, EngagementEvent):
                    return step
                if isinstance(step, datetime):
                    try:
                        yield step
                    except Exception as err:
                        state.poll_failed(err, clock())  # raises what ends the feed
                        continue
                    state.poll_succeeded(clock())
                else:
                    yield step
        except Exception:
            self._end()
            raise

    def _close_plan(self, delivered: bool) -> Iterator[functools.partial[None]]:
        """Close: the checkpoint write to make first when the event in the caller's
        hands counts as delivered (a normal close); then release the lock."""
        if self._closed:
            return
        try:
            save = self._save_taken() if delivered else None
            if save is not None:
                yield save
        finally:
            self._end()

    def _save_taken(self) -> functools.partial[None] | None:
        """Mark the event in the caller's hands delivered; the checkpoint write that
        records it, or None when there is nothing to write."""
        cp = self._checkpoint
        if self._state.take() and cp is not None:
            return functools.partial(cp.write, self._state.snapshot())
        return None

    def _end(self) -> None:
        self._closed = True
        cp = self._checkpoint
        if cp is not None:
            cp.close()

    def __del__(self) -> None:
        # Collected without close(): release the lock; the event in the caller's hands
        # is not known to be delivered, so the checkpoint is left as it was.
        cp = getattr(self, "_checkpoint", None)
        if cp is not None:
            cp.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return (
            f"<{type(self).__name__} {state} incident_id={self.incident_id!r} "
            f"checkpoint={self.checkpoint!r}>"
        )


class EngagementFeed(FeedBase, Iterator[EngagementEvent]):
    """Iterates EngagementEvent as engagements start and stop; never ends by itself.

    Returned by ``EngagementsClient.follow_engagements``. Each ``next()`` returns the
    next event, polling (every page of the window, then ``poll_interval`` seconds of
    sleep) until there is one. Coming back for the next event delivers the previous
    one: with a checkpoint, that is when the file is written. A context manager;
    ``close()`` releases the checkpoint, after which ``next()`` raises StopIteration.

    ``next()`` raises the errors of ``list_engagements`` that retrying cannot fix
    (a poll that still fails with a retryable one is logged and tried again after a
    back-off of at most 5 minutes), and ConfigurationError when the checkpoint cannot
    be written; such an error ends the feed.
    """

    __slots__ = ("_sleep",)

    def __init__(
        self, state: Follow, list_pages: ListPages, checkpoint: CheckpointFile | None
    ) -> None:
        super().__init__(state, list_pages, checkpoint)
        self._sleep: Callable[[float], object] = time.sleep

    def __iter__(self) -> EngagementFeed:
        return self

    def __next__(self) -> EngagementEvent:
        if self._closed:
            raise StopIteration
        plan = self._next_plan()
        try:
            action = next(plan)
            while True:
                try:
                    self._do(action)
                except BaseException as err:
                    action = plan.throw(err)
                else:
                    action = next(plan)
        except StopIteration as done:
            event: EngagementEvent = done.value
            return event

    def _do(self, action: Action) -> None:
        if isinstance(action, datetime):
            for page in self._window(action):
                self._state.accept(page.engagements)
        elif isinstance(action, functools.partial):
            action()
        else:
            self._sleep(action)

    def close(self) -> None:
        """Stop following: the event last returned counts as delivered (the checkpoint
        records it), and the checkpoint's lock is released. Idempotent.

        Raises:
            ConfigurationError: the checkpoint could not be written (the lock is
                released all the same).
        """
        for save in self._close_plan(delivered=True):
            save()

    def __enter__(self) -> EngagementFeed:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Left by an exception, the event in hand may not have been handled: it stays
        # undelivered, for a restart.
        for save in self._close_plan(delivered=exc is None):
            save()


__all__ = ["EngagementFeed", "FeedBase", "open_follow"]
