"""The sans-I/O core of one ListEngagements call: every decision, no I/O.

``CallCore.plan(body)`` is a generator that says what to do next and is told what
happened, the shape h11 and h2 use:

- it yields ``NEED_CREDENTIALS`` and is sent the credentials to sign with;
- it yields ``Send(request)`` and is sent a ``RawResponse`` or the ``TransportError``;
- it yields ``Sleep(seconds)`` and is sent None once that time has passed;
- it returns the parsed page, or raises the final error.

The sync driver (_call.Caller) and the async one (_aio_call.AsyncCaller) only perform
those steps: send with their transport, sleep with time.sleep or asyncio.sleep, load
credentials inline or off the event loop. Signing, parsing, error classification,
retry decisions and delays, the retry quota, clock-skew correction, redaction and
logging all happen here, once, for both.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, Union

from . import _constraints as c
from ._log import logger
from ._models import Headers, ListEngagementsResponse, ResponseMetadata
from ._protocol import (
    excerpt,
    parse_error,
    parse_success,
    prepare_signing,
    server_date,
    signed_request,
    signer_for,
)
from ._retry import (
    NO_RETRY_INCREMENT,
    RetryQuota,
    delay_for,
    is_clock_skew,
    is_retryable,
    is_throttle,
    retry_cost,
)
from ._timestamps import UTC
from ._transport import RawResponse
from .errors import ResponseParseError, ServiceError, SSMContactsError, TransportError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

    from ._config import ClientConfig, CredentialSource
    from .hooks import CallEnd


class RateLimiter(Protocol):
    """The adaptive mode's client-side rate limiter, as the plan uses it."""

    @property
    def rate(self) -> float | None:
        """The current send rate (requests per second), None while not limiting."""
        ...

    def acquire(self, now: float) -> float:
        """Take a send token: 0 when one was free; else the seconds to wait before
        asking again (no token taken)."""
        ...

    def update(self, throttled: bool, now: float) -> None:
        """Account for a response: throttled or not."""
        ...


class Send(NamedTuple):
    """Send this signed request; reply with its RawResponse or the TransportError."""

    request: AWSPreparedRequest


class Sleep(NamedTuple):
    """Wait this many seconds, then reply None."""

    seconds: float


