"""Hooks: typed observers of each ListEngagements call, for both clients.

Subclass :class:`Hook`, override the methods you need, and pass instances as
``hooks=[...]`` to ``EngagementsClient`` or ``AsyncEngagementsClient``::

    class SlowCalls(Hook):
        def on_call_end(self, event: CallEnd) -> None:
            if event.elapsed_seconds > 1:
                log.warning("slow ListEngagements: %.1f s, %d attempts",
                            event.elapsed_seconds, event.attempts)

Every call (``list_engagements``, and each page an iterator fetches) produces, in order:
one :class:`CallStart`; for each attempt an :class:`AttemptEnd`, followed by a
:class:`RetryDecision` when the client will retry; and one :class:`CallEnd`.

Hooks are plain (not async) methods, called on the thread or task making the call, so
they see its context variables (the caller's current OpenTelemetry span, for one); with
the async client they run on the event loop and must not block it.

An exception raised by a hook ends the call: it propagates to the caller with a note
naming the hook (``__notes__``), nothing is retried because of it, and later hooks do
not see that event. Every hook whose ``on_call_start`` returned still gets
``on_call_end`` (its ``error`` is the hook's exception), so what a hook opens when a
call starts it can always close. An exception in ``on_call_end`` does not stop the
other hooks' ``on_call_end``; the first one is raised, even after a successful call.

What hooks see is redacted: no secret key, signature, ``Authorization`` value or
session token ever reaches them (request headers carry ``<redacted>`` in their place,
and response headers or error messages that quote the token or signature have it
blanked out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._models import ListEngagementsResponse
    from .errors import SSMContactsError

__all__ = ["AttemptEnd", "CallEnd", "CallStart", "Hook", "RetryDecision"]


@attrs.frozen(kw_only=True)
class CallStart:
    """A call is about to send its first attempt."""

    operation: str
    """Always ``"ListEngagements"``."""
    params: Mapping[str, object]
    """The request's members as sent, by wire name (``IncidentId``, ``MaxResults``,
    ``NextToken``, ``TimeRangeValue``; only those set). Holds no secret."""
    region_name: str
    """The client's region."""
    endpoint_url: str
    """The URL the request is sent to."""
    state: dict[object, object]
    """Scratch space for hooks, the same dict in every event of this call (key it by
    your hook, e.g. ``state[self]``): per-call state without a map of your own."""


@attrs.frozen(kw_only=True)
class AttemptEnd:
    """One attempt finished: with a response (any status) or a transport error."""

    attempt: int
    """1 for the first attempt."""
    request_headers: Mapping[str, str]
    """The headers sent, with ``Authorization`` and ``X-Amz-Security-Token`` values
    replaced by ``<redacted>``."""
    status_code: int | None
    """The HTTP status, or None when no response arrived."""
    request_id: str | None
    """The ``x-amzn-RequestId`` response header, or None."""
    response_headers: Mapping[str, str]
    """The response's headers (case-insensitive; empty when none arrived)."""
    elapsed_seconds: float
    """Time from sending to having the whole response (or the error), in seconds."""
    error: SSMContactsError | None
    """The attempt's error (ServiceError, TransportError, ResponseParseError), or None."""
    state: dict[object, object]
    """The call's scratch dict (see :attr:`CallStart.state`)."""


@attrs.frozen(kw_only=True)
class RetryDecision:
    """The client will retry after this attempt's error."""

    attempt: int
    """The attempt that failed (the retry is attempt + 1)."""
    error: SSMContactsError
    """The failed attempt's error, the reason for the retry."""
    reason: str
    """The error code (``ThrottlingException``...) or the error class name."""
    delay_seconds: float
    """How long the client sleeps before the retry, in seconds (0 for a clock-skew re-sign)."""
    quota_left: int
    """Retry-quota tokens left after this retry was paid for."""
    state: dict[object, object]
    """The call's scratch dict (see :attr:`CallStart.state`)."""


@attrs.frozen(kw_only=True)
class CallEnd:
    """The call is over: ``response`` on success, else ``error`` (what the caller gets)."""

    response: ListEngagementsResponse | None
    """The page returned, or None when the call failed."""
    error: BaseException | None
    """The error raised to the caller, or None on success."""
    attempts: int
    """Attempts made, the first included."""
    elapsed_seconds: float
    """Time from the call's start to its end, sleeps included, in seconds."""
    retry_delay_seconds: float
    """Time slept before retries, in seconds."""
    state: dict[object, object]
    """The call's scratch dict (see :attr:`CallStart.state`)."""


class Hook:
    """Base class of hooks: every method does nothing; override those you need.

    The same hook object works with both clients and may be shared by many calls at
    once (on threads or tasks): keep per-call data in ``event.state``.
    """

    def on_call_start(self, event: CallStart) -> None:
        """Before the first attempt of a call."""

    def on_attempt(self, event: AttemptEnd) -> None:
        """After each attempt, successful or not."""

    def on_retry(self, event: RetryDecision) -> None:
        """After a failed attempt, when the client has decided to retry."""

    def on_call_end(self, event: CallEnd) -> None:
        """When the call returns or raises."""


_METHODS = ("on_call_start", "on_attempt", "on_retry", "on_call_end")


def _check_hooks(hooks: object) -> tuple[Hook, ...]:  # pyright: ignore[reportUnusedFunction]
    """The ``hooks=`` argument as a tuple; ConfigurationError when it is not a sequence
    of objects with at least one hook method (a bare function would never be called)."""
    if isinstance(hooks, (str, bytes, Hook)) or not isinstance(hooks, Iterable):
        raise ConfigurationError(
            f"hooks must be a sequence of hook objects (e.g. [MyHook()]); got {hooks!r:.80}"
        )
    checked = tuple(hooks)  # pyright: ignore[reportUnknownArgumentType]
    for hook in checked:
        if not any(callable(getattr(hook, name, None)) for name in _METHODS):
            raise ConfigurationError(
                f"hooks: {hook!r:.80} has none of the methods {', '.join(_METHODS)}; "
                "subclass ssm_engagements.hooks.Hook and override the ones you need"
            )
    return checked
