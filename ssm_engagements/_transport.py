"""Sending signed requests with botocore's URLLib3Session (pooling, proxies, TLS).

Every failure to get a whole response becomes TransportError with ``__cause__`` set.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from http.client import IncompleteRead
from typing import TYPE_CHECKING, Any

import attrs

from .errors import TransportError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest
    from botocore.httpsession import URLLib3Session

    from ._config import ClientConfig

_POOL_CONNECTIONS = 10
# botocore passes an empty list, which drops urllib3's default TCP_NODELAY; botocore
# then writes headers and body in two sends, and Nagle plus delayed ACKs stall every
# keep-alive request by ~40 ms.
_SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


@attrs.frozen
class RawResponse:
    """A complete HTTP response: status, case-insensitive headers, the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class TimeoutTransportError(TransportError):
    """A connect or read timeout (costs more retry quota than other transport errors)."""


class Transport:
    """One pooled HTTP session per client; safe to share between threads."""

    def __init__(self, config: ClientConfig) -> None:
        self._config = config
        self._session: URLLib3Session | None = None
        self._lock = threading.Lock()

    def _get_session(self) -> URLLib3Session:
        session = self._session
        if session is None:
            with self._lock:
                if self._session is None:
                    from botocore.httpsession import URLLib3Session

                    cfg = self._config
                    options: dict[str, Any] = {
                        "verify": cfg.verify,
                        "proxies": dict(cfg.proxies),
                        "timeout": (cfg.connect_timeout, cfg.read_timeout),
                        "max_pool_connections": _POOL_CONNECTIONS,
                        "socket_options": _SOCKET_OPTIONS,
                        "proxies_config": dict(cfg.proxies_config) or None,
                    }
                    self._session = URLLib3Session(**options)
                session = self._session
        return session

    def send(self, request: AWSPreparedRequest) -> RawResponse:
        """Send one request and read the whole body.

        Raises TransportError (TimeoutTransportError for timeouts) for a failed
        connection, TLS error, timeout, or a body shorter than its Content-Length.
        """
        from botocore import exceptions as bex

        try:
            response: Any = self._get_session().send(request)
            body: bytes = response.content
        except (bex.ConnectTimeoutError, bex.ReadTimeoutError) as exc:
            raise TimeoutTransportError(f"Request to {request.url} timed out: {exc}") from exc
        except bex.SSLError as exc:
            raise TransportError(f"TLS failure talking to {request.url}: {exc}") from exc
        except (bex.HTTPClientError, bex.EndpointConnectionError) as exc:
            raise TransportError(f"Could not complete request to {request.url}: {exc}") from exc
        except OSError as exc:
            raise TransportError(f"Could not complete request to {request.url}: {exc}") from exc
        headers: Mapping[str, str] = response.headers
        expected = headers.get("Content-Length")
        if expected is not None and expected.isdigit() and len(body) < int(expected):
            raise TransportError(
                f"Response from {request.url} was truncated: {len(body)} of {expected} bytes"
            ) from IncompleteRead(body, int(expected) - len(body))
        return RawResponse(response.status_code, headers, body)

    def close(self) -> None:
        """Close pooled connections; a later send opens new ones."""
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None
