"""AsyncEngagementsClient: the asyncio client, on the same core as EngagementsClient."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from ._aio_feed import AsyncEngagementFeed
from ._aio_paginator import AsyncEngagementIterator, AsyncFetch, AsyncPageIterator
from ._client import Body, ClientBase
from ._models import ListEngagementsResponse, TimeRange

if TYPE_CHECKING:
    from ._aio_call import AsyncCaller
    from ._config import ClientConfig, CredentialSource


class AsyncEngagementsClient(
    ClientBase[AsyncPageIterator, AsyncEngagementIterator, AsyncEngagementFeed]
):
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
    _page_iterator = AsyncPageIterator
    _engagement_iterator = AsyncEngagementIterator
    _feed = AsyncEngagementFeed

    def _make_caller(self, config: ClientConfig, credentials: CredentialSource) -> AsyncCaller:
        # Imported here: asyncio, ssl and the aiohttp transport cost ~30 ms to import,
        # which users of the blocking client should not pay.
        from ._aio_call import AsyncCaller

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

    def _fetch(self, body: Body) -> AsyncFetch:
        caller = self._caller

        async def fetch(max_results: int | None, token: str | None) -> ListEngagementsResponse:
            return await caller.call(body(max_results, token))

        return fetch
