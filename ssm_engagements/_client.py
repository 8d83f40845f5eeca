"""EngagementsClient: the blocking client; ClientBase: what both clients share.

Both clients resolve the same configuration, validate the same arguments and build
the same request bodies and walks here; they differ only in the driver that runs a
call (_call.Caller or _aio_call.AsyncCaller) and in the iterators they return.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from os import PathLike
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._call import Caller
from ._config import ClientConfig, CredentialSource, lazy_session, resolve_config
from ._converter import ListEngagementsRequest
from ._feed import EngagementFeed, open_follow
from ._models import ListEngagementsResponse, TimeRange
from ._paginator import EngagementIterator, PageIterator, Resumable
from ._params import check_incident_id, check_time_range, validate_request
from ._protocol import encode_request
from ._walk import Walk, make_walk

if TYPE_CHECKING:
    from botocore.credentials import Credentials
    from botocore.session import Session

    from .hooks import Hook


PagesT = TypeVar("PagesT", bound=Resumable)
ItemsT = TypeVar("ItemsT", bound=Resumable)
FeedT = TypeVar("FeedT")
Body = Callable[[int | None, str | None], bytes]
"""A page's request body from (MaxResults, NextToken), the filters bound."""


class ClientBase(Generic[PagesT, ItemsT, FeedT]):
    """Configuration, argument checks, request bodies and the iterator methods, shared by
    both clients; a client adds its driver (``_make_caller``), how a page is fetched
    (``_fetch``) and its iterator and feed classes."""

    _page_iterator: type[PagesT]
    _engagement_iterator: type[ItemsT]
    _feed: Callable[..., FeedT]

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
        retry_mode: str | None = None,
        hooks: Sequence[Hook] = (),
        max_pool_connections: int = 10,
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
            retry_mode=retry_mode,
            max_pool_connections=max_pool_connections,
        )
        self._hooks: tuple[Hook, ...] = ()
        if not (isinstance(hooks, (tuple, list)) and not hooks):  # () or []: nothing to load
            from .hooks import _check_hooks  # pyright: ignore[reportPrivateUsage]

            self._hooks = _check_hooks(hooks)
        self._caller = self._make_caller(
            self._config, CredentialSource(credentials, session_factory)
        )

    def _make_caller(self, config: ClientConfig, credentials: CredentialSource) -> Any:
        raise NotImplementedError

    @property
    def region_name(self) -> str:
        """The resolved AWS region, for example ``"us-east-2"``."""
        return self._config.region_name

    @property
    def endpoint_url(self) -> str:
        """The resolved endpoint URL requests are sent to (no trailing ``/``), for
        example ``"https://ssm-contacts.us-east-2.amazonaws.com"``."""
        return self._config.endpoint_url

    @property
    def send_rate(self) -> float | None:
        """Adaptive retry mode's current send rate, in requests per second, shared by
        every thread or task using this client. None in standard mode, and in adaptive
        mode until the service first throttles this client (it sends unlimited till then).
        """
        limiter = self._caller.limiter
        return None if limiter is None else limiter.rate

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(region_name={self.region_name!r}, "
            f"endpoint_url={self.endpoint_url!r})"
        )

    @staticmethod
    def _list_body(
        incident_id: object, max_results: object, next_token: object, time_range: object
    ) -> bytes:
        request = validate_request(
            incident_id=incident_id,
            max_results=max_results,
            next_token=next_token,
            time_range=time_range,
        )
        return encode_request(request)

    def _fetch(self, body: Body) -> Any:
        """The function of (MaxResults, NextToken) that fetches a page with body."""
        raise NotImplementedError

    def iter_pages(
        self,
        *,
        incident_id: str | None = None,
        time_range: TimeRange | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
    ) -> PagesT:
        """Iterate pages lazily, following NextToken until it runs out: an iterator of
        ListEngagementsResponse with ``.resume_token`` (an async iterator, for ``async
        for``, with the async client).

        Nothing is sent until the first page is needed. Errors raised while
        iterating, and the iterator itself, carry ``.resume_token``.

        Args:
            incident_id: only the engagements of this incident (its ARN).
            time_range: only engagements that started within this window.
            page_size: each request's MaxResults, 1 to 1024; None lets the service
                choose.
            max_items: the most engagements to return in all (>= 1); the last page
                is cut to fit and its ``next_token`` is the resume token.
            starting_token: where to start: a ``resume_token``, or a NextToken
                from the service, boto3 or the AWS CLI (same filters).

        Raises:
            ParamValidationError: a bad argument, raised by this call, before
                anything is sent.

        While iterating, the errors of :meth:`list_engagements` are raised, and
        PaginationError if the service repeats a NextToken.
        """
        walk, body = self._walk(incident_id, time_range, page_size, max_items, starting_token)
        return self._page_iterator(walk, self._fetch(body))

    def iter_engagements(
        self,
        *,
        incident_id: str | None = None,
        time_range: TimeRange | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
    ) -> ItemsT:
        """Iterate engagements lazily across pages, newest first as the service sends them:
        an iterator of Engagement (datetimes timezone-aware UTC) with ``.resume_token``
        (an async iterator, for ``async for``, with the async client).

        Takes the same arguments, and raises the same errors, as :meth:`iter_pages`.
        ``.resume_token`` (on the iterator and on errors raised while iterating)
        continues exactly after the last engagement yielded.

        """
        walk, body = self._walk(incident_id, time_range, page_size, max_items, starting_token)
        return self._engagement_iterator(walk, self._fetch(body))

    def follow_engagements(
        self,
        *,
        incident_id: str | None = None,
        since: datetime | None = None,
        poll_interval: float = 30.0,
        lookback: float = 600.0,
        track_open_for: float = 86400.0,
        checkpoint: str | PathLike[str] | None = None,
    ) -> FeedT:
        """Follow engagements as they start and stop: an endless iterator of
        EngagementEvent (an async iterator, for ``async for``, with the async client).

        ``"started"`` is reported the first time an engagement is seen, ``"stopped"``
        when a seen engagement gains a stop time (one first seen already stopped gives
        both, in that order); each at most once per feed. Events of one poll come in
        start time order, ties by engagement ARN. Each poll lists every page of the
        engagements that started since the earlier of the newest start seen minus
        ``lookback`` and the start of the oldest open engagement still tracked, then
        waits ``poll_interval``. Nothing is sent until the first event is asked for.

        Args:
            incident_id: only the engagements of this incident (its ARN).
            since: report engagements that started at or after this aware datetime;
                None: now. Ignored when the checkpoint file exists.
            poll_interval: seconds between polls (> 0).
            lookback: seconds before the newest start seen that each poll still
                lists, for engagements the service shows late (>= 0).
            track_open_for: seconds after its start an open engagement is still
                watched for its stop (> 0).
            checkpoint: a JSON file recording what was delivered, written
                atomically each time the caller comes back for the next event (and
                by ``close``); a feed started with it continues after the last event
                taken, re-delivering at most the one in the caller's hands when a
                process died. Locked while the feed is open.

        Raises:
            ParamValidationError: a bad argument; nothing is sent or opened.
            ConfigurationError: naming the checkpoint file, when another live feed
                holds it, or it is unreadable, corrupt or written for another
                incident_id.

        While iterating, errors that retrying cannot fix end the feed (see the feed
        classes); a poll that still fails with a retryable error after the client's
        attempts is logged as a WARNING and made again after a back-off (the poll
        interval, doubling, at most 5 minutes).
        """
        state, file = open_follow(
            incident_id=incident_id,
            since=since,
            poll_interval=poll_interval,
            lookback=lookback,
            track_open_for=track_open_for,
            checkpoint=checkpoint,
            now=time.time(),
        )
        return self._feed(
            state, functools.partial(self.iter_pages, incident_id=state.incident_id), file
        )

    @staticmethod
    def _walk(
        incident_id: object,
        time_range: object,
        page_size: object,
        max_items: object,
        starting_token: object,
    ) -> tuple[Walk, Body]:
        """The walk for an iteration, and a function of (max_results, token) that gives
        each page's request body. Raises ParamValidationError."""
        incident = check_incident_id(incident_id)
        window = check_time_range(time_range)

        def body(max_results: int | None, token: str | None) -> bytes:
            return encode_request(
                ListEngagementsRequest(
                    incident_id=incident, max_results=max_results, next_token=token,
                    time_range=window,
                )
            )  # fmt: skip

        walk = make_walk(page_size=page_size, max_items=max_items, starting_token=starting_token)
        return walk, body


