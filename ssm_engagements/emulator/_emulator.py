"""The public Emulator: a local SSM Contacts ListEngagements endpoint for tests."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from botocore.credentials import Credentials

from ._ratelimit import RequestRateLimit
from ._server import EmulatorHTTPServer
from ._service import RecordedRequest, Service
from ._store import parse_engagement, to_epoch_ms

if TYPE_CHECKING:
    from .. import AsyncEngagementsClient, EngagementsClient

__all__ = ["DEFAULT_ACCESS_KEY_ID", "DEFAULT_SECRET_ACCESS_KEY", "Emulator"]

DEFAULT_ACCESS_KEY_ID = "AKIDEMULATOR"
"""The access key id the emulator accepts unless told otherwise (not a real key)."""
DEFAULT_SECRET_ACCESS_KEY = "emulator/secret/access/key/EXAMPLEKEY"
"""The secret key the emulator verifies signatures with unless told otherwise (not a real key)."""


class Emulator:
    """A local, in-process SSM Contacts endpoint serving ListEngagements over HTTP/1.1.

    It speaks awsJson1.1 as the service does: SigV4 checked against ``credentials``
    (scope must be ``region`` / ``ssm-contacts``; X-Amz-Date within 5 minutes of
    the emulator's clock), validation and error shapes as AWS sends them, newest-first
    paging with tamper-checked NextTokens, and injectable faults (``inject``).

    The emulator's clock is ``time.time() + clock_offset`` (epoch seconds, UTC);
    it dates every response and judges signature expiry. ``clock_offset`` may be
    reassigned at any time. Use as a context manager, or call ``start``/``stop``.
    All methods are thread-safe.
    """

    DEFAULT_PAGE_SIZE = 100
    """Page size when a request has no MaxResults or MaxResults 0."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        access_key_id: str = DEFAULT_ACCESS_KEY_ID,
        secret_access_key: str = DEFAULT_SECRET_ACCESS_KEY,
        session_token: str | None = None,
        verify_signatures: bool = True,
        engagements: Iterable[Any] = (),
        clock_offset: float = 0.0,
        token_key: str | bytes | None = None,
    ) -> None:
        """Configure (not start) an emulator.

        ``port`` 0 picks a free port at ``start``. With ``session_token`` set,
        requests must carry it as X-Amz-Security-Token. ``verify_signatures=False``
        skips every authentication check. ``engagements`` is passed to
        ``add_engagements``: bad ones raise ValueError or TypeError, as there.
        ``clock_offset`` is in seconds (positive: the emulator's clock is ahead).
        ``token_key`` signs the NextTokens it issues (a str is UTF-8 encoded): emulators
        with the same key and the same engagements accept each other's tokens, so a
        token survives a restart; None (the default) draws a random key, and tokens
        from any other emulator are rejected. An empty key raises ValueError.
        Nothing is bound until ``start``, so an unusable ``host`` or ``port`` is an
        OSError there.
        """
        self.host = host
        self.clock_offset = float(clock_offset)
        self._port = port
        key = token_key.encode() if isinstance(token_key, str) else token_key
        if key is not None and not key:
            raise ValueError("token_key must not be empty")
        self._service = Service(
            credentials=Credentials(access_key_id, secret_access_key, session_token),
            region=region,
            verify_signatures=verify_signatures,
            clock=self.now,
            page_size=self.DEFAULT_PAGE_SIZE,
            token_key=key,
        )
        self._lifecycle = threading.Lock()
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add_engagements(*engagements)

    # -- configuration -------------------------------------------------------------
    def now(self) -> float:
        """The emulator's clock: ``time.time() + clock_offset``, epoch seconds (UTC)."""
        return time.time() + self.clock_offset

    @property
    def region(self) -> str:
        """The region requests must be signed for."""
        return self._service.region

    @property
    def credentials(self) -> Credentials:
        """The botocore Credentials a client should sign with."""
        return self._service.credentials

    @property
    def port(self) -> int:
        """The bound TCP port. Raises RuntimeError before ``start``."""
        return self._running().server_port

    @property
    def url(self) -> str:
        """The endpoint URL, ``http://<host>:<port>``. Raises RuntimeError before ``start``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, oldest first."""
        return self._service.requests

    def _running(self) -> EmulatorHTTPServer:
        server = self._server
        if server is None:
            raise RuntimeError("the emulator is not running; call start() or use 'with'")
        return server

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> Emulator:
        """Bind and serve in a daemon thread; returns self. Raises RuntimeError if running,
        OSError if the address cannot be bound."""
        with self._lifecycle:
            if self._server is not None:
                raise RuntimeError("the emulator is already running")
            server = EmulatorHTTPServer((self.host, self._port), self._service)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},  # shutdown() waits up to one interval
                name="ssm-contacts-emulator",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and close every connection, idle keep-alive ones included.

        Returns within about a second even with clients connected; a no-op when
        not running. Requests being delayed by a "delay" fault are dropped.
        """
        with self._lifecycle:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.close_all()
        server.server_close()
        if thread is not None:
            thread.join(1.0)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- data ------------------------------------------------------------------------
    def add_engagements(self, *engagements: Any) -> None:
        """Add engagements: dicts in the API's wire shape or ``Engagement`` models.

        Dict keys are PascalCase (EngagementArn, ContactArn, Sender required;
        IncidentId, StartTime, StopTime optional); timestamps are ISO-8601 strings
        (no offset means UTC), epoch seconds, or datetimes (naive means UTC), kept
        to the millisecond. Raises ValueError / TypeError for bad input, adding none.
        """
        parsed = [parse_engagement(item) for item in engagements]
        self._service.store.add(parsed)

    def stop_engagement(self, engagement_arn: str, stop_time: datetime | None = None) -> None:
        """Stop an engagement: set its StopTime (to the millisecond), as StopEngagement
        does; later ListEngagements answers show it. Safe while serving.

        ``stop_time`` is a datetime (naive means UTC; the other timestamp forms of
        ``add_engagements`` work too); None means the emulator's ``now()``. Stopping a
        stopped engagement moves its stop time. Raises KeyError (also a ValueError)
        naming the ARN when no engagement has it, ValueError for a bad ``stop_time``.
        """
        when = self.now() if stop_time is None else stop_time
        millis = to_epoch_ms(when, "stop_time")
        assert millis is not None
        self._service.store.stop(engagement_arn, millis)

    def load(self, path: str | os.PathLike[str]) -> int:
        """Add the engagements of a JSON file shaped ``{"Engagements": [...]}``.

        Timestamps as in ``add_engagements``. Returns how many were added. Raises
        OSError when the file cannot be read, ValueError when it is not that shape.
        """
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or not isinstance(data.get("Engagements"), list):
            raise ValueError(
                f'{os.fspath(path)!r}: expected a JSON object {{"Engagements": [...]}}'
            )
        items: list[Any] = data["Engagements"]
        self.add_engagements(*items)
        return len(items)

    def clear(self) -> None:
        """Remove every engagement, pending fault and recorded request."""
        self._service.store.clear()
        self._service.faults.clear()
        self._service.clear_requests()

    def __len__(self) -> int:
        """How many engagements the emulator holds."""
        return len(self._service.store)

    # -- faults ----------------------------------------------------------------------
    def inject(self, fault: str, *, times: int = 1, seconds: float | None = None) -> None:
        """Make the next ``times`` ListEngagements requests fail with ``fault``.

        Faults apply after the operation and signature checks, in the order injected.
        ``seconds`` is the "delay" wait (default 1.0), the RetryAfterSeconds of
        "throttle" (default 0) and "internal" (default absent), and the Retry-After
        header of "http429"/"http503" (default absent); hints are rounded up to whole
        seconds. Raises ValueError for an unknown fault, ``times`` < 1, a negative
        ``seconds`` or ``seconds`` given to a fault that does not use it.
        """
        self._service.faults.add(fault, times=times, seconds=seconds)

    def set_rate_limit(self, requests_per_second: float | None, burst: int = 1) -> None:
        """Throttle as the service does: ListEngagements requests above
        ``requests_per_second`` (on average; ``burst`` at once) are answered HTTP 400
        ThrottlingException "Rate exceeded" with ``QuotaCode`` and ``ServiceCode``.
        None switches the limit off.

        A token bucket holding ``burst`` tokens, full when set, refilled at
        ``requests_per_second`` (wall-clock, unaffected by ``clock_offset``); a throttled
        request takes none. Applies after the operation and signature checks, before
        injected faults (a throttled request uses none). Raises ValueError for a rate
        that is not a finite number > 0 or a ``burst`` < 1.
        """
        self._service.rate_limit = (
            None if requests_per_second is None else RequestRateLimit(requests_per_second, burst)
        )

    @property
    def rate_limit(self) -> tuple[float, int] | None:
        """The rate limit as (requests per second, burst), None when off."""
        limit = self._service.rate_limit
        return None if limit is None else (limit.requests_per_second, limit.burst)

    @property
    def pending_faults(self) -> list[tuple[str, int]]:
        """Faults not yet used up, as (name, requests left), next first."""
        return self._service.faults.pending()

    # -- clients ---------------------------------------------------------------------
    def client(self, **kwargs: Any) -> EngagementsClient:
        """An ``ssm_engagements.EngagementsClient`` pointed at this emulator.

        ``kwargs`` go to the constructor; region, endpoint and credentials default to
        this emulator's and may be overridden.
        Raises RuntimeError before ``start``.
        """
        from .. import EngagementsClient  # lazy: the emulator must not need the client

        return EngagementsClient(**self._client_kwargs(kwargs))

    def async_client(self, **kwargs: Any) -> AsyncEngagementsClient:
        """An ``ssm_engagements.AsyncEngagementsClient`` pointed at this emulator (needs
        the ``aio`` extra); close it with ``await client.close()`` or ``async with``.

        ``kwargs`` as for :meth:`client`. Raises RuntimeError before ``start``, and
        ConfigurationError when aiohttp is not installed.
        """
        from .. import AsyncEngagementsClient

        return AsyncEngagementsClient(**self._client_kwargs(kwargs))

    def _client_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("region_name", self.region)
        kwargs.setdefault("endpoint_url", self.url)
        kwargs.setdefault("credentials", self.credentials)
        return kwargs

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"Emulator({where}, region={self.region!r}, engagements={len(self)})"