class _NeedCredentials:
    """Reply with the credentials to sign with (CredentialSource.for_signing's result)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NEED_CREDENTIALS"


NEED_CREDENTIALS = _NeedCredentials()

Step = Union[Send, Sleep, _NeedCredentials]  # noqa: UP007 (a runtime alias on 3.10)
Plan = Generator[Step, Any, ListEngagementsResponse]


def request_url(endpoint_url: str) -> str:
    """Where requests go: the endpoint with ``/`` appended unless its path ends in one
    (``https://host`` -> ``https://host/``, ``https://host/proxy`` -> ``.../proxy/``),
    as Smithy's awsJson1_1 protocol test ``AwsJson11HostWithPath`` asks."""
    return endpoint_url if endpoint_url.endswith("/") else endpoint_url + "/"


class CallCore:
    """The per-client state of the call plan; safe to share between threads and tasks.

    ``random`` (jitter in [0, 1)) is a seam for tests.
    """

    def __init__(
        self, config: ClientConfig, credentials: CredentialSource, hooks: Sequence[object] = ()
    ) -> None:
        self._config = config
        self._credentials = credentials
        self._hooks = tuple(hooks)
        # The adaptive mode's client-side rate limiter, shared by every caller.
        self.limiter: RateLimiter | None = None
        if config.retry_mode == "adaptive":
            from ._ratelimit import AdaptiveRateLimiter

            self.limiter = AdaptiveRateLimiter()
        self.quota = RetryQuota()
        # Seconds to add to the local clock when signing, learnt from a skew error.
        self.clock_offset = 0.0
        self._url = request_url(config.endpoint_url)
        # Built at the first request (the User-Agent names botocore's version, and
        # importing botocore at construction would cost more than the rest of it).
        self._headers: dict[str, str] | None = None
        # SigV4Auth for the last credentials seen: rebuilt only when they change.
        self._signer: tuple[object, Any] | None = None
        self.random: Callable[[], float] = random.random

    def prepare(self) -> None:
        """The first request's one-time blocking work (imports of botocore's signer and
        request classes, the User-Agent), for a driver to run where blocking is fine."""
        if self._headers is None:
            self._headers = {
                "Content-Type": c.CONTENT_TYPE,
                "X-Amz-Target": c.TARGET,
                "User-Agent": self._config.user_agent,
            }
        prepare_signing()

    def _signed(self, body: bytes, credentials: object) -> AWSPreparedRequest:
        """The request for body, signed with credentials at the skew-corrected clock."""
        headers = self._headers
        if headers is None:
            self.prepare()
            headers = self._headers
            assert headers is not None
        cached = self._signer
        if cached is None or cached[0] != credentials:
            cached = self._signer = (credentials, signer_for(credentials, self._config.region_name))
        return signed_request(self._url, headers, body, cached[1], self.clock_offset)

    def plan(self, body: bytes) -> Plan:
        """One call: sign, send, parse; retry per the policy. Returns the page (with its
        response_metadata) or raises the final error. With hooks, tells them each stage."""
        if not self._hooks:
            return (yield from self._attempts(body, _Stats(), None))
        from .hooks import CallEnd, CallStart

        stats = _Stats()
        state: dict[object, object] = {}
        started = time.perf_counter()
        cfg = self._config
        start = CallStart(
            operation=c.OPERATION, params=json.loads(body), region_name=cfg.region_name,
            endpoint_url=self._url, state=state,
        )  # fmt: skip
        # on_call_end goes to exactly the hooks whose on_call_start returned, so a hook
        # that opens something (a span) there can always close it.
        opened = 0
        try:
            for hook in self._hooks:
                _call_hook(hook, "on_call_start", start)
                opened += 1
            page = yield from self._attempts(body, stats, state)
        except _HookError as failed:
            error: BaseException = failed.original
        except BaseException as exc:
            error = exc
        else:
            self._end(CallEnd, page, None, stats, started, state, opened)
            return page
        self._end(CallEnd, None, error, stats, started, state, opened)
        raise error

    def _end(
        self,
        cls: type[CallEnd],
        page: ListEngagementsResponse | None,
        error: BaseException | None,
        stats: _Stats,
        started: float,
        state: dict[object, object],
        opened: int,
    ) -> None:
        """Tell the first ``opened`` hooks the call is over; every one of them, even when
        one raises (the first hook error is then raised, chained to the call's error)."""
        event = cls(
            response=page, error=error, attempts=stats.attempts,
            elapsed_seconds=time.perf_counter() - started, retry_delay_seconds=stats.slept,
            state=state,
        )  # fmt: skip
        first: Exception | None = None
        for hook in self._hooks[:opened]:
            try:
                _call_hook(hook, "on_call_end", event)
            except _HookError as failed:
                first = first or failed.original
        if first is not None:
            raise first from error

    def _emit(self, method: str, event: object) -> None:
        for hook in self._hooks:
            _call_hook(hook, method, event)

    def _attempts(self, body: bytes, stats: _Stats, state: dict[object, object] | None) -> Plan:
        cfg = self._config
        limiter = self.limiter
        spent = 0
        skew_corrected = False
        while True:
            credentials = yield NEED_CREDENTIALS
            if isinstance(credentials, BaseException):
                raise credentials
            # Counted once there is something to send: NoCredentialsError makes none.
            stats.attempts += 1
            attempt = stats.attempts
            if limiter is not None:
                while (wait := limiter.acquire(time.monotonic())) > 0:
                    _raise_if_error((yield Sleep(wait)))
            request = self._signed(body, credentials)
            started = time.perf_counter()
            reply: RawResponse | BaseException = yield Send(request)
            raw: RawResponse | None = None
            if isinstance(reply, TransportError):
                error: SSMContactsError = reply
            elif isinstance(reply, BaseException):
                raise reply
            else:
                raw = reply
                if 200 <= raw.status < 300:
                    try:
                        page = parse_success(raw.status, raw.headers, raw.body)
                    except ResponseParseError as exc:
                        _redact_error(exc, request, raw.body)
                        exc.attempts = attempt
                        self._after_attempt(attempt, request, raw, started, exc, state)
                        raise
                    self.quota.release(spent or NO_RETRY_INCREMENT)
                    headers = _response_headers(raw.headers, request)
                    object.__setattr__(  # a new page no one else holds yet
                        page,
                        "response_metadata",
                        ResponseMetadata(
                            request_id=page.request_id, http_status_code=raw.status,
                            http_headers=headers, retry_attempts=attempt - 1,
                            retry_delay_seconds=stats.slept,
                        ),
                    )  # fmt: skip
                    self._after_attempt(attempt, request, raw, started, None, state, headers)
                    return page
                error = parse_error(raw.status, raw.headers, _redact(raw.body, request))
                _redact_error(error, request, raw.body)
            # Before the hooks see the error: they read what the caller will.
            error.attempts = attempt  # type: ignore[attr-defined]
            self._after_attempt(attempt, request, raw, started, error, state)
            if raw is not None and not skew_corrected:
                server_now = server_date(raw.headers)
                local_now = datetime.now(UTC)
                if is_clock_skew(error, server_now, local_now):
                    assert server_now is not None
                    skew_corrected = True
                    self.clock_offset = (server_now - local_now).total_seconds()
                    logger.info("Clock skew of %.0f s corrected; re-signing", self.clock_offset)
                    if attempt < cfg.max_attempts:
                        self._tell_retry(attempt, error, 0.0, state)
                        continue
                    raise error
            delay = self._retry_delay(error, attempt)
            if delay is None:
                raise error
            spent += retry_cost(error)
            self._tell_retry(attempt, error, delay, state)
            _raise_if_error((yield Sleep(delay)))
            stats.slept += delay

    def _after_attempt(
        self,
        attempt: int,
        request: AWSPreparedRequest,
        raw: RawResponse | None,
        started: float,
        error: SSMContactsError | None,
        state: dict[object, object] | None,
        headers: Headers | None = None,
    ) -> None:
        """Log the attempt, feed the rate limiter, tell the hooks. ``headers``: the
        response's redacted headers when the caller already has them."""
        elapsed = time.perf_counter() - started
        limiter = self.limiter
        if limiter is not None and raw is not None:
            limiter.update(is_throttle(error), time.monotonic())
        if logger.isEnabledFor(logging.DEBUG):
            status = raw.status if raw is not None else type(error).__name__
            request_id = raw.headers.get("x-amzn-RequestId") if raw is not None else None
            logger.debug(
                "ListEngagements attempt %d: status %s, request id %s, %.1f ms",
                attempt, status, request_id, elapsed * 1000,
            )  # fmt: skip
        if state is None:
            return
        from .hooks import AttemptEnd

        if headers is None:
            headers = _NO_HEADERS if raw is None else _response_headers(raw.headers, request)
        self._emit(
            "on_attempt",
            AttemptEnd(
                attempt=attempt, request_headers=redacted_headers(request.headers),
                status_code=None if raw is None else raw.status,
                request_id=None if raw is None else raw.headers.get("x-amzn-RequestId"),
                response_headers=headers,
                elapsed_seconds=elapsed, error=error, state=state,
            ),
        )  # fmt: skip

    def _tell_retry(
        self,
        attempt: int,
        error: SSMContactsError,
        delay: float,
        state: dict[object, object] | None,
    ) -> None:
        if state is None:
            return
        from .hooks import RetryDecision

        self._emit(
            "on_retry",
            RetryDecision(
                attempt=attempt, error=error, reason=_code_of(error), delay_seconds=delay,
                quota_left=self.quota.available, state=state,
            ),
        )  # fmt: skip

    def _retry_delay(self, error: SSMContactsError, attempt: int) -> float | None:
        """Seconds to wait before retrying error, or None when it must be raised."""
        cfg = self._config
        if not is_retryable(error):
            logger.debug("Not retrying: %s is not retryable", _code_of(error))
            return None
        if attempt >= cfg.max_attempts:
            logger.debug("Not retrying: %d of %d attempts made", attempt, cfg.max_attempts)
            return None
        hint = error.retry_after_seconds if isinstance(error, ServiceError) else None
        delay = delay_for(attempt, hint, cfg.max_backoff, self.random)
        if delay is None:
            logger.debug("Not retrying: server hint %.3f s exceeds max_backoff", hint)
            return None
        if not self.quota.acquire(retry_cost(error)):
            logger.debug("Not retrying: retry quota exhausted")
            return None
        logger.debug(
            "Retrying ListEngagements after attempt %d (%s) in %.3f s; quota left %d",
            attempt, _code_of(error), delay, self.quota.available,
        )  # fmt: skip
        return delay


class _Stats:
    """A call's running totals: attempts made, seconds slept before retries."""

    __slots__ = ("attempts", "slept")

    def __init__(self) -> None:
        self.attempts = 0
        self.slept = 0.0


class _HookError(Exception):
    """Carries a hook's exception out of the plan untouched by the retry logic."""

    def __init__(self, original: Exception) -> None:
        super().__init__(original)
        self.original = original


def _call_hook(hook: object, method: str, event: object) -> None:
    """hook.method(event) when the hook has that method; its exception, noted with the
    hook's name, comes out wrapped in _HookError so no retry logic mistakes it."""
    callback = getattr(hook, method, None)
    if callback is None:
        return
    try:
        callback(event)
    except Exception as exc:
        _add_note(exc, f"raised by hook {hook!r} in {method}(); the call was not retried")
        raise _HookError(exc) from exc


def _add_note(exc: BaseException, note: str) -> None:
    add_note = getattr(exc, "add_note", None)
    if add_note is not None:  # Python 3.11+
        add_note(note)
    else:  # PEP 678's attribute, shown by traceback on 3.11+ and by exceptiongroup
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]


