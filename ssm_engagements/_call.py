"""The blocking driver of the call plan (see _core): sends with the urllib3 transport,
sleeps with time.sleep, loads credentials inline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._models import ListEngagementsResponse
from ._wire import Send, Sleep, Step

if TYPE_CHECKING:
    from ._config import CredentialSource
    from ._core import CallCore
    from ._transport import Transport


class Caller:
    """Runs ListEngagements calls of one EngagementsClient on its CallCore; safe to
    share between threads. ``sleep`` (seconds) is replaceable for tests."""

    asynchronous = False
    """Whether ``sleep`` is an async function."""

    def __init__(
        self,
        core: CallCore,
        transport: Transport,
        credentials: CredentialSource,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.core = core
        self._transport = transport
        self._credentials = credentials
        self.sleep = sleep

    def close(self) -> None:
        """Close pooled connections; a later call reconnects."""
        self._transport.close()

    def call(self, body: bytes) -> ListEngagementsResponse:
        """One call with its retries. Raises the final error."""
        plan = self.core.plan(body)
        try:
            step = next(plan)
            while True:
                try:
                    reply = self._perform(step)
                except BaseException as exc:  # KeyboardInterrupt too: the plan ends on it
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

    def _perform(self, step: Step) -> object:
        """Do what step asks; its result."""
        if isinstance(step, Send):
            return self._transport.send(step.request)
        if isinstance(step, Sleep):
            return self.sleep(step.seconds)
        return self._credentials.for_signing()
