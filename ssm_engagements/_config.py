"""Resolve an EngagementsClient's settings: region, endpoint, retries, TLS, proxies, credentials.

Each setting follows the contract's precedence: argument, then environment, then the profile
(a botocore session's instance variables, then its shared-config profile), then a default.
A botocore session is costly (its import alone is ~100 ms), so a ``SessionHolder`` creates it
at most once and only when a profile value is needed. The client builds one holder with
``lazy_session(session, profile_name)`` and passes it to both
``resolve_config(..., session_factory=holder)`` and ``CredentialSource(credentials, holder)``;
given ``session_factory``, ``resolve_config`` ignores its ``session`` and ``profile_name``.

Bad settings raise ConfigurationError naming the setting, the rule and the value; missing
credentials raise NoCredentialsError. No message or repr ever holds a secret: a value that
quotes one (a secret pasted into the wrong variable) is scrubbed (see _scrub).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from ._constraints import REGION_RE as _REGION_RE
from ._credentials import CredentialSource
from ._endpoint import CONTROL_RE, check_endpoint, environ_proxies, resolve_endpoint
from ._scrub import scrubbing_environment
from ._session import SessionHolder, first_setting, lazy_session, profile_errors
from ._version import __version__
from .errors import ConfigurationError

if TYPE_CHECKING:
    pass

__all__ = ["ClientConfig", "CredentialSource", "SessionHolder", "lazy_session", "resolve_config"]


def _redact_proxies(proxies: Mapping[str, str]) -> str:
    # Proxy URLs may carry user:password; keep them out of reprs. The last "@" ends
    # the user info: a password may hold "/" or "@" unescaped.
    shown: dict[str, str] = {}
    for scheme, url in proxies.items():
        head, sep, rest = url.partition("://")
        if not sep:
            head, rest = "", url
        userinfo, at, host = rest.rpartition("@")
        shown[scheme] = f"{head}{sep}***@{host}" if at and userinfo else url
    return repr(shown)


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
    retry_mode: str = "standard"
    max_pool_connections: int = 10

    @property
    def user_agent(self) -> str:
        """The User-Agent header: ``ssm-engagements/<version> botocore/<version> Python/...``
        plus user_agent_extra. Built at the first request: it imports botocore."""
        base = _base_user_agent()
        return base if self.user_agent_extra is None else f"{base} {self.user_agent_extra}"


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
    found = first_setting(holder, "max_attempts", ("AWS_MAX_ATTEMPTS",), arg)
    if found is None:
        return 3
    value, source = found
    if isinstance(value, str) and source != "max_attempts=" and re.fullmatch(r"[+-]?\d+", value):
        value = int(value)  # text from the environment or the profile
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigurationError(f"{source} must be an integer >= 1; got {found[0]!r}")
    return value


RETRY_MODES = ("standard", "adaptive")


def _retry_mode(holder: SessionHolder, arg: str | None) -> str:
    found = first_setting(holder, "retry_mode", ("AWS_RETRY_MODE",), arg)
    if found is None:
        return "standard"
    value, source = found
    mode = value.strip().lower() if isinstance(value, str) else value
    if mode == "legacy":  # botocore's pre-2020 default; its policy is now standard's
        return "standard"
    if mode not in RETRY_MODES:
        raise ConfigurationError(
            f"{source} must be one of 'standard', 'adaptive' (or 'legacy', read as "
            f"'standard'); got {value!r}"
        )
    return str(mode)


def _pool_size(value: object) -> int:
    if type(value) is not int or value < 1:
        raise ConfigurationError(f"max_pool_connections= must be an integer >= 1; got {value!r}")
    return value


@functools.lru_cache(maxsize=1)
def _base_user_agent() -> str:
    import platform

    import botocore

    return (
        f"ssm-engagements/{__version__} botocore/{botocore.__version__} "
        f"Python/{platform.python_version()} {platform.system()}/{platform.release()}"
    )


@scrubbing_environment
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
    retry_mode: str | None = None,
    max_pool_connections: int = 10,
    session_factory: SessionHolder | None = None,
) -> ClientConfig:
    """Resolve and validate every client setting. Raises ConfigurationError."""
    holder = SessionHolder(session, profile_name) if session_factory is None else session_factory
    env = ("AWS_REGION", "AWS_DEFAULT_REGION")
    found = first_setting(holder, "region", env, region_name, "region_name")
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

    url, source = resolve_endpoint(
        endpoint_url, region, use_fips_endpoint, use_dualstack_endpoint, holder
    )
    url = check_endpoint(url, source, allow_insecure_http)

    found = first_setting(holder, "ca_bundle", ("AWS_CA_BUNDLE",), verify, "verify")
    tls, source = found or (True, "")
    if not isinstance(tls, (bool, str)) or tls == "":
        raise ConfigurationError(f"{source} must be True, False or a CA bundle path; got {tls!r}")

    proxies_config: dict[str, object] = {}
    if holder.may_have_profile_values():
        with profile_errors():  # botocore merges the profile's proxy_* keys into one dict
            value = holder().get_config_variable("proxies_config")
        proxies_config = dict(value) if isinstance(value, dict) else {}

    if user_agent_extra is not None and CONTROL_RE.search(user_agent_extra):
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
        proxies=environ_proxies(url),
        proxies_config=proxies_config,
        user_agent_extra=user_agent_extra,
        retry_mode=_retry_mode(holder, retry_mode),
        max_pool_connections=_pool_size(max_pool_connections),
    )
