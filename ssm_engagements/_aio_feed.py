"""AsyncEngagementFeed: the asyncio driver of a ``_follow.Follow`` (see ``_feed``).

Checkpoint writes run in a worker thread (``asyncio.to_thread``): each is small, but
it ends with two fsyncs, which take milliseconds on a local disk and far longer on a
busy or networked one, and the event loop must not stall for them. asyncio is
imported at the first use, so ``import ssm_engagements`` does not load it.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._checkpoint import CheckpointFile
    from ._follow import Follow
from ._feed import Action, FeedBase, ListPages
from ._models import EngagementEvent


class AsyncEngagementFeed(FeedBase, AsyncIterator[EngagementEvent]):
    """Async-iterates EngagementEvent as engagements start and stop; never ends by itself.

    Returned by ``AsyncEngagementsClient.follow_engagements``; behaves as
    ``EngagementFeed`` with ``async for``, ``async with`` and ``await aclose()``.
    Sleeps with ``asyncio.sleep`` and writes the checkpoint in a worker thread, so the
    event loop never blocks. Iterate it from one task at a time; cancelling that task
    leaves the feed usable (the poll it interrupted is made again).
    """

    __slots__ = ("_sleep",)

    def __init__(
        self, state: Follow, list_pages: ListPages, checkpoint: CheckpointFile | None
    ) -> None:
        super().__init__(state, list_pages, checkpoint)
        self._sleep: Callable[[float], Awaitable[object]] | None = None

    def __aiter__(self) -> AsyncEngagementFeed:
        return self

    async def __anext__(self) -> EngagementEvent:
        if self._closed:
            raise StopAsyncIteration
        plan = self._next_plan()
        try:
            action = next(plan)
            while True:
                try:
                    await self._do(action)
                except BaseException as err:
                    action = plan.throw(err)
                else:
                    action = next(plan)
        except StopIteration as done:
            event: EngagementEvent = done.value
            return event

    async def _do(self, action: Action) -> None:
        import asyncio

        if isinstance(action, datetime):
            async for page in self._window(action):
                self._state.accept(page.engagements)
        elif isinstance(action, functools.partial):
            await asyncio.to_thread(action)
        else:
            await (self._sleep or asyncio.sleep)(action)

    async def aclose(self) -> None:
        """Stop following: the event last returned counts as delivered (the checkpoint
        records it, written in a worker thread), and the checkpoint's lock is released.
        Idempotent.

        Raises:
            ConfigurationError: the checkpoint could not be written (the lock is
                released all the same).
        """
        await self._close(delivered=True)

    async def _close(self, *, delivered: bool) -> None:
        import asyncio

        for save in self._close_plan(delivered):
            await asyncio.to_thread(save)

    async def __aenter__(self) -> AsyncEngagementFeed:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Left by an exception, the event in hand may not have been handled: it stays
        # undelivered, for a restart.
        await self._close(delivered=exc is None)


__all__ = ["AsyncEngagementFeed"]
