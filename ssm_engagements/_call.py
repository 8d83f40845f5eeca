"""One ListEngagements call: sign, send, parse, and retry per the standard policy.

The policy's decisions live in _retry; this module applies them, keeps the
per-client state they need (retry quota, clock offset) and logs each attempt.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import _constraints as c
from ._log import logger
from ._models import ListEngagementsResponse
from ._protocol import excerpt, parse_error, parse_success, server_date, signed_request, signer_for
from ._retry import (
    NO_RETRY_INCREMENT,
    RetryQuota,
    delay_for,
    is_clock_skew,
    is_retryable,
    retry_cost,
)
from ._timestamps import UTC
from ._transport import RawResponse, Transport
from .errors import ResponseParseError, ServiceError, SSMContactsError, TransportError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

    from ._config import ClientConfig, CredentialSource


class Caller:
    """Sends ListEngagements bodies for one client; safe to share between threads.

    ``random`` (jitter in [0, 1)) and ``sleep`` (seconds) are seams for tests.
    """

    def __init__(self, config: ClientConfig, credentials: CredentialSource) -> None:
        self._config = config
        self._credentials = credentials
        self._transport = Transport(config)
        self.quota = RetryQuota()
        # Seconds to add to the local clock when signing, learnt from a skew error.
        self.clock_offset = 0.0
        url = config.endpoint_url
        # A bare host signs and posts to "/", as the service documents.
        self._url = url if "/" in url.split("://", 1)[-1] else url + "/"
        # Built at the first request (the User-Agent names botocore's version, and
        # importing botocore at construction would cost more than the rest of it).
        self._headers: dict[str, str] | None = None
        # SigV4Auth for the last credentials seen: rebuilt only when they change.
        self._signer: tuple[object, Any] | None = None
        self.random: Callable[[], float] = random.random
        self.sleep: Callable[[float], None] = time.sleep

    def close(self) -> None:
        """Close pooled connections; a later call reconnects."""
        self._transport.close()

    def _signed(self, body: bytes) -> AWSPreparedRequest:
        """The request for body, signed with the current credentials (resolved and, when
        refreshable, refreshed by CredentialSource) at the skew-corrected clock."""
        credentials = self._credentials.for_signing()
        headers = self._headers
        if headers is None:
            headers = self._headers = {
                "Content-Type": c.CONTENT_TYPE,
                "X-Amz-Target": c.TARGET,
                "User-Agent": self._config.user_agent,
            }
        cached = self._signer
        if cached is None or cached[0] != credentials:
            cached = self._signer = (credentials, signer_for(credentials, self._config.region_name))
        return signed_request(self._url, headers, body, cached[1], self.clock_offset)

    def call(self, body: bytes) -> ListEngagementsResponse:
        """One call: sign, send, parse; retry per the standard policy. Raises the final error."""
        cfg = self._config
        attempt = 0
        spent = 0
        skew_corrected = False
        while True:
            attempt += 1
            request = self._signed(body)
            started = time.perf_counter()
            raw: RawResponse | None = None
            try:
                raw = self._transport.send(request)
            except TransportError as exc:
                error: SSMContactsError = exc
            else:
                if 200 <= raw.status < 300:
                    try:
                        page = parse_success(raw.status, raw.headers, raw.body)
                    except ResponseParseError as exc:
                        _redact_error(exc, request, raw.body)
                        raise
                    self.quota.release(spent or NO_RETRY_INCREMENT)
                    self._log_attempt(attempt, raw, started)
                    return page
                error = parse_error(raw.status, raw.headers, _redact(raw.body, request))
                _redact_error(error, request, raw.body)
            self._log_attempt(attempt, raw, started, error)
            error.attempts = attempt  # type: ignore[attr-defined]
            if raw is not None and not skew_corrected:
                server_now = server_date(raw.headers)
                local_now = datetime.now(UTC)
                if is_clock_skew(error, server_now, local_now):
                    assert server_now is not None
                    skew_corrected = True
                    self.clock_offset = (server_now - local_now).total_seconds()
                    logger.info("Clock skew of %.0f s corrected; re-signing", self.clock_offset)
                    if attempt < cfg.max_attempts:
                        continue
                    raise error
            delay = self._retry_delay(error, attempt)
            if delay is None:
                raise error
            spent += retry_cost(error)
            self.sleep(delay)

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

    def _log_attempt(
        self,
        attempt: int,
        raw: RawResponse | None,
        started: float,
        error: SSMContactsError | None = None,
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        status = raw.status if raw is not None else type(error).__name__
        request_id = raw.headers.get("x-amzn-RequestId") if raw is not None else None
        logger.debug(
            "ListEngagements attempt %d: status %s, request id %s, %.1f ms",
            attempt, status, request_id, (time.perf_counter() - started) * 1000,
        )  # fmt: skip


def _code_of(error: SSMContactsError) -> str:
    return error.code if isinstance(error, ServiceError) else type(error).__name__


_REDACTED = "<redacted>"


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
