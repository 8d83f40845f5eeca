"""Resolve an EngagementsClient's settings: region, endpoint, retries, TLS, proxies, credentials.

Each setting follows the contract's precedence: argument, then environment, then the profile
(a botocore session's instance variables, then its shared-config profile), then a default.
A botocore session is costly (its import alone is ~100 ms), so a ``SessionHolder`` creates it
at most once and only when a profile value is needed. The client builds one holder with
``lazy_session(session, profile_name)`` and passes it to both
``resolve_config(..., session_factory=holder)`` and ``CredentialSource(credentials, holder)``;
given ``session_factory``, ``resolve_config`` ignores its ``session`` and ``profile_name``.

Bad settings raise ConfigurationError naming the setting, the rule and the value; missing
credentials raise NoCredentialsError. No message or repr ever holds a secret.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import sys
import threading
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from ._version import __version__
from .errors import ConfigurationError, NoCredentialsError

if TYPE_CHECKING:
    import botocore.credentials
    import botocore.session

__all__ = ["ClientConfig", "CredentialSource", "SessionHolder", "lazy_session", "resolve_config"]

_REGION_RE = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_NO_CREDENTIALS = (
    "No AWS credentials found. Pass credentials=, set AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary ones), put them in the shared "
    "credentials file (~/.aws/credentials), sign in with `aws sso login`, or choose a profile "
    "that has them (profile_name= or AWS_PROFILE)."
)


def _redact_proxies(proxies: Mapping[str, str]) -> str:
    # Proxy URLs may carry user:password; keep them out of reprs.
    return repr({k: re.sub(r"//[^/@]*@", "//***@", v) for k, v in proxies.items()})


@attrs.frozen(kw_only=True)
class ClientConfig:
    """The resolved, validated client settings."""

    region_name: str
    endpoint_url: str
    max_attempts: int
    max_backoff: float
    connect_timeout: float
    read_timeout: float
    verify: bool | str
    proxies: Mapping[str, str] = attrs.field(repr=_redact_proxies)
    proxies_config: Mapping[str, object]
    user_agent_extra: str | None = None

    @property
    def user_agent(self) -> str:
        """The User-Agent header: ``ssm-engagements/<version> botocore/<version> Python/...``
        plus user_agent_extra. Built at the first request: it imports botocore."""
        base = _base_user_agent()
        return base if self.user_agent_extra is None else f"{base} {self.user_agent_extra}"


@contextlib.contextmanager
def _profile_errors() -> Generator[None, None, None]:
    import botocore.exceptions

    try:
        yield
    except botocore.exceptions.BotoCoreError as exc:  # ProfileNotFound, ConfigParseError, ...
        raise ConfigurationError(f"Cannot read the AWS shared config: {exc}") from exc


class SessionHolder:
    """Creates the botocore session on first call, at most once (thread-safe).

    ``session`` may be a botocore or boto3 Session. Raises ConfigurationError for another
    type, or when both ``session`` and ``profile_name`` are given.
    """

    def __init__(self, session: object | None = None, profile_name: str | None = None) -> None:
        if session is not None:
            if profile_name is not None:
                raise ConfigurationError("Pass session= or profile_name=, not both")
            import botocore.session

            session = getattr(session, "_session", session)  # a boto3.Session wraps one
            if not isinstance(session, botocore.session.Session):
                raise ConfigurationError(
                    f"session= must be a botocore or boto3 Session; got {type(session).__name__}"
                )
        self._session: botocore.session.Session | None = session
        self._profile_name = profile_name
        self._default = session is None and profile_name is None
        self._scoped: Mapping[str, Any] | None = None
        self._maybe: bool | None = None
        self._lock = threading.Lock()

    @property
    def created(self) -> bool:
        """Whether a session exists (given, or created by a call)."""
        return self._session is not None

    @property
    def default(self) -> bool:
        """True when neither a session nor a profile name was given: botocore's default
        session, whose credential chain starts with the environment."""
        return self._default

    def __call__(self) -> botocore.session.Session:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import botocore.session

                    self._session = botocore.session.Session(profile=self._profile_name)
        return self._session

    def may_have_profile_values(self) -> bool:
        """False only when no session or profile is named and no shared config file exists."""
        if self._session is not None or self._profile_name is not None:
            return True
        if self._maybe is None:  # checked once per holder: it is asked for every setting
            env = os.environ
            # botocore merges the credentials file's keys (even `region`) into the profile;
            # a named profile counts even without files, so that its absence is reported.
            files = (
                env.get("AWS_CONFIG_FILE") or "~/.aws/config",
                env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials",
            )
            self._maybe = bool(env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")) or any(
                os.path.exists(os.path.expanduser(f)) for f in files
            )
        return self._maybe

    def scoped_config(self) -> Mapping[str, Any]:
        """The profile's shared-config values ({} when there can be none)."""
        if self._scoped is None:
            scoped: Mapping[str, Any] = {}
            if self.may_have_profile_values():
                with _profile_errors():
                    scoped = self().get_scoped_config()
            self._scoped = scoped
        return self._scoped

    def profile_value(self, key: str) -> object | None:
        """A session instance variable (e.g. boto3 ``region_name=``), else the profile's."""
        if not self.may_have_profile_values():
            return None
        value = self().instance_variables().get(key)
        return self.scoped_config().get(key) if value is None else value


