"""SigV4 verification for the emulator: recompute the signature with botocore and compare.

Both forms AWS accepts: the ``Authorization`` header, and query-string authentication
(a presigned URL, as botocore's ``SigV4QueryAuth`` makes it). The query string is
canonicalised as the SigV4 spec says (names and values URI-decoded, re-encoded, sorted),
and the body is always covered by the signature: ``UNSIGNED-PAYLOAD`` is an S3 feature.
"""

from __future__ import annotations

import calendar
import hmac
import re
import time
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from hashlib import sha256
from typing import Any, cast
from urllib.parse import quote, unquote

import attrs
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from .._constraints import SIGNING_NAME

__all__ = ["AuthFailure", "check_signature"]

MAX_SKEW_SECONDS = 300.0
"""How far (seconds) X-Amz-Date may be from the server's clock, as AWS allows."""
MAX_EXPIRES_SECONDS = 604_800
"""The longest X-Amz-Expires of a presigned request: a week, as AWS allows."""

_AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_INVALID_TOKEN = "The security token included in the request is invalid."


@attrs.frozen(kw_only=True)
class AuthFailure:
    """Why a request failed authentication, as the service would report it.

    ``code`` is the AWS error code, ``status`` the HTTP status and ``message``
    the text AWS sends; ``str()`` gives the message.
    """

    code: str
    status: int
    message: str

    def __str__(self) -> str:
        return self.message


def _incomplete(message: str) -> AuthFailure:
    return AuthFailure(code="IncompleteSignatureException", status=400, message=message)


def _invalid(message: str) -> AuthFailure:
    # JSON-protocol (Coral) services answer 400 here, not the 403 of REST/S3 services.
    return AuthFailure(code="InvalidSignatureException", status=400, message=message)


class _ExactSigV4(SigV4Auth):  # type: ignore[misc]  # botocore ships no type hints
    """SigV4Auth that canonicalises exactly the headers it is given.

    The stock signer drops a few headers (User-Agent, Expect, ...) and adds Host;
    a verifier must use the client's SignedHeaders list verbatim instead.
    """

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        out = HTTPHeaders()
        for name, value in request.headers.items():
            out[name.lower()] = value
        return out


def _lower_pairs(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    # cast: pyright cannot rule out a Mapping keyed by tuples in the Iterable branch.
    pairs: Iterable[tuple[str, str]] = cast(
        Iterable[tuple[str, str]],
        headers.items() if isinstance(headers, Mapping) else headers,
    )
    return [(k.lower(), v) for k, v in pairs]


def _first(pairs: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in pairs if k == name), None)


def _parse_authorization(value: str) -> dict[str, str] | AuthFailure:
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        return _incomplete(f"Unsupported AWS 'algorithm': '{algorithm}'.")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key.strip()] = val.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not parts.get(k)]
    if missing:
        return _incomplete(
            " ".join(f"Authorization header requires '{k}' parameter." for k in missing)
            + f" Authorization={algorithm}"
        )
    return parts


_QUERY_AUTH_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    """The decoded (name, value) pairs of a raw query string, in order."""
    pairs: list[tuple[str, str]] = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """The SigV4 canonical query string: each name and value URI-encoded (unreserved
    characters kept), sorted by name, then value. A literal ``+`` is a plus sign."""
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _parse_query_auth(params: list[tuple[str, str]]) -> dict[str, str] | AuthFailure:
    """The presigned-URL auth parameters as the Authorization header's parts, plus
    Date and Expires."""
    values = dict(params)
    for name in _QUERY_AUTH_PARAMS:
        if not values.get(name):
            return _incomplete(
                f"AWS query-string parameters must include '{name}'. "
                "Re-examine the query-string parameters."
            )
    algorithm = values["X-Amz-Algorithm"]
    if algorithm != "AWS4-HMAC-SHA256":
        return _incomplete(f"Unsupported AWS 'algorithm': '{algorithm}'.")
    expires = values.get("X-Amz-Expires", str(int(MAX_SKEW_SECONDS)))
    if not (expires.isascii() and expires.isdigit()) or not (
        1 <= int(expires) <= MAX_EXPIRES_SECONDS
    ):
        return _incomplete(
            f"X-Amz-Expires must be a whole number of seconds from 1 to {MAX_EXPIRES_SECONDS} "
            f"(a week); got '{expires}'."
        )
    date = values["X-Amz-Date"].strip()
    if not _AMZ_DATE_RE.match(date):
        return _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{date}'.")
    return {
        "Credential": values["X-Amz-Credential"],
        "SignedHeaders": values["X-Amz-SignedHeaders"],
        "Signature": values["X-Amz-Signature"],
        "Date": date,
        "Expires": expires,
    }


