"""The asyncio driver of the call plan (see _core): sends with the aiohttp transport,
sleeps with asyncio.sleep, loads credentials off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from ._aio_transport import AioTransport
from ._core import CallCore, Send, Sleep, Step
from ._models import ListEngagementsResponse
from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._config import ClientConfig, CredentialSource


class AsyncCaller(CallCore):
    """Runs ListEngagements calls for one AsyncEngagementsClient, on one event loop; any
    number of its tasks may call at once.

    ``sleep`` (an async function of seconds) is a seam for tests.
    """

    def __init__(
        self, config: ClientConfig, credentials: CredentialSource, hooks: Sequence[object] = ()
    ) -> None:
        super().__init__(config, credentials, hooks)
        self._transport = AioTransport(config)
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._loop: asyncio.AbstractEventLoop | None = None
        self._prepared: asyncio.Future[None] | None = None

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

    async def _prepare(self) -> None:
        """The first request's imports and disk reads (botocore's signer, the CA bundle),
        in a worker thread, once for all the tasks that start together."""
        pending = self._prepared
        if pending is None or pending.get_loop() is not self._loop:
            loop = asyncio.get_running_loop()
            pending = self._prepared = loop.run_in_executor(None, self._prepare_blocking)
        try:
            await asyncio.shield(pending)
        except BaseException:
            if pending.done() and not pending.cancelled() and pending.exception() is not None:
                self._prepared = None  # failed (a bad CA bundle): the next call tries again
            raise

    def _prepare_blocking(self) -> None:
        self.prepare()
        self._transport.prepare()

    async def close(self) -> None:
        """Close pooled connections; a later call reconnects."""
        await self._transport.close()

    async def call(self, body: bytes) -> ListEngagementsResponse:
        """One call with its retries. Raises the final error."""
        self._check_loop()
        if self._prepared is None or not self._prepared.done():
            await self._prepare()
        plan = self.plan(body)
        reply: object = None
        while True:
            try:
                step = plan.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            reply = await self._perform(step)

    async def _perform(self, step: Step) -> object:
        """Do what step asks; its result, or the exception it raised (the plan decides:
        a cancellation is re-raised after the hooks are told)."""
        try:
            if isinstance(step, Send):
                return await self._transport.send(step.request)
            if isinstance(step, Sleep):
                await self.sleep(step.seconds)
                return None
            return await self._credentials.for_signing_async()
        except BaseException as exc:
            return exc
