"""AsyncEngagementFeed: the asyncio driver of a ``_follow.Follow`` (see ``_feed``).

Checkpoint writes run in a worker thread (``asyncio.to_thread``): each is small, but
it ends with two fsyncs, which take milliseconds on a local disk and far longer on a
busy or networked one, and the event loop must not stall for them. asyncio is
imported at the first use, so ``import ssm_engagements`` does not load it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._checkpoint import CheckpointFile
from ._feed import FeedBase, ListPages
from ._follow import Follow, Wait
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
        import asyncio

        state, clock = self._state, self._clock
        sleep = self._sleep or asyncio.sleep
        try:
            save = self._taken()
            if save is not None:
                await asyncio.to_thread(save[0].write, save[1])
            while True:
                step = state.next_step(clock())
                if isinstance(step, EngagementEvent):
                    return step
                if isinstance(step, Wait):
                    await sleep(step.seconds)
                    continue
                try:
                    async for page in self._window(step.start):
                        state.accept(page.engagements)
                except Exception as err:
                    state.poll_failed(err, clock())
                    continue
                state.poll_succeeded(clock())
        except Exception:
            self._end()
            raise

    async def aclose(self) -> None:
        """Stop following: the event last returned counts as delivered (the checkpoint
        records it, written in a worker thread), and the checkpoint's lock is released.
        Idempotent.

        Raises:
            ConfigurationError: the checkpoint could not be written (the lock is
                released all the same).
        """
        if self._closed:
            return
        import asyncio

        try:
            save = self._taken()
            if save is not None:
                await asyncio.to_thread(save[0].write, save[1])
        finally:
            self._end()

    async def __aenter__(self) -> AsyncEngagementFeed:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            await self.aclose()
        else:
            # The event in hand may not have been handled: keep it for a restart.
            self._end()


__all__ = ["AsyncEngagementFeed"]
