"""Keeping secrets out of what observers and callers see: request headers for hooks,
response headers and bodies that quote the request's session token or signature, and
errors built from such bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._models import Headers
from ._protocol import excerpt
from .errors import ResponseParseError, ServiceError, SSMContactsError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

REDACTED = "<redacted>"
NO_HEADERS = Headers({})
_SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token"})


def request_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    """Request headers for observers: Authorization and the session token blanked out."""
    return {
        name: REDACTED if name.lower() in _SECRET_HEADERS else (
            value.decode() if isinstance(value, bytes) else str(value)
        )
        for name, value in headers.items()
    }  # fmt: skip


def response_headers(headers: Mapping[str, str], request: AWSPreparedRequest) -> Headers:
    """A response's headers for observers, with the request's session token and signature
    blanked out of any value that quotes them (echo servers and some proxies do)."""
    # On every page: one C-level join and a substring lookup or two (~1 us), not a
    # Python-level walk of the mapping. botocore's HeadersDict keeps a plain dict inside.
    inner = getattr(headers, "_dict", None)
    values = inner.values() if type(inner) is dict else headers.values()
    blob = "\n".join(values)
    secrets = _request_secrets(request)
    if not any(secret in blob for secret in secrets):
        return Headers(headers)
    clean: dict[str, str] = {}
    for name, value in headers.items():
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        key = name.lower()
        clean[key] = value if key not in clean else f"{clean[key]}, {value}"
    return Headers(clean)


def _request_secrets(request: AWSPreparedRequest) -> tuple[str, ...]:
    """The session token and the signature a request carried (what must not be shown)."""
    found: list[str] = []
    token = _sent_token(request)
    if token:
        found.append(token)
    auth: str | bytes | None = request.headers.get("Authorization")
    if auth:
        text = auth.decode() if isinstance(auth, bytes) else auth
        signature = text.rpartition("Signature=")[2]
        if signature:
            found.append(signature)
    return tuple(found)


def _sent_token(request: AWSPreparedRequest) -> str | None:
    token: str | bytes | None = request.headers.get("X-Amz-Security-Token")
    return token.decode() if isinstance(token, bytes) else token


def body(data: bytes, request: AWSPreparedRequest) -> bytes:
    """data with the session token the request carried blanked out: when AWS rejects a
    signature its message quotes the canonical request, X-Amz-Security-Token included
    (and echo servers or proxies may send any header back)."""
    token = _sent_token(request)
    if token:
        for form in {token.encode(), token.replace("/", "\\/").encode()}:  # JSON may escape /
            if form in data:
                data = data.replace(form, REDACTED.encode())
    return data


def error(err: SSMContactsError, request: AWSPreparedRequest, data: bytes) -> None:
    """Blank the request's session token out of an error built from the body data: its
    excerpt, and its message (where JSON escapes such as ``\\/`` are already undone)."""
    token = _sent_token(request)
    if not token:
        return
    if isinstance(err, ResponseParseError):
        clean = body(data, request)
        if clean != data:
            err.body_excerpt = excerpt(clean)
    if isinstance(err, ServiceError) and token in err.message:
        err.message = err.message.replace(token, REDACTED)
    if any(isinstance(arg, str) and token in arg for arg in err.args):
        err.args = tuple(
            arg.replace(token, REDACTED) if isinstance(arg, str) else arg for arg in err.args
        )
