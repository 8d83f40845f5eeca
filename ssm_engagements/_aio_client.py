"""AsyncEngagementsClient: the asyncio client, on the same core as EngagementsClient."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from ._aio_call import AsyncCaller
from ._aio_paginator import AsyncEngagementIterator, AsyncFetch, AsyncPageIterator
from ._client import ClientBase
from ._models import ListEngagementsResponse, TimeRange

if TYPE_CHECKING:
    from ._config import ClientConfig, CredentialSource
    from ._walk import Walk


class AsyncEngagementsClient(ClientBase):
    """The asyncio client for ListEngagements: ``EngagementsClient``'s arguments,
    configuration, errors, retries and resume tokens, with ``await`` and ``async for``.

    Needs the ``aio`` extra (``pip install 'ssm-engagements[aio]'``, which brings
    aiohttp); asyncio only (aiohttp does not run on trio). One client serves any number
    of concurrent tasks on the event loop it is first used on; close it with
    ``await client.close()`` or ``async with``. Credentials are resolved and refreshed
    in a worker thread, so the event loop never blocks on them.

    Takes the same arguments as :class:`EngagementsClient`.

    Raises:
        ConfigurationError: what EngagementsClient raises, and when aiohttp is not
            installed (the message names the extra).
    """

    _caller: AsyncCaller

    def _make_caller(self, config: ClientConfig, credentials: CredentialSource) -> AsyncCaller:
        return AsyncCaller(config, credentials, self._hooks)

    async def __aenter__(self) -> AsyncEngagementsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close pooled connections. The client stays usable; it reconnects when needed.

        Never raises. Leaving an ``async with`` block calls it.
        """
        await self._caller.close()

    async def list_engagements(
        self,
        *,
        incident_id: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        time_range: TimeRange | None = None,
    ) -> ListEngagementsResponse:
        """Fetch one page of engagements (one request, plus retries).

        Arguments, result and errors as :meth:`EngagementsClient.list_engagements`;
        a ParamValidationError is raised before anything is sent.
        """
        body = self._list_body(incident_id, max_results, next_token, time_range)
        return await self._caller.call(body)

    def iter_pages(
        self,
        *,
        incident_id: str | None = None,
        time_range: TimeRange | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
    ) -> AsyncPageIterator:
        """An async iterator of pages (``async for page in client.iter_pages(...)``).

        Arguments and errors as :meth:`EngagementsClient.iter_pages`: bad arguments
        raise ParamValidationError from this call; nothing is sent until the first
        page is awaited. The iterator and its errors carry ``.resume_token``.
        """
        walk, fetch = self._iteration(incident_id, time_range, page_size, max_items, starting_token)
        return AsyncPageIterator(walk, fetch)

    def iter_engagements(
        self,
        *,
        incident_id: str | None = None,
        time_range: TimeRange | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
    ) -> AsyncEngagementIterator:
        """An async iterator of engagements across pages (``async for``).

        Arguments and errors as :meth:`EngagementsClient.iter_engagements`;
        ``.resume_token`` continues exactly after the last engagement yielded, with
        either client, also after a cancellation.
        """
        walk, fetch = self._iteration(incident_id, time_range, page_size, max_items, starting_token)
        return AsyncEngagementIterator(walk, fetch)

    def _iteration(
        self,
        incident_id: object,
        time_range: object,
        page_size: object,
        max_items: object,
        starting_token: object,
    ) -> tuple[Walk, AsyncFetch]:
        walk, body = self._walk(incident_id, time_range, page_size, max_items, starting_token)
        caller = self._caller

        async def fetch(max_results: int | None, token: str | None) -> ListEngagementsResponse:
            return await caller.call(body(max_results, token))

        return walk, fetch