lazy_session = SessionHolder  # the holder the client shares with CredentialSource


def _env(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None  # an empty variable counts as unset


def _first(
    holder: SessionHolder, key: str, env: tuple[str, ...], arg: object = None, arg_name: str = ""
) -> tuple[object, str] | None:
    """The first value set and where it came from: argument > environment > profile."""
    if arg is not None:
        return arg, f"{arg_name or key}="
    for name in env:
        if (text := _env(name)) is not None:
            return text, name
    value = holder.profile_value(key)
    return None if value in (None, "") else (value, f"`{key}` in the profile")


def _flag(holder: SessionHolder, key: str, env: str, arg: bool | None = None) -> bool:
    found = _first(holder, key, (env,), arg)
    if found is None:
        return False
    value, source = found
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise ConfigurationError(f"{source} must be true or false; got {value!r}")
    return value


@functools.lru_cache(maxsize=1)
def _partitions() -> tuple[dict[str, Any], ...]:
    import botocore  # the package alone is cheap; its data files sit next to it

    path = os.path.join(os.path.dirname(botocore.__file__), "data", "partitions.json")
    with open(path, encoding="utf-8") as f:
        return tuple(json.load(f)["partitions"])


def _derive_endpoint(region: str, fips: bool, dualstack: bool) -> str:
    parts = _partitions()
    partition = (
        next((p for p in parts if region in p["regions"]), None)
        or next((p for p in parts if re.match(p["regionRegex"], region)), None)
        or next(p for p in parts if p["id"] == "aws")
    )
    out: dict[str, Any] = partition["outputs"]
    if (fips and not out.get("supportsFIPS")) or (dualstack and not out.get("supportsDualStack")):
        raise ConfigurationError(
            f"Partition {partition['id']!r} (region {region!r}) has no endpoint with "
            f"use_fips_endpoint={fips} and use_dualstack_endpoint={dualstack}"
        )
    suffix = out["dualStackDnsSuffix" if dualstack else "dnsSuffix"]
    return f"https://ssm-contacts{'-fips' if fips else ''}.{region}.{suffix}"


def _resolve_endpoint(
    arg: object, region: str, fips: bool | None, dual: bool | None, holder: SessionHolder
) -> tuple[object, str]:
    """The endpoint URL (unchecked) and where it came from."""
    if arg is not None:
        if fips or dual:
            raise ConfigurationError(
                "endpoint_url= is used as given: it cannot be combined with "
                "use_fips_endpoint=True or use_dualstack_endpoint=True"
            )
        return arg, "endpoint_url="
    ignore = "ignore_configured_endpoint_urls"
    if not _flag(holder, ignore, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        for name in ("AWS_ENDPOINT_URL_SSM_CONTACTS", "AWS_ENDPOINT_URL"):
            if (value := _env(name)) is not None:
                return value, name
        if holder.may_have_profile_values():
            from botocore.configprovider import ConfiguredEndpointProvider

            with _profile_errors():  # botocore's own profile + `services` section lookup
                found = ConfiguredEndpointProvider(
                    full_config=holder().full_config,
                    scoped_config=holder.scoped_config(),
                    client_name="ssm-contacts",
                    environ={},  # the environment was read above
                ).provide()
            if found:
                return str(found), "`endpoint_url` in the profile or its services section"
    use_fips = _flag(holder, "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT", fips)
    use_dual = _flag(holder, "use_dualstack_endpoint", "AWS_USE_DUALSTACK_ENDPOINT", dual)
    return _derive_endpoint(region, use_fips, use_dual), "the derived endpoint"


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower().rstrip(".") == "localhost"


def _check_endpoint(url: object, source: str, allow_insecure_http: bool) -> str:
    if not isinstance(url, str):
        raise ConfigurationError(f"{source} must be a URL string; got {type(url).__name__}")
    if "@" in url:  # user info (user:password@); not echoed, it may be a secret
        raise ConfigurationError(f"{source} must not contain '@' (user info)")
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unbalanced [IPv6] host, a port not a number or out of range
        parts, ok = urlsplit(""), False
    if not ok or parts.query or parts.fragment or _CONTROL_RE.search(url) or " " in url:
        raise ConfigurationError(
            f"{source} must be an http:// or https:// URL with a host, an optional port in "
            f"1..65535 and path, no query, fragment or spaces; got {url!r}"
        )
    host = parts.hostname or ""
    if parts.scheme.lower() == "http" and not allow_insecure_http and not _is_loopback(host):
        raise ConfigurationError(
            f"{source} is plain http:// to a non-loopback host ({url!r}): requests, including "
            "any session token, would travel in clear text. Use https://, or pass "
            "allow_insecure_http=True to accept that."
        )
    return url[:-1] if parts.path == "/" else url


def _number(name: str, value: object, *, allow_zero: bool) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
        or (value == 0 and not allow_zero)
    ):
        rule = ">= 0" if allow_zero else "> 0"
        raise ConfigurationError(f"{name}= must be a finite number {rule}; got {value!r}")
    return float(value)


def _max_attempts(holder: SessionHolder, arg: int | None) -> int:
    found = _first(holder, "max_attempts", ("AWS_MAX_ATTEMPTS",), arg)
    if found is None:
        return 3
    value, source = found
    if isinstance(value, str) and source != "max_attempts=" and re.fullmatch(r"[+-]?\d+", value):
        value = int(value)  # text from the environment or the profile
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigurationError(f"{source} must be an integer >= 1; got {found[0]!r}")
    return value


@functools.lru_cache(maxsize=1)
def _base_user_agent() -> str:
    import platform

    import botocore

    return (
        f"ssm-engagements/{__version__} botocore/{botocore.__version__} "
        f"Python/{platform.python_version()} {platform.system()}/{platform.release()}"
    )


def _environ_proxies(url: str) -> dict[str, str]:
    """botocore.utils.get_environ_proxies, without importing botocore.utils (~100 ms)."""
    # Off macOS / Windows urllib reads only *_proxy variables: none set means no proxy.
    if sys.platform != "darwin" and os.name != "nt":
        if not any(k.lower().endswith("_proxy") and v for k, v in os.environ.items()):
            return {}
    from urllib.request import getproxies, proxy_bypass

    try:
        if proxy_bypass(urlsplit(url).netloc):
            return {}
    except (TypeError, OSError):  # as botocore: a failing bypass check means "use the proxy"
        pass
    return dict(getproxies())


def resolve_config(
    region_name: str | None = None,
    *,
    session: object | None = None,
    profile_name: str | None = None,
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
    session_factory: SessionHolder | None = None,
) -> ClientConfig:
    """Resolve and validate every client setting. Raises ConfigurationError."""
    holder = SessionHolder(session, profile_name) if session_factory is None else session_factory
    env = ("AWS_REGION", "AWS_DEFAULT_REGION")
    found = _first(holder, "region", env, region_name, "region_name")
    if found is None:
        raise ConfigurationError(
            "No AWS region configured: pass region_name=, set AWS_REGION or AWS_DEFAULT_REGION, "
            "or set `region` in the profile (~/.aws/config)."
        )
    region, source = found
    if not isinstance(region, str) or not _REGION_RE.match(region):
        raise ConfigurationError(
            f"{source} must be a region name usable as a DNS label (letters, digits and inner "
            f"hyphens, 1-63 characters); got {region!r}"
        )

    url, source = _resolve_endpoint(
        endpoint_url, region, use_fips_endpoint, use_dualstack_endpoint, holder
    )
    url = _check_endpoint(url, source, allow_insecure_http)

    found = _first(holder, "ca_bundle", ("AWS_CA_BUNDLE",), verify, "verify")
    tls, source = found or (True, "")
    if not isinstance(tls, (bool, str)) or tls == "":
        raise ConfigurationError(f"{source} must be True, False or a CA bundle path; got {tls!r}")

    proxies_config: dict[str, object] = {}
    if holder.may_have_profile_values():
        with _profile_errors():  # botocore merges the profile's proxy_* keys into one dict
            value = holder().get_config_variable("proxies_config")
        proxies_config = dict(value) if isinstance(value, dict) else {}

    if user_agent_extra is not None and _CONTROL_RE.search(user_agent_extra):
        # a header value: no CR/LF injection
        raise ConfigurationError(
            f"user_agent_extra= must not hold control characters; got {user_agent_extra!r}"
        )

    return ClientConfig(
        region_name=region,
        endpoint_url=url,
        max_attempts=_max_attempts(holder, max_attempts),
        max_backoff=_number("max_backoff", max_backoff, allow_zero=True),
        connect_timeout=_number("connect_timeout", connect_timeout, allow_zero=False),
        read_timeout=_number("read_timeout", read_timeout, allow_zero=False),
        verify=tls,
        proxies=_environ_proxies(url),
        proxies_config=proxies_config,
        user_agent_extra=user_agent_extra,
    )


class EnvCredentials:
    """Static credentials from the environment: what botocore's EnvProvider gives (plain
    Credentials, method "env"), held without importing botocore.credentials (~8 ms of a
    cold start). SigV4 signing reads only access_key, secret_key and token;
    get_frozen_credentials() gives botocore's ReadOnlyCredentials like any other source.
    """

    __slots__ = ("access_key", "secret_key", "token")
    method = "env"

    def __init__(self, access_key: str, secret_key: str, token: str | None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token

    def get_frozen_credentials(self) -> botocore.credentials.ReadOnlyCredentials:
        from botocore.credentials import ReadOnlyCredentials

        return ReadOnlyCredentials(self.access_key, self.secret_key, self.token)

    def __repr__(self) -> str:
        return "EnvCredentials(method='env')"  # never the values


def _env_credentials() -> EnvCredentials | None:
    """What botocore's default credential chain returns when the environment holds static
    credentials, without creating a botocore session (~25 ms at a cold start).

    The chain's first provider is botocore's EnvProvider; its result is mirrored for the
    common case: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, a token from
    AWS_SECURITY_TOKEN else AWS_SESSION_TOKEN, no AWS_CREDENTIAL_EXPIRATION. Anything
    else (partial or refreshable credentials, none at all) returns None: the chain decides.
    """
    environ = os.environ
    access_key = environ.get("AWS_ACCESS_KEY_ID", "")
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key or environ.get("AWS_CREDENTIAL_EXPIRATION", ""):
        return None
    token = environ.get("AWS_SECURITY_TOKEN", "") or environ.get("AWS_SESSION_TOKEN", "")
    return EnvCredentials(access_key, secret_key, token or None)


class CredentialSource:
    """Lazily resolves credentials once (thread-safe, a lock), then returns frozen ones per request.

    ``credentials`` (botocore / boto3 Credentials, or ReadOnlyCredentials) win over the
    session's chain. Raises ConfigurationError at construction for another type.
    """

    def __init__(
        self, credentials: object | None, session_factory: Callable[[], botocore.session.Session]
    ) -> None:
        if credentials is not None and not (
            hasattr(credentials, "get_frozen_credentials")
            or (hasattr(credentials, "access_key") and hasattr(credentials, "secret_key"))
        ):
            raise ConfigurationError(  # the type only: the value may be a secret
                "credentials= must be botocore Credentials or ReadOnlyCredentials; "
                f"got {type(credentials).__name__}"
            )
        self._explicit = credentials is not None
        self._resolved: Any = credentials
        self._factory = session_factory
        self._lock = threading.Lock()

    def get(self) -> botocore.credentials.ReadOnlyCredentials:
        """Frozen credentials for one request. Raises NoCredentialsError when there are none."""
        frozen = self.for_signing()
        if isinstance(frozen, EnvCredentials):
            return frozen.get_frozen_credentials()
        return frozen

    def for_signing(self) -> botocore.credentials.ReadOnlyCredentials | EnvCredentials:
        """What get() gives, except that environment credentials come as they are (the
        signer reads the same three fields). Raises NoCredentialsError."""
        creds = self._resolved
        if creds is None:
            with self._lock:  # resolve once even when many threads start together
                if self._resolved is None:
                    self._resolved = self._load()
                creds = self._resolved
        if type(creds) is EnvCredentials or not hasattr(creds, "get_frozen_credentials"):
            frozen = creds  # static: EnvCredentials, or already ReadOnlyCredentials
        else:
            import botocore.exceptions

            try:  # RefreshableCredentials refresh here (under their own lock) near expiry
                frozen = creds.get_frozen_credentials()
            except botocore.exceptions.BotoCoreError as exc:
                raise NoCredentialsError(f"Could not refresh AWS credentials: {exc}") from exc
        if not frozen.access_key or not frozen.secret_key:
            raise NoCredentialsError(_NO_CREDENTIALS)
        return frozen

    def _load(self) -> Any:
        if isinstance(self._factory, SessionHolder) and self._factory.default:
            env = _env_credentials()
            if env is not None:
                return env
        import botocore.exceptions

        try:
            creds = self._factory().get_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            # botocore's messages name the provider or profile, never a key.
            raise NoCredentialsError(f"Could not load AWS credentials: {exc}") from exc
        if creds is None:
            raise NoCredentialsError(_NO_CREDENTIALS)
        return creds

    def __repr__(self) -> str:
        source = "argument" if self._explicit else "botocore chain"
        method = getattr(self._resolved, "method", None)
        return f"CredentialSource({source=!s}, resolved={self._resolved is not None}, {method=})"
