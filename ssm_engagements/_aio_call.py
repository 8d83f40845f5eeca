"""The asyncio driver of the call plan (see _core): sends with the aiohttp transport,
sleeps with asyncio.sleep, loads credentials off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from ._models import ListEngagementsResponse
from ._wire import Send, Sleep, Step
from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._aio_transport import AioTransport
    from ._config import CredentialSource
    from ._core import CallCore

T = TypeVar("T")


class AsyncCaller:
    """Runs ListEngagements calls of one AsyncEngagementsClient on its CallCore, on one
    event loop; any number of its tasks may call at once. ``sleep`` (an async function
    of seconds) is replaceable for tests."""

    asynchronous = True
    """Whether ``sleep`` is an async function."""

    def __init__(
        self,
        core: CallCore,
        transport: AioTransport,
        credentials: CredentialSource,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.core = core
        self._transport = transport
        self._credentials = credentials
        self.sleep = sleep
        self._loop: asyncio.AbstractEventLoop | None = None
        # Blocking work the async client does in a worker thread: resolving or
        # refreshing credentials, and the first request's imports and disk reads.
        self._resolve_credentials = _OffLoop(credentials.for_signing)
        self._first_use = _OffLoop(self._prepare_blocking)
        self._prepared = False

    def _check_loop(self) -> None:
        """Bind to the running loop at first use; refuse another live loop (its pooled
        connections belong to the first), rebind when the first has closed."""
        loop = asyncio.get_running_loop()
        bound = self._loop
        if bound is loop:
            return
        if bound is not None and not bound.is_closed():
            raise ConfigurationError(
                "This AsyncEngagementsClient is in use on another event loop; an async "
                "client serves one loop (make one client per loop or thread)"
            )
        self._transport.drop()  # its connections died with the old loop
        self._loop = loop

    def _prepare_blocking(self) -> None:
        """The first request's imports (aiohttp, botocore's signer) and disk reads (the
        CA bundle): blocking work, run once, in a worker thread."""
        self.core.prepare()
        self._transport.prepare()

    async def close(self) -> None:
        """Close pooled connections; a later call reconnects."""
        await self._transport.close()

    async def call(self, body: bytes) -> ListEngagementsResponse:
        """One call with its retries. Raises the final error."""
        self._check_loop()
        if not self._prepared:
            await self._first_use.run()
            self._prepared = True
        plan = self.core.plan(body)
        try:
            step = next(plan)
            while True:
                try:
                    reply = await self._perform(step)
                except BaseException as exc:  # a cancellation too: the plan ends on it
                    # Scrubbed before the plan (and its hooks) see it.
                    step = plan.throw(self.core.scrubbed(exc, self._credentials))
                else:
                    step = plan.send(reply)
        except StopIteration as done:
            page: ListEngagementsResponse = done.value
            return page
        except BaseException as exc:  # the one exit of every error: no secret leaves
            error = self.core.scrubbed(exc, self._credentials)
        raise error  # outside the handler, so a stand-in does not chain the original

    async def _perform(self, step: Step) -> object:
        """Do what step asks; its result."""
        if isinstance(step, Send):
            return await self._transport.send(step.request)
        if isinstance(step, Sleep):
            await self.sleep(step.seconds)
            return None
        credentials = self._credentials
        if not credentials.may_block():
            return credentials.for_signing()
        return await self._resolve_credentials.run()


class _OffLoop(Generic[T]):
    """Blocking work run in the loop's default executor, once for all the tasks that
    await it while it runs; each later run() starts it anew. A waiter's cancellation
    does not cancel the work the others wait for."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._pending: asyncio.Future[T] | None = None

    async def run(self) -> T:
        """work()'s result, or what it raised."""
        loop = asyncio.get_running_loop()
        pending = self._pending
        if pending is None or pending.get_loop() is not loop:
            pending = self._pending = loop.run_in_executor(None, self._work)
            pending.add_done_callback(self._clear)
        return await asyncio.shield(pending)

    def _clear(self, done: asyncio.Future[T]) -> None:
        if self._pending is done:
            self._pending = None
        if not done.cancelled():
            done.exception()  # retrieved: no "exception was never retrieved" warning
