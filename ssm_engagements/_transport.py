"""Sending signed requests with botocore's URLLib3Session (pooling, proxies, TLS).

Every failure to get a whole response becomes TransportError with ``__cause__`` set.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._wire import RawResponse, cassette_miss, is_cassette_miss
from .errors import TransportError, TransportTimeoutError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from botocore.httpsession import URLLib3Session

    from ._config import ClientConfig

# botocore passes an empty list, which drops urllib3's default TCP_NODELAY; botocore
# then writes headers and body in two sends, and Nagle plus delayed ACKs stall every
# keep-alive request by ~40 ms.
_SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


def _read_body(response: AWSResponse, request: AWSPreparedRequest) -> bytes:
    """The whole body of a response sent with stream_output=True, in one read.

    Errors become the botocore exceptions URLLib3Session.send raises for them when it
    reads the body itself, so callers see the same errors either way. A body cut short
    of its Content-Length is returned as far as it came; the caller reports it.
    """
    raw = response.raw
    try:
        data: bytes = raw.read()
    except Exception as exc:  # the classes to tell apart are imported only now
        from http.client import IncompleteRead

        from urllib3.exceptions import ProtocolError

        cause = exc.args[1] if isinstance(exc, ProtocolError) and len(exc.args) > 1 else None
        if isinstance(cause, IncompleteRead) and raw.length_remaining is not None:
            return bytes(cause.partial)  # a Content-Length body cut short
        raise _botocore_error(exc, request) from exc
    return data


def _botocore_error(exc: Exception, request: AWSPreparedRequest) -> Exception:
    """The exception URLLib3Session.send raises for exc (see its send())."""
    from botocore import exceptions as bex
    from urllib3.exceptions import ProtocolError
    from urllib3.exceptions import ReadTimeoutError as URLLib3ReadTimeoutError
    from urllib3.exceptions import SSLError as URLLib3SSLError

    error: Exception
    if isinstance(exc, URLLib3ReadTimeoutError):
        error = bex.ReadTimeoutError(endpoint_url=request.url, error=exc)
    elif isinstance(exc, URLLib3SSLError):
        error = bex.SSLError(endpoint_url=request.url, error=exc)
    elif isinstance(exc, ProtocolError):
        error = bex.ConnectionClosedError(error=exc, request=request, endpoint_url=request.url)
    else:
        error = bex.HTTPClientError(error=exc)
    return error


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
                        "max_pool_connections": cfg.max_pool_connections,
                        "socket_options": _SOCKET_OPTIONS,
                        "proxies_config": dict(cfg.proxies_config) or None,
                    }
                    self._session = URLLib3Session(**options)
                session = self._session
        return session

    def send(self, request: AWSPreparedRequest) -> RawResponse:
        """Send one request and read the whole body.

        Raises TransportError (TransportTimeoutError for timeouts) for a failed
        connection, TLS error, timeout, or a body shorter than its Content-Length.
        """
        from botocore import exceptions as bex

        # The body is read by _read_body, not by botocore (stream_output=False would
        # read it in 64 KiB chunks and join them: twice the CPU for a 1,000-item page).
        request.stream_output = True
        try:
            response: Any = self._get_session().send(request)
            body = _read_body(response, request)
        except (bex.ConnectTimeoutError, bex.ReadTimeoutError) as exc:
            raise TransportTimeoutError(f"Request to {request.url} timed out: {exc}") from exc
        except bex.SSLError as exc:
            raise TransportError(f"TLS failure talking to {request.url}: {exc}") from exc
        except (bex.HTTPClientError, bex.EndpointConnectionError) as exc:
            if is_cassette_miss(exc):
                raise cassette_miss(request.url) from exc
            raise TransportError(f"Could not complete request to {request.url}: {exc}") from exc
        except OSError as exc:
            raise TransportError(f"Could not complete request to {request.url}: {exc}") from exc
        headers: Mapping[str, str] = response.headers
        expected = headers.get("Content-Length")
        if expected is not None and expected.isdigit() and len(body) < int(expected):
            from http.client import IncompleteRead  # ~10 ms to import; only needed here

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