def _request_time(pairs: list[tuple[str, str]]) -> str | AuthFailure:
    """The signing timestamp as YYYYMMDDTHHMMSSZ, from X-Amz-Date or else Date."""
    amz = _first(pairs, "x-amz-date")
    if amz is not None:
        if not _AMZ_DATE_RE.match(amz.strip()):
            return _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{amz}'.")
        return amz.strip()
    date = _first(pairs, "date")
    if date is not None:
        try:
            parsed = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return _incomplete(f"Date must be in RFC 7231 format. Got '{date}'.")
        return time.strftime(SIGV4_TIMESTAMP, time.gmtime(parsed.timestamp()))
    return _incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    )


def _stamp(epoch: float) -> str:
    return time.strftime(SIGV4_TIMESTAMP, time.gmtime(epoch))


def _skew_failure(
    stamp: str, now: float, valid_for: float = MAX_SKEW_SECONDS
) -> AuthFailure | None:
    """Expired (signed more than ``valid_for`` seconds ago) or not yet current (signed
    more than 5 minutes ahead of ``now``), in AWS's words."""
    signed_at = calendar.timegm(time.strptime(stamp, SIGV4_TIMESTAMP))
    if signed_at < now - valid_for:
        return _invalid(
            f"Signature expired: {stamp} is now earlier than "
            f"{_stamp(now - valid_for)} ({_stamp(now)} - {valid_for / 60:g} min.)"
        )
    if signed_at > now + MAX_SKEW_SECONDS:
        return _invalid(
            f"Signature not yet current: {stamp} is still later than "
            f"{_stamp(now + MAX_SKEW_SECONDS)} ({_stamp(now)} + 5 min.)"
        )
    return None


def _scope_failure(scope: list[str], stamp: str, region: str) -> AuthFailure | None:
    _, day, scope_region, service, terminator = scope
    if day != stamp[:8]:
        return _invalid(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{day}' != '{stamp[:8]}', from '{stamp}'."
        )
    if scope_region != region:
        return _invalid(f"Credential should be scoped to a valid region, not '{scope_region}'.")
    if service != SIGNING_NAME:
        return _invalid(f"Credential should be scoped to correct service: '{SIGNING_NAME}'.")
    if terminator != "aws4_request":
        return _invalid(
            f"Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{terminator}'."
        )
    return None


