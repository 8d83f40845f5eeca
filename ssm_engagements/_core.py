"""The sans-I/O core of one ListEngagements call: every decision, no I/O.

``CallCore.plan(body)`` is a generator that says what to do next and is told what
happened, the shape h11 and h2 use (the steps are in _wire):

- it yields ``NEED_CREDENTIALS`` and is sent the credentials to sign with;
- it yields ``Send(request)`` and is sent a ``RawResponse``;
- it yields ``Sleep(seconds)`` and is sent None once that time has passed;
- a step that fails is thrown into the plan (``plan.throw(exc)``): a TransportError
  may be retried, anything else (NoCredentialsError, a cancellation, an interrupt)
  ends the call once the hooks are told;
- it returns the parsed page, or raises the final error.

The drivers (_call.Caller, _aio_call.AsyncCaller) hold a CallCore and only perform
those steps. Signing, parsing, error classification, retry decisions and delays, the
retry quota, clock-skew correction and the adaptive rate limiter happen here, once,
for both; the time comes from an injected Clock and the jitter from an injected
``random``, so all of it runs under test without sockets or sleeping.
"""

from __future__ import annotations

import json
import logging
import random as _random
from collections.abc import Callable, Generator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from . import _constraints as c
from . import _redact as redact
from ._clock import SYSTEM_CLOCK, Clock
from ._dispatch import SILENT, Attempt, HookDispatch, HookError, Silent, Totals, code_of
from ._log import logger
from ._models import Headers, ListEngagementsResponse, ResponseMetadata
from ._protocol import (
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
from ._scrub import client_secrets, scrub
from ._timestamps import UTC
from ._wire import NEED_CREDENTIALS, RawResponse, Send, Sleep, Step
from .errors import ResponseParseError, ServiceError, SSMContactsError, TransportError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

    from ._config import ClientConfig, CredentialSource

Plan = Generator[Step, Any, ListEngagementsResponse]


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


def request_url(endpoint_url: str) -> str:
    """Where requests go: the endpoint with ``/`` appended unless its path ends in one
    (``https://host`` -> ``https://host/``, ``https://host/proxy`` -> ``.../proxy/``),
    as Smithy's awsJson1_1 protocol test ``AwsJson11HostWithPath`` asks."""
    return endpoint_url if endpoint_url.endswith("/") else endpoint_url + "/"


class CallCore:
    """The per-client state of the call plan; safe to share between threads and tasks.

    ``clock`` (a Clock) and ``random`` (jitter in [0, 1)) are the only sources of time
    and chance; ``ssm_engagements.testing.controls`` replaces them for tests. ``quota``
    and ``limiter`` (adaptive mode's, made here when None) may be given, for tests.
    """

    def __init__(
        self,
        config: ClientConfig,
        hooks: Sequence[object] = (),
        *,
        clock: Clock = SYSTEM_CLOCK,
        random: Callable[[], float] = _random.random,
        quota: RetryQuota | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._config = config
        self._hooks = tuple(hooks)
        self.clock = clock
        self.random = random
        # The adaptive mode's client-side rate limiter, shared by every caller.
        if limiter is None and config.retry_mode == "adaptive":
            from ._ratelimit import AdaptiveRateLimiter

            limiter = AdaptiveRateLimiter()
        self.limiter = limiter
        self.quota = RetryQuota() if quota is None else quota
        # Seconds to add to the local clock when signing, learnt from a skew error.
        self.clock_offset = 0.0
        self._url = request_url(config.endpoint_url)
        # Built at the first request (the User-Agent names botocore's version, and
        # importing botocore at construction would cost more than the rest of it).
        self._headers: dict[str, str] | None = None
        # SigV4Auth for the last credentials seen: rebuilt only when they change.
        self._signer: tuple[object, Any] | None = None

    @property
    def max_attempts(self) -> int:
        """Attempts per call, the first included."""
        return self._config.max_attempts

    def scrubbed(self, exc: BaseException, credentials: CredentialSource) -> BaseException:
        """exc with its cause chain rewritten without the secrets this client knows (its
        credentials' secret key and token, its proxies' user info), whatever the library
        that raised it printed; a stand-in of the same type where it cannot be rewritten
        in place. For the drivers: every exception they throw into the plan or let out."""
        return scrub(exc, client_secrets(self._config, credentials))

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

    def plan(self, body: bytes) -> Plan:
        """One call: sign, send, parse; retry per the policy. Returns the page (with its
        response_metadata) or raises the final error; tells the hooks each stage."""
        call = Totals()
        dispatch = self._dispatch(body, call)
        try:
            dispatch.start()
            page = yield from self._attempts(body, call, dispatch)
        except HookError as failed:
            error: BaseException = failed.original
        except BaseException as exc:  # a cancellation too: the hooks hear of it
            error = exc
        else:
            dispatch.end(page, None)
            return page
        dispatch.end(None, error)
        raise error

    def _dispatch(self, body: bytes, totals: Totals) -> Silent:
        """The hooks' view of a call with this body (SILENT without hooks)."""
        if not self._hooks:
            return SILENT
        cfg = self._config
        params = (c.OPERATION, json.loads(body), cfg.region_name, self._url)
        return HookDispatch(self._hooks, self.clock, params, totals)

    def _attempts(self, body: bytes, call: Totals, dispatch: Silent) -> Plan:
        skew_corrected = False
        while True:
            credentials = yield NEED_CREDENTIALS
            # Counted once there is something to send: NoCredentialsError makes none.
            call.attempts += 1
            attempt = call.attempts
            yield from self._wait_for_token()
            request = self._signed(body, credentials)
            sent_at = self.clock.monotonic()
            raw: RawResponse | None = None
            try:
                raw = yield Send(request)
            except TransportError as exc:  # anything else ends the call as it is
                outcome: ListEngagementsResponse | SSMContactsError = exc
            else:
                assert raw is not None
                outcome = self._outcome(raw, request)
            elapsed = self.clock.monotonic() - sent_at
            if isinstance(outcome, ListEngagementsResponse):
                assert raw is not None
                self.quota.release(call.spent or NO_RETRY_INCREMENT)
                headers = redact.response_headers(raw.headers, request)
                self._observe(Attempt(attempt, request, raw, elapsed, None, headers), dispatch)
                return with_metadata(outcome, raw.status, headers, attempt, call.slept)
            error = outcome
            # Before the hooks see the error: they read what the caller will.
            error.attempts = attempt
            self._observe(Attempt(attempt, request, raw, elapsed, error, None), dispatch)
            if raw is not None and not skew_corrected and self._correct_skew(error, raw):
                skew_corrected = True
                if attempt >= self._config.max_attempts:
                    raise error  # the corrected clock still serves later calls
                dispatch.retry(attempt, error, 0.0, self.quota.available)
                continue  # re-signed at once: no wait, no quota
            delay = self._retry_delay(error, attempt)
            if delay is None:
                raise error
            call.spent += retry_cost(error)
            dispatch.retry(attempt, error, delay, self.quota.available)
            yield Sleep(delay)
            call.slept += delay

    def _wait_for_token(self) -> Generator[Sleep, None, None]:
        """Adaptive mode: sleep until the shared rate limiter has a send token."""
        limiter = self.limiter
        if limiter is None:
            return
        while (wait := limiter.acquire(self.clock.monotonic())) > 0:
            yield Sleep(wait)

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
        when = self._now()
        if self.clock_offset:
            when += timedelta(seconds=self.clock_offset)
        return signed_request(self._url, headers, body, cached[1], when)

    def _now(self) -> datetime:
        """The local wall clock, aware UTC."""
        return datetime.fromtimestamp(self.clock.time(), UTC)

    def _outcome(
        self, raw: RawResponse, request: AWSPreparedRequest
    ) -> ListEngagementsResponse | SSMContactsError:
        """What a response means: the page of a 2xx, else its error, the request's
        session token blanked out of either error's text."""
        if 200 <= raw.status < 300:
            try:
                return parse_success(raw.status, raw.headers, raw.body)
            except ResponseParseError as exc:
                redact.error(exc, request, raw.body)
                return exc
        error = parse_error(raw.status, raw.headers, redact.body(raw.body, request), self._now())
        redact.error(error, request, raw.body)
        return error

    def _observe(self, done: Attempt, dispatch: Silent) -> None:
        """After an attempt: feed the rate limiter, log, tell the hooks."""
        raw = done.raw
        limiter = self.limiter
        if limiter is not None and raw is not None:
            limiter.update(is_throttle(done.error), self.clock.monotonic())
        if logger.isEnabledFor(logging.DEBUG):
            status = raw.status if raw is not None else type(done.error).__name__
            request_id = raw.headers.get("x-amzn-RequestId") if raw is not None else None
            logger.debug(
                "ListEngagements attempt %d: status %s, request id %s, %.1f ms",
                done.number, status, request_id, done.elapsed * 1000,
            )  # fmt: skip
        dispatch.attempt(done)

    def _correct_skew(self, error: SSMContactsError, raw: RawResponse) -> bool:
        """When error says the signature's time was wrong and the response's Date is far
        from the local clock, keep the difference for signing; True when it did."""
        server_now = server_date(raw.headers)
        local_now = self._now()
        if server_now is None or not is_clock_skew(error, server_now, local_now):
            return False
        self.clock_offset = (server_now - local_now).total_seconds()
        logger.info("Clock skew of %.0f s corrected; re-signing", self.clock_offset)
        return True

    def _retry_delay(self, error: SSMContactsError, attempt: int) -> float | None:
        """Seconds to wait before retrying error (its quota cost taken), or None when it
        must be raised."""
        cfg = self._config
        if not is_retryable(error):
            logger.debug("Not retrying: %s is not retryable", code_of(error))
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
            attempt, code_of(error), delay, self.quota.available,
        )  # fmt: skip
        return delay


def with_metadata(
    page: ListEngagementsResponse, status: int, headers: Headers, attempts: int, slept: float
) -> ListEngagementsResponse:
    """page with its ResponseMetadata (a new frozen page: ~0.7 us)."""
    metadata = ResponseMetadata(
        request_id=page.request_id, http_status_code=status, http_headers=headers,
        retry_attempts=attempts - 1, retry_delay_seconds=slept,
    )  # fmt: skip
    return ListEngagementsResponse(
        engagements=page.engagements, next_token=page.next_token, request_id=page.request_id,
        response_metadata=metadata,
    )  # fmt: skip
