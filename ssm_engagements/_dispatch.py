"""Telling a call's hooks what happens to it: one small object per call.

A client without hooks uses ``SILENT``, whose methods do nothing (no event is built);
with hooks, ``HookDispatch`` builds each event and calls every hook's method in order.
An exception a hook raises leaves as ``HookError``, so no retry logic mistakes it for
the call's own failure; the plan unwraps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from ._redact import NO_HEADERS, request_headers, response_headers
from .errors import ServiceError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

    from ._clock import Clock
    from ._models import Headers, ListEngagementsResponse
    from ._wire import RawResponse
    from .errors import SSMContactsError


class Totals:
    """A call's running totals: attempts made, seconds slept before retries, retry
    quota spent (refunded by a success)."""

    __slots__ = ("attempts", "slept", "spent")

    def __init__(self) -> None:
        self.attempts = 0
        self.slept = 0.0
        self.spent = 0


class Attempt(NamedTuple):
    """One finished attempt, as the plan saw it."""

    number: int
    """1 for the first attempt."""
    request: AWSPreparedRequest
    raw: RawResponse | None
    """The response, None after a transport failure."""
    elapsed: float
    """Seconds from sending to the response or the failure."""
    error: SSMContactsError | None
    headers: Headers | None
    """The response's redacted headers, when already computed."""


class Silent:
    """The dispatch of a call no hook observes: every stage is a no-op."""

    __slots__ = ()

    def start(self) -> None:
        """The call is about to make its first attempt."""

    def attempt(self, done: Attempt) -> None:
        """An attempt ended."""

    def retry(self, attempt: int, error: SSMContactsError, delay: float, quota_left: int) -> None:
        """The call will retry after attempt (``delay`` seconds)."""

    def end(self, page: ListEngagementsResponse | None, error: BaseException | None) -> None:
        """The call is over: page, or the error the caller gets."""


SILENT = Silent()


class HookError(Exception):
    """Carries a hook's exception out of the plan untouched by the retry logic."""

    def __init__(self, original: Exception) -> None:
        super().__init__(original)
        self.original = original


class HookDispatch(Silent):
    """The hooks of one call, told each stage in order, with the call's ``state`` dict.

    ``on_call_end`` goes to exactly the hooks whose ``on_call_start`` returned, so a
    hook that opens something (a span) there can always close it.
    """

    __slots__ = (
        "_clock", "_events", "_hooks", "_opened", "_params", "_started", "_state", "_totals",
    )  # fmt: skip

    def __init__(
        self,
        hooks: tuple[object, ...],
        clock: Clock,
        params: tuple[str, Mapping[str, object], str, str],
        totals: Totals,
    ) -> None:
        from . import hooks as events  # loaded only by clients with hooks

        self._events = events
        self._totals = totals
        self._hooks = hooks
        self._clock = clock
        self._params = params  # operation, request members, region, URL
        self._state: dict[object, object] = {}
        self._opened = 0
        self._started = 0.0

    def start(self) -> None:
        operation, params, region, url = self._params
        event = self._events.CallStart(
            operation=operation, params=params, region_name=region, endpoint_url=url,
            state=self._state,
        )  # fmt: skip
        self._started = self._clock.monotonic()
        for hook in self._hooks:
            _call_hook(hook, "on_call_start", event)
            self._opened += 1

    def attempt(self, done: Attempt) -> None:
        raw, request, headers = done.raw, done.request, done.headers
        if headers is None:
            headers = NO_HEADERS if raw is None else response_headers(raw.headers, request)
        self._emit(
            "on_attempt",
            self._events.AttemptEnd(
                attempt=done.number, request_headers=request_headers(request.headers),
                status_code=None if raw is None else raw.status,
                request_id=None if raw is None else raw.headers.get("x-amzn-RequestId"),
                response_headers=headers, elapsed_seconds=done.elapsed, error=done.error,
                state=self._state,
            ),
        )  # fmt: skip

    def retry(self, attempt: int, error: SSMContactsError, delay: float, quota_left: int) -> None:
        self._emit(
            "on_retry",
            self._events.RetryDecision(
                attempt=attempt, error=error, reason=code_of(error), delay_seconds=delay,
                quota_left=quota_left, state=self._state,
            ),
        )  # fmt: skip

    def end(self, page: ListEngagementsResponse | None, error: BaseException | None) -> None:
        """Tell every opened hook, even when one raises (the first hook error is then
        raised, chained to the call's error)."""
        totals = self._totals
        event = self._events.CallEnd(
            response=page, error=error, attempts=totals.attempts,
            elapsed_seconds=self._clock.monotonic() - self._started,
            retry_delay_seconds=totals.slept, state=self._state,
        )  # fmt: skip
        first: Exception | None = None
        for hook in self._hooks[: self._opened]:
            try:
                _call_hook(hook, "on_call_end", event)
            except HookError as failed:
                first = first or failed.original
        if first is not None:
            raise first from error

    def _emit(self, method: str, event: object) -> None:
        for hook in self._hooks:
            _call_hook(hook, method, event)


def code_of(error: SSMContactsError) -> str:
    """The error code of a ServiceError, else the error's class name."""
    return error.code if isinstance(error, ServiceError) else type(error).__name__


def _call_hook(hook: object, method: str, event: object) -> None:
    """hook.method(event) when the hook has that method; its exception, noted with the
    hook's name, comes out wrapped in HookError."""
    callback = getattr(hook, method, None)
    if callback is None:
        return
    try:
        callback(event)
    except Exception as exc:
        _add_note(exc, f"raised by hook {hook!r} in {method}(); the call was not retried")
        raise HookError(exc) from exc


def _add_note(exc: BaseException, note: str) -> None:
    add_note = getattr(exc, "add_note", None)
    if add_note is not None:  # Python 3.11+
        add_note(note)
    else:  # PEP 678's attribute, shown by traceback on 3.11+ and by exceptiongroup
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
