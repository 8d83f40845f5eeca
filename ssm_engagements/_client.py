"""EngagementsClient: composes configuration, signing, transport, retries and pagination."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import _constraints as c
from ._config import CredentialSource, lazy_session, resolve_config
from ._converter import ListEngagementsRequest
from ._log import logger
from ._models import ListEngagementsResponse, TimeRange
from ._paginator import EngagementIterator, PageIterator, make_walk
from ._params import check_incident_id, check_time_range, validate_request
from ._protocol import encode_request, parse_error, parse_success, server_date, sign
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
from .errors import ServiceError, SSMContactsError, TransportError

if TYPE_CHECKING:
    from botocore.credentials import Credentials
    from botocore.session import Session


class EngagementsClient:
    """A client for ListEngagements. Safe to share between threads; a context manager.

    Configuration precedence (region, credentials, endpoint, FIPS / dual-stack,
    retries, proxies, CA bundle) follows boto3; see the configuration guide.
    Timeouts and max_backoff are in seconds. Raises ConfigurationError for a
    setting that cannot work (no region, bad endpoint, max_attempts < 1, ...).
    Credentials are resolved at the first request (NoCredentialsError if none).
    """

    def __init__(
        self,
        region_name: str | None = None,
        *,
        session: Session | Any | None = None,
        profile_name: str | None = None,
        credentials: Credentials | None = None,
        endpoint_url: str | None = None,
        use_fips_endpoint: bool | None = None,
        use_dualstack_endpoint: bool | None = None,
        max_attempts: int | None = None,
        max_backoff: float = 20.0,
        connect_timeout: float = 60.0,
        read_timeout: float = 60.0,
        verify: bool | str | None = None,
        allow_insecure_http: bool = False,
        user_agent_extra: str | None = None,
    ) -> None:
        session_factory = lazy_session(session, profile_name)
        self._config = resolve_config(
            region_name,
            session_factory=session_factory,
            endpoint_url=endpoint_url,
            use_fips_endpoint=use_fips_endpoint,
            use_dualstack_endpoint=use_dualstack_endpoint,
            max_attempts=max_attempts,
            max_backoff=max_backoff,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            verify=verify,
            allow_insecure_http=allow_insecure_http,
            user_agent_extra=user_agent_extra,
        )
        self._credentials = CredentialSource(credentials, session_factory)
        self._transport = Transport(self._config)
        self._quota = RetryQuota()
        self._clock_offset = 0.0
        url = self._config.endpoint_url
        # A bare host signs and posts to "/", as the service documents.
        self._url = url if "/" in url.split("://", 1)[-1] else url + "/"
        self._headers = {
            "Content-Type": c.CONTENT_TYPE,
            "X-Amz-Target": c.TARGET,
            "User-Agent": self._config.user_agent,
        }
        # Seams for the retry tests: jitter source and sleep.
        self._random: Callable[[], float] = random.random
        self._sleep: Callable[[float], None] = time.sleep

    @property
    def region_name(self) -> str:
        """The resolved AWS region."""
        return self._config.region_name

    @property
    def endpoint_url(self) -> str:
        """The resolved endpoint URL requests are sent to."""
        return self._config.endpoint_url

    def __repr__(self) -> str:
        return (
            f"EngagementsClient(region_name={self.region_name!r}, "
            f"endpoint_url={self.endpoint_url!r})"
        )

    def __enter__(self) -> EngagementsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections. The client stays usable; it reconnects when needed."""
        self._transport.close()

    def list_engagements(
        self,
        *,
        incident_id: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        time_range: TimeRange | None = None,
    ) -> ListEngagementsResponse:
        """Fetch one page of engagements (one request, plus retries).

        ``max_results`` is 0 to 1024 (0 or None lets the service choose);
        ``next_token=""`` is the same as None. Raises ParamValidationError before
        sending for bad arguments, then ServiceError subclasses, TransportError,
        ResponseParseError or NoCredentialsError.
        """
        request = validate_request(
            incident_id=incident_id,
            max_results=max_results,
            next_token=next_token,
            time_range=time_range,
        )
        return self._send(encode_request(request))

    def iter_pages(
        self,
        *,
        incident_id: str | None = None,
        time_range: TimeRange | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
    ) -> PageIterator:
        """Iterate pages lazily, following NextToken until it runs out.

        ``page_size`` (1 to 1024) is each request's MaxResults; ``max_items`` caps the
        engagements returned (the last page is cut and its next_token is the resume
        token). Arguments are validated now (ParamValidationError); errors while
        iterating carry ``.resume_token``, as does the iterator.
        """
        return PageIterator(
            self._walk(incident_id, time_range, page_size, max_items, starting_token)
        )

    def iter_engagements(
        self,
        *,
        incident_id: str | None = None,
        time_range: TimeRange | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
    ) -> EngagementIterator:
        """Iterate engagements lazily across pages; same arguments as iter_pages.

        ``.resume_token`` (on the iterator and on errors raised while iterating)
        continues exactly after the last engagement yielded.
        """
        return EngagementIterator(
            self._walk(incident_id, time_range, page_size, max_items, starting_token)
        )

    def _walk(
        self,
        incident_id: object,
        time_range: object,
        page_size: object,
        max_items: object,
        starting_token: object,
    ) -> Any:
        incident = check_incident_id(incident_id)
        window = check_time_range(time_range)

        def fetch(max_results: int | None, token: str | None) -> ListEngagementsResponse:
            request = ListEngagementsRequest(
                incident_id=incident, max_results=max_results, next_token=token, time_range=window
            )
            return self._send(encode_request(request))

        return make_walk(
            fetch, page_size=page_size, max_items=max_items, starting_token=starting_token
        )

    def _send(self, body: bytes) -> ListEngagementsResponse:
        """One call: sign, send, parse; retry per the standard policy. Raises the final error."""
        from botocore.awsrequest import AWSRequest

        cfg = self._config
        attempt = 0
        spent = 0
        skew_corrected = False
        while True:
            attempt += 1
            credentials = self._credentials.get()
            request = AWSRequest("POST", self._url, dict(self._headers), body)
            sign(request, credentials, cfg.region_name, self._clock_offset)
            started = time.perf_counter()
            raw: RawResponse | None = None
            try:
                raw = self._transport.send(request.prepare())
            except TransportError as exc:
                error: SSMContactsError = exc
            else:
                if 200 <= raw.status < 300:
                    page = parse_success(raw.status, raw.headers, raw.body)
                    self._quota.release(spent or NO_RETRY_INCREMENT)
                    self._log_attempt(attempt, raw, started)
                    return page
                error = parse_error(raw.status, raw.headers, raw.body)
            self._log_attempt(attempt, raw, started, error)
            error.attempts = attempt  # type: ignore[attr-defined]
            if raw is not None and not skew_corrected:
                server_now = server_date(raw.headers)
                local_now = datetime.now(UTC)
                if is_clock_skew(error, server_now, local_now):
                    assert server_now is not None
                    skew_corrected = True
                    self._clock_offset = (server_now - local_now).total_seconds()
                    logger.info("Clock skew of %.0f s corrected; re-signing", self._clock_offset)
                    if attempt < cfg.max_attempts:
                        continue
                    raise error
            delay = self._retry_delay(error, attempt)
            if delay is None:
                raise error
            spent += retry_cost(error)
            self._sleep(delay)

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
        delay = delay_for(attempt, hint, cfg.max_backoff, self._random)
        if delay is None:
            logger.debug("Not retrying: server hint %.3f s exceeds max_backoff", hint)
            return None
        if not self._quota.acquire(retry_cost(error)):
            logger.debug("Not retrying: retry quota exhausted")
            return None
        logger.debug(
            "Retrying ListEngagements after attempt %d (%s) in %.3f s; quota left %d",
            attempt, _code_of(error), delay, self._quota.available,
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
