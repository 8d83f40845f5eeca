"""The endpoint: configured (argument, environment, profile) or derived from botocore's
partitions data; its safety checks; and the proxies that apply to it."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import ConfigurationError

if TYPE_CHECKING:
    pass
from ._session import SessionHolder, env_value, flag_setting, profile_errors

CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
"""Control characters: never valid in a URL or a header value."""


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


def resolve_endpoint(
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
    if not flag_setting(holder, ignore, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        for name in ("AWS_ENDPOINT_URL_SSM_CONTACTS", "AWS_ENDPOINT_URL"):
            if (value := env_value(name)) is not None:
                return value, name
        if holder.may_have_profile_values():
            from botocore.configprovider import ConfiguredEndpointProvider

            with profile_errors():  # botocore's own profile + `services` section lookup
                found = ConfiguredEndpointProvider(
                    full_config=holder().full_config,
                    scoped_config=holder.scoped_config(),
                    client_name="ssm-contacts",
                    environ={},  # the environment was read above
                ).provide()
            if found:
                return str(found), "`endpoint_url` in the profile or its services section"
    use_fips = flag_setting(holder, "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT", fips)
    use_dual = flag_setting(holder, "use_dualstack_endpoint", "AWS_USE_DUALSTACK_ENDPOINT", dual)
    return _derive_endpoint(region, use_fips, use_dual), "the derived endpoint"


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower().rstrip(".") == "localhost"


def check_endpoint(url: object, source: str, allow_insecure_http: bool) -> str:
    if not isinstance(url, str):
        raise ConfigurationError(f"{source} must be a URL string; got {type(url).__name__}")
    if "@" in url:  # user info (user:password@); not echoed, it may be a secret
        raise ConfigurationError(f"{source} must not contain '@' (user info)")
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unbalanced [IPv6] host, a port not a number or out of range
        parts, ok = urlsplit(""), False
    if not ok or parts.query or parts.fragment or CONTROL_RE.search(url) or " " in url:
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


def environ_proxies(url: str) -> dict[str, str]:
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