def check_signature(
    method: str,
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes,
    *,
    credentials: Credentials,
    region: str,
    now: float,
) -> AuthFailure | None:
    """Check a request's SigV4 signature the way AWS does: the ``Authorization``
    header, or query-string authentication (``X-Amz-Algorithm``, ``X-Amz-Credential``,
    ``X-Amz-Date``, ``X-Amz-Expires``, ``X-Amz-SignedHeaders``, ``X-Amz-Signature``,
    and ``X-Amz-Security-Token`` when the credentials have a token).

    ``path`` is the raw request target (path and query, as sent on the request
    line); ``headers`` are the received headers (a mapping or name/value pairs,
    repeats allowed); ``now`` is the server's clock in epoch seconds (UTC).
    Returns None when the request is authentic, else an AuthFailure naming
    the error AWS would send: MissingAuthenticationTokenException (400),
    IncompleteSignatureException (400: malformed or both forms at once),
    UnrecognizedClientException (400, unknown access key or wrong/missing session
    token), InvalidSignatureException (400, as JSON-protocol services send it:
    wrong signature, an ``X-Amz-Content-Sha256`` that is not the body's hash
    (``UNSIGNED-PAYLOAD`` included), scope not this region or ``ssm-contacts``,
    a signing time more than 5 minutes ahead of ``now``, or behind it by more than
    5 minutes, or than ``X-Amz-Expires`` for a presigned request). Never raises
    for bad input.
    """
    pairs = _lower_pairs(headers)
    target, _, query = path.partition("?")
    params = _query_pairs(query)
    authorization = _first(pairs, "authorization")
    presigned = any(name == "X-Amz-Algorithm" for name, _ in params)
    if authorization is None and not presigned:
        return AuthFailure(
            code="MissingAuthenticationTokenException",
            status=400,
            message="Missing Authentication Token",
        )
    if authorization is not None and presigned:
        return _incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "
            "or the Authorization header should be specified."
        )
    if presigned:
        parts = _parse_query_auth(params)
        # The signature signs every other parameter, its own name excluded.
        params = [(k, v) for k, v in params if k != "X-Amz-Signature"]
    else:
        assert authorization is not None
        parts = _parse_authorization(authorization)
    if isinstance(parts, AuthFailure):
        return parts
    scope = parts["Credential"].split("/")
    if len(scope) != 5:
        return _incomplete(
            f"Credential should be scoped to a valid region. Credential={parts['Credential']}"
        )
    if not hmac.compare_digest(scope[0].encode(), credentials.access_key.encode()):
        return AuthFailure(code="UnrecognizedClientException", status=400, message=_INVALID_TOKEN)
    if presigned:
        token = dict(params).get("X-Amz-Security-Token")
        stamp: str | AuthFailure = parts["Date"]
        valid_for = float(parts["Expires"])
    else:
        token = _first(pairs, "x-amz-security-token")
        stamp = _request_time(pairs)
        valid_for = MAX_SKEW_SECONDS
    if (token or None) != (credentials.token or None):
        return AuthFailure(code="UnrecognizedClientException", status=400, message=_INVALID_TOKEN)
    if isinstance(stamp, AuthFailure):
        return stamp
    failure = _scope_failure(scope, stamp, region) or _skew_failure(stamp, now, valid_for)
    if failure is not None:
        return failure
    signed = [h for h in parts["SignedHeaders"].lower().split(";") if h]
    if "host" not in signed:
        return _invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    content_sha = _first(pairs, "x-amz-content-sha256")
    if content_sha is not None and content_sha != sha256(body).hexdigest():
        # UNSIGNED-PAYLOAD lands here too: the body must be covered by the signature.
        return _invalid(_SIGNATURE_MISMATCH)
    url_path = (target if target.startswith("/") else "/" + target) + "?" + canonical_query(params)
    expected = _expected_signature(method, url_path, pairs, signed, body, credentials, scope, stamp)
    if expected is None or not hmac.compare_digest(expected, parts["Signature"]):
        return _invalid(_SIGNATURE_MISMATCH)
    return None


def _expected_signature(
    method: str,
    path: str,
    pairs: list[tuple[str, str]],
    signed: list[str],
    body: bytes,
    credentials: Credentials,
    scope: list[str],
    stamp: str,
) -> str | None:
    """Recompute the signature botocore would produce; None when a signed header is absent."""
    request_headers = HTTPHeaders()
    for name in signed:
        values = [v for k, v in pairs if k == name]
        if not values:
            return None
        for value in values:
            request_headers[name] = value
    # Only the URL's path and query enter the canonical request (Host comes from the
    # signed headers; botocore upper-cases the method). ``path`` carries the canonical
    # query already; botocore keeps it as it is.
    request = AWSRequest(method=method, url=path, headers=request_headers, data=body)
    # Pin the signing time to the request's own: SigV4Auth reads it from the context
    # (add_auth would overwrite it with the current time, so it is not called).
    request.context["timestamp"] = stamp
    signer = _ExactSigV4(credentials, scope[3], scope[2])
    canonical: Any = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    return str(signer.signature(string_to_sign, request))