def _raise_if_error(reply: object) -> None:
    """A driver replies with the exception its step raised (cancellation, interrupts)."""
    if isinstance(reply, BaseException):
        raise reply


_SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token"})


def redacted_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    """Request headers for observers: Authorization and the session token blanked out."""
    return {
        name: _REDACTED if name.lower() in _SECRET_HEADERS else (
            value.decode() if isinstance(value, bytes) else str(value)
        )
        for name, value in headers.items()
    }  # fmt: skip


def _response_headers(headers: Mapping[str, str], request: AWSPreparedRequest) -> Headers:
    """A response's headers for observers, with the request's session token and signature
    blanked out of any value that quotes them (echo servers and some proxies do)."""
    # On every page: one C-level join and a substring search or two (~1 us), not a
    # Python-level walk of the mapping. botocore's HeadersDict keeps a plain dict inside.
    inner = getattr(headers, "_dict", None)
    values = inner.values() if type(inner) is dict else headers.values()
    blob = "\n".join(values)
    secrets = _request_secrets(request)
    if not any(secret in blob for secret in secrets):
        return Headers(headers)
    clean: dict[str, str] = {}
    for name, value in headers.items():
        for secret in secrets:
            value = value.replace(secret, _REDACTED)
        key = name.lower()
        clean[key] = value if key not in clean else f"{clean[key]}, {value}"
    return Headers(clean)


