"""Both clients behind one blocking interface, so each behaviour test runs against both.

``make(kind, **kwargs)`` builds an EngagementsClient (kind "sync") or an
AsyncEngagementsClient driven from a background event loop (kind "async"): its
coroutines and async iterators run on that loop and their results or exceptions come
back unchanged, so a test written once asserts the same contract for both. Tests that
need ``await`` itself (cancellation, loop blocking) use the async client directly.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import ssm_engagements as se

T = TypeVar("T")
KINDS = ("sync", "async")


class _LoopThread:
    """One event loop on a daemon thread, shared by every async client in the session."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()


_loop: _LoopThread | None = None
_loop_lock = threading.Lock()


def loop_thread() -> _LoopThread:
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = _LoopThread()
        return _loop


class _SyncIterator(Iterator[T]):
    def __init__(self, it: Any, run: Callable[[Coroutine[Any, Any, T]], T]) -> None:
        self._it = it
        self._run = run

    @property
    def resume_token(self) -> str | None:
        token: str | None = self._it.resume_token
        return token

    def __iter__(self) -> _SyncIterator[T]:
        return self

    def __next__(self) -> T:
        async def step() -> T:
            it: AsyncIterator[T] = self._it
            return await it.__anext__()

        try:
            return self._run(step())
        except StopAsyncIteration:
            raise StopIteration from None


class SyncFeed(Iterator[Any]):
    """An AsyncEngagementFeed driven from the loop thread, used as an EngagementFeed:
    ``next()``, ``close()``, ``with``; other attributes are the async feed's."""

    def __init__(self, feed: se.AsyncEngagementFeed, run: Callable[[Any], Any]) -> None:
        self.afeed = feed
        self._run = run

    def __getattr__(self, name: str) -> Any:  # checkpoint, closed, incident_id, _state
        return getattr(self.afeed, name)

    def __iter__(self) -> SyncFeed:
        return self

    def __next__(self) -> se.EngagementEvent:
        try:
            event: se.EngagementEvent = self._run(self.afeed.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None
        return event

    def close(self) -> None:
        self._run(self.afeed.aclose())

    def __enter__(self) -> SyncFeed:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._run(self.afeed.__aexit__(*exc))


def set_feed_sleep(feed: Any, record: Callable[[float], object]) -> None:
    """Replace a feed's poll-interval and back-off sleep with record(seconds)."""
    if isinstance(feed, SyncFeed):

        async def sleep(seconds: float) -> None:
            record(seconds)

        feed.afeed._sleep = sleep
    else:
        feed._sleep = record


class BlockingAsyncClient:
    """An AsyncEngagementsClient used through EngagementsClient's blocking interface."""

    kind = "async"

    def __init__(self, client: se.AsyncEngagementsClient) -> None:
        self.aclient = client
        self._run = loop_thread().run

    def __getattr__(self, name: str) -> Any:  # region_name, endpoint_url, _caller, ...
        return getattr(self.aclient, name)

    def list_engagements(self, **kwargs: Any) -> se.ListEngagementsResponse:
        return self._run(self.aclient.list_engagements(**kwargs))

    def iter_pages(self, **kwargs: Any) -> _SyncIterator[se.ListEngagementsResponse]:
        return _SyncIterator(self.aclient.iter_pages(**kwargs), self._run)

    def iter_engagements(self, **kwargs: Any) -> _SyncIterator[se.Engagement]:
        return _SyncIterator(self.aclient.iter_engagements(**kwargs), self._run)

    def follow_engagements(self, **kwargs: Any) -> SyncFeed:
        return SyncFeed(self.aclient.follow_engagements(**kwargs), self._run)

    def close(self) -> None:
        self._run(self.aclient.close())

    def __enter__(self) -> BlockingAsyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self.aclient)


def wrap(client: Any) -> Any:
    """client as a blocking client: an async one wrapped, a sync one as it is."""
    return BlockingAsyncClient(client) if isinstance(client, se.AsyncEngagementsClient) else client


# Async clients made during the current test; the client_kind fixture closes them
# after it (an unclosed aiohttp session warns when collected).
made: list[BlockingAsyncClient] = []


def _track(client: se.AsyncEngagementsClient, track: bool = True) -> BlockingAsyncClient:
    wrapped = BlockingAsyncClient(client)
    if track:
        made.append(wrapped)
    return wrapped


def close_made() -> None:
    while made:
        made.pop().close()


def make(kind: str, *args: Any, track: bool = True, **kwargs: Any) -> Any:
    """An EngagementsClient ("sync") or a wrapped AsyncEngagementsClient ("async").

    Async ones are closed after the test unless ``track=False`` (for clients that
    outlive a test: the fixture that made them closes them)."""
    if kind == "sync":
        return se.EngagementsClient(*args, **kwargs)
    return _track(se.AsyncEngagementsClient(*args, **kwargs), track)


def from_emulator(emu: Any, kind: str, *, track: bool = True, **kwargs: Any) -> Any:
    """emu.client(**kwargs) or its async twin, wrapped (``track`` as for make)."""
    if kind == "sync":
        return emu.client(**kwargs)
    return _track(emu.async_client(**kwargs), track)


def set_sleep(client: Any, record: Callable[[float], object]) -> None:
    """Replace the client's retry sleep with record(seconds) (nothing is slept)."""
    caller = client._caller
    if isinstance(caller.sleep, type(asyncio.sleep)) or getattr(client, "kind", "") == "async":

        async def sleep(seconds: float) -> None:
            record(seconds)

        caller.sleep = sleep
    else:
        caller.sleep = record


def record_sleeps(client: Any) -> Any:
    """client, its retry sleeps recorded in ``client.sleeps`` instead of slept."""
    client.sleeps = []
    set_sleep(client, client.sleeps.append)
    return client
