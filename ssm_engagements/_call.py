"""The blocking driver of the call plan (see _core): sends with the urllib3 transport,
sleeps with time.sleep, loads credentials inline."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ._core import CallCore, Send, Sleep, Step
from ._models import ListEngagementsResponse
from ._scrub import client_secrets, scrub
from ._transport import Transport

if TYPE_CHECKING:
    from ._config import ClientConfig, CredentialSource


class Caller(CallCore):
    """Runs ListEngagements calls for one EngagementsClient; safe to share between threads.

    ``sleep`` (seconds) is a seam for tests.
    """

    def __init__(
        self, config: ClientConfig, credentials: CredentialSource, hooks: Sequence[object] = ()
    ) -> None:
        super().__init__(config, credentials, hooks)
        self._transport = Transport(config)
        self.sleep: Callable[[float], None] = time.sleep

    def close(self) -> None:
        """Close pooled connections; a later call reconnects."""
        self._transport.close()

    def call(self, body: bytes) -> ListEngagementsResponse:
        """One call with its retries. Raises the final error."""
        plan = self.plan(body)
        reply: object = None
        while True:
            try:
                step = plan.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            except BaseException as exc:  # the one exit of every error: no secret leaves
                scrub(exc, client_secrets(self._config, self._credentials))
                raise
            reply = self._perform(step)

    def _perform(self, step: Step) -> object:
        """Do what step asks; its result, or the exception it raised (the plan decides)."""
        try:
            if isinstance(step, Send):
                return self._transport.send(step.request)
            if isinstance(step, Sleep):
                return self.sleep(step.seconds)
            return self._credentials.for_signing()
        except BaseException as exc:  # KeyboardInterrupt too: the plan re-raises it
            # before the plan (and its hooks) see it
            return scrub(exc, client_secrets(self._config, self._credentials))
