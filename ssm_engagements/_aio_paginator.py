"""Async auto-pagination: ``async for`` over pages or engagements, driven by a Walk.

The walk (_walk) decides what to request and where a resume continues; these
iterators only await the pages it asks for. Resume tokens are described in _tokens.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from ._models import Engagement, ListEngagementsResponse
from ._paginator import Resumable
from .errors import SSMContactsError

T = TypeVar("T")

AsyncFetch = Callable[[int | None, str | None], Awaitable[ListEngagementsResponse]]
"""list_engagements bound to the filters: (max_results, next_token) -> awaitable page."""


class _AsyncIterator(Resumable, AsyncIterator[T]):
    __slots__ = ()

    def __aiter__(self) -> _AsyncIterator[T]:
        return self

    async def _next_page(self) -> bool:
        """Fetch the next page into the walk; False when iteration is over. Errors get
        the resume token."""
        walk = self._walk
        try:
            request = walk.next_request()
            if request is None:
                return False
            walk.accept(await self._fetch(*request))
        except SSMContactsError as err:
            err.resume_token = walk.resume_token
            raise
        return True


class AsyncPageIterator(_AsyncIterator[ListEngagementsResponse]):
    """Async-iterates pages (ListEngagementsResponse); ``.resume_token`` continues after
    the last. Returned by ``AsyncEngagementsClient.iter_pages``; raises what
    ``PageIterator`` raises, from ``async for``."""

    __slots__ = ()

    async def __anext__(self) -> ListEngagementsResponse:
        if not await self._next_page():
            raise StopAsyncIteration
        return self._walk.take_held_page()


class AsyncEngagementIterator(_AsyncIterator[Engagement]):
    """Async-iterates engagements across pages; ``.resume_token`` continues after the
    last. Returned by ``AsyncEngagementsClient.iter_engagements``; raises what
    ``EngagementIterator`` raises, from ``async for``."""

    __slots__ = ()

    async def __anext__(self) -> Engagement:
        walk = self._walk
        while walk.index >= walk.end:
            if not await self._next_page():
                raise StopAsyncIteration
        index = walk.index
        walk.index = index + 1
        return walk.items[index]


__all__ = ["AsyncEngagementIterator", "AsyncFetch", "AsyncPageIterator"]
