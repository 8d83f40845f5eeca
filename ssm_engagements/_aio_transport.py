"""Sending signed requests with aiohttp (pooled keep-alive connections, proxies, TLS).

aiohttp is imported when the first AsyncEngagementsClient is made, never by
``import ssm_engagements``. Every failure to get a whole response becomes
TransportError (TransportTimeoutError for timeouts) with ``__cause__`` set, as in
the blocking transport.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib.util
import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ._wire import RawResponse, cassette_miss, is_cassette_miss
from .errors import ConfigurationError, TransportError, TransportTimeoutError

if TYPE_CHECKING:
    import aiohttp
    from botocore.awsrequest import AWSPreparedRequest

    from ._config import ClientConfig

_EXTRA = (
    "AsyncEngagementsClient needs aiohttp, which is not installed: "
    "pip install 'ssm-engagements[aio]'"
)


def check_aiohttp() -> None:
    """Raise ConfigurationError naming the extra when aiohttp is not installed, without
    importing it (~150 ms: the first request imports it, off the event loop)."""
    if importlib.util.find_spec("aiohttp") is None:
        raise ConfigurationError(_EXTRA)


def import_aiohttp() -> Any:
    """The aiohttp module. Raises ConfigurationError naming the extra when it is missing."""
    try:
        import aiohttp
    except ImportError as exc:
        raise ConfigurationError(_EXTRA) from exc
    return aiohttp


def _ssl_context(config: ClientConfig) -> ssl.SSLContext | bool:
    """What aiohttp's ``ssl=`` takes for the client's ``verify``: botocore's CA bundle by
    default (as the blocking client), a given bundle path, or False (no verification)."""
    if config.verify is False:
        return False
    if isinstance(config.verify, str):
        cafile = config.verify
    else:
        from botocore.httpsession import get_cert_path

        cafile = get_cert_path(True)
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise TransportError(f"Could not load the CA bundle {cafile!r}: {exc}") from exc


class AioTransport:
    """One aiohttp session per client, made on first use in the running event loop."""

    def __init__(self, config: ClientConfig) -> None:
        check_aiohttp()
        self._aiohttp: Any = None  # imported by prepare(), in a worker thread
        self._config = config
        self._session: aiohttp.ClientSession | None = None
        self._ssl: ssl.SSLContext | bool | None = None
        # Per request URL (a client posts to one): aiohttp's parsed URL and the proxy.
        self._targets: dict[str, tuple[Any, Any, dict[str, str] | None]] = {}

    def prepare(self) -> None:
        """Do the blocking part of the first request ahead of it (importing aiohttp, with
        yarl, and loading the CA bundle from disk), so it can run off the event loop."""
        if self._aiohttp is None:
            self._aiohttp = import_aiohttp()
        # A bad CA bundle is raised again by the first send, where the call plan reports it.
        if self._ssl is None:
            with contextlib.suppress(TransportError):
                self._ssl = _ssl_context(self._config)

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or session.closed:
            aiohttp: Any = self._aiohttp
            cfg = self._config
            if self._ssl is None:
                self._ssl = _ssl_context(cfg)
            connector = aiohttp.TCPConnector(
                limit=cfg.max_pool_connections,
                ssl=self._ssl,
                # aiohttp caches DNS per connector; botocore does not: match it.
                use_dns_cache=False,
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=cfg.connect_timeout, sock_read=cfg.read_timeout
                ),
                # The signed headers are sent as they are: no extra Accept or User-Agent.
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                auto_decompress=False,
                trust_env=False,  # proxies come resolved from the client's configuration
            )
        return session

    def _proxy(self, url: str) -> tuple[Any, Any]:
        """The proxy URL for url without its credentials, and those as a
        Proxy-Authorization header (aiohttp's error messages quote the proxy URL)."""
        proxies = self._config.proxies
        proxy = proxies.get("https" if url.startswith("https:") else "http") if proxies else None
        if not proxy:
            return None, None
        scheme, _, rest = proxy.partition("://")
        # The last "@" ends the user info: a password may hold "/" or "@" unescaped.
        userinfo, at, host = rest.rpartition("@")
        if not at:
            return proxy, None
        user, _, password = userinfo.partition(":")
        basic = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
        return f"{scheme}://{host}", {"Proxy-Authorization": "Basic " + basic}

    async def send(self, request: AWSPreparedRequest) -> RawResponse:
        """Send one request and read the whole body.

        Raises TransportError (TransportTimeoutError for timeouts) for a failed
        connection, TLS error, timeout, or a body shorter than its Content-Length.
        """
        if self._aiohttp is None:
            self.prepare()
        aiohttp: Any = self._aiohttp
        url: str = request.url
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        target = self._targets.get(url)
        if target is None:
            import yarl

            target = self._targets[url] = (yarl.URL(url, encoded=True), *self._proxy(url))
        parsed, proxy, proxy_headers = target
        if proxy_headers and not url.startswith("https:"):
            # A forwarded (not tunnelled) request carries the proxy's credentials itself.
            headers.update(proxy_headers)
            proxy_headers = None
        try:
            async with self._get_session().post(
                parsed, data=request.body, headers=headers, proxy=proxy, proxy_headers=proxy_headers
            ) as response:
                body = await response.read()
                return RawResponse(response.status, response.headers, body)
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TransportTimeoutError(f"Request to {url} timed out: {exc}") from exc
        except (aiohttp.ClientSSLError, ssl.SSLError) as exc:
            raise TransportError(f"TLS failure talking to {url}: {exc}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise TransportError(f"Response from {url} was truncated: {exc}") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise TransportError(f"Could not complete request to {url}: {exc}") from exc
        except Exception as exc:  # vcrpy's aiohttp stub raises its miss from the request
            if is_cassette_miss(exc):
                raise cassette_miss(url) from exc
            raise

    async def close(self) -> None:
        """Close pooled connections; a later send opens new ones."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def drop(self) -> None:
        """Forget the session without closing it (its event loop is gone)."""
        self._session = None