def _request_secrets(request: AWSPreparedRequest) -> tuple[str, ...]:
    """The session token and the signature a request carried (what must not be shown)."""
    found: list[str] = []
    token = _sent_token(request)
    if token:
        found.append(token)
    auth: str | bytes | None = request.headers.get("Authorization")
    if auth:
        text = auth.decode() if isinstance(auth, bytes) else auth
        signature = text.rpartition("Signature=")[2]
        if signature:
            found.append(signature)
    return tuple(found)


def _code_of(error: SSMContactsError) -> str:
    return error.code if isinstance(error, ServiceError) else type(error).__name__


_REDACTED = "<redacted>"
_NO_HEADERS = Headers({})


def _sent_token(request: AWSPreparedRequest) -> str | None:
    token: str | bytes | None = request.headers.get("X-Amz-Security-Token")
    return token.decode() if isinstance(token, bytes) else token


def _redact(body: bytes, request: AWSPreparedRequest) -> bytes:
    """body with the session token the request carried blanked out: when AWS rejects a
    signature its message quotes the canonical request, X-Amz-Security-Token included
    (and echo servers or proxies may send any header back)."""
    token = _sent_token(request)
    if token:
        for form in {token.encode(), token.replace("/", "\\/").encode()}:  # JSON may escape /
            if form in body:
                body = body.replace(form, _REDACTED.encode())
    return body


def _redact_error(error: SSMContactsError, request: AWSPreparedRequest, body: bytes) -> None:
    """Blank the request's session token out of an error built from body: its excerpt,
    and its message (where JSON escapes such as ``\\/`` are already undone)."""
    token = _sent_token(request)
    if not token:
        return
    if isinstance(error, ResponseParseError):
        clean = _redact(body, request)
        if clean != body:
            error.body_excerpt = excerpt(clean)
    if isinstance(error, ServiceError) and token in error.message:
        error.message = error.message.replace(token, _REDACTED)
    if any(isinstance(arg, str) and token in arg for arg in error.args):
        error.args = tuple(
            arg.replace(token, _REDACTED) if isinstance(arg, str) else arg for arg in error.args
        )