class EngagementsClient(ClientBase[PageIterator, EngagementIterator, EngagementFeed]):
    """A client for ListEngagements. Safe to share between threads; a context manager.

    Configuration precedence (region, credentials, endpoint, FIPS / dual-stack,
    retries, proxies, CA bundle) follows boto3: an argument, then the environment,
    then the profile, then the default; see the configuration guide. Every setting
    is checked here, except credentials, which are resolved at the first request.

    Args:
        region_name: AWS region, e.g. ``"us-east-2"``; else ``AWS_REGION``,
            ``AWS_DEFAULT_REGION``, the profile's ``region``.
        session: a botocore or boto3 Session to take the profile, region and
            credentials from (not together with ``profile_name``).
        profile_name: shared config / credentials profile; else ``AWS_PROFILE``.
        credentials: botocore ``Credentials`` (refreshable ones too) or
            ``ReadOnlyCredentials``; else botocore's credential chain.
        endpoint_url: ``https://`` (or loopback ``http://``) URL to send to, used
            as given; else ``AWS_ENDPOINT_URL_SSM_CONTACTS``, ``AWS_ENDPOINT_URL``,
            the profile, or the endpoint derived from the region.
        use_fips_endpoint: derive the FIPS endpoint; else
            ``AWS_USE_FIPS_ENDPOINT``, the profile, False.
        use_dualstack_endpoint: derive the dual-stack (IPv4 and IPv6) endpoint;
            else ``AWS_USE_DUALSTACK_ENDPOINT``, the profile, False.
        max_attempts: attempts per call, the first included (>= 1; 1 disables
            retries); else ``AWS_MAX_ATTEMPTS``, the profile, 3.
        max_backoff: longest wait between attempts, in seconds (>= 0).
        connect_timeout: seconds to wait for a connection (> 0), per attempt.
        read_timeout: seconds to wait for each read from the socket (> 0).
        verify: True to verify TLS certificates, a CA bundle path, or False (not
            recommended); else ``AWS_CA_BUNDLE``, the profile's ``ca_bundle``, True.
        allow_insecure_http: allow a plain ``http://`` endpoint on a non-loopback
            host (requests and session tokens then travel in clear text).
        user_agent_extra: text appended to the ``User-Agent`` header.
        retry_mode: ``"standard"`` or ``"adaptive"`` (standard plus a client-side
            rate limiter that slows every caller of this client down while the
            service throttles; see :attr:`send_rate`); ``"legacy"`` is read as
            standard; else ``AWS_RETRY_MODE``, the profile's ``retry_mode``,
            ``"standard"``.
        max_pool_connections: pooled keep-alive connections (>= 1; default 10,
            as botocore): as many as threads or tasks calling at once.
        hooks: observers of each call (:class:`ssm_engagements.hooks.Hook`
            objects, such as :class:`ssm_engagements.otel.TracingHook`); see the
            observability guide.

    Raises:
        ConfigurationError: a setting that cannot work: no region, a bad region
            name or endpoint URL, ``http://`` off loopback, max_attempts < 1, a
            negative max_backoff, a timeout <= 0, an unknown retry_mode,
            max_pool_connections < 1, an unreadable profile, both
            ``session`` and ``profile_name``, or ``hooks`` that are not a sequence
            of hook objects.
    """

    _page_iterator = PageIterator
    _engagement_iterator = EngagementIterator
    _feed = EngagementFeed

    def _make_caller(self, config: ClientConfig, credentials: CredentialSource) -> Caller:
        return Caller(config, credentials, self._hooks)

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
        """Close pooled connections. The client stays usable; it reconnects when needed.

        Never raises. Leaving a ``with`` block calls it.
        """
        self._caller.close()

    def list_engagements(
        self,
        *,
        incident_id: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        time_range: TimeRange | None = None,
    ) -> ListEngagementsResponse:
        """Fetch one page of engagements (one request, plus retries).

        Args:
            incident_id: only the engagements of this incident (its ARN, at most
                1024 characters).
            max_results: the most engagements the page may hold, 0 to 1024; 0 or
                None lets the service choose.
            next_token: the ``next_token`` of the previous page (the same filters
                must be passed); None or ``""`` for the first page.
            time_range: only engagements that started within this window (bounds
                inclusive, sent at millisecond precision).

        Returns:
            The page; its datetimes are timezone-aware UTC, and its ``next_token``
            is None on the last page.

        Raises:
            ParamValidationError: a bad argument; raised before anything is sent.
            NoCredentialsError: no credentials could be found; nothing was sent.
            ServiceError: the service answered with an error after any retries
                (AccessDeniedException, ThrottlingException, ValidationException,
                InternalServerException, or ServiceError for other codes).
            TransportError: the request could not complete after any retries.
            ResponseParseError: the answer was not the documented JSON.
        """
        body = self._list_body(incident_id, max_results, next_token, time_range)
        return self._caller.call(body)  # type: ignore[no-any-return]

    def _fetch(self, body: Body) -> Callable[[int | None, str | None], ListEngagementsResponse]:
        caller: Caller = self._caller

        def fetch(max_results: int | None, token: str | None) -> ListEngagementsResponse:
            return caller.call(body(max_results, token))

        return fetch
