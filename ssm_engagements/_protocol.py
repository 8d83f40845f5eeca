"""awsJson1.1 for ListEngagements: request bytes, SigV4 signing, response and error parsing."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from . import _constraints as c
from ._converter import ListEngagementsRequest, structure_response, unstructure_request
from ._models import ListEngagementsResponse
from ._timestamps import UTC
from .errors import (
    AccessDeniedException,
    InternalServerException,
    ResponseParseError,
    ServiceError,
    ThrottlingException,
    ValidationException,
    ValidationExceptionField,
)

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSRequest

_EXCERPT = 200
_ERROR_CLASSES: dict[str, type[ServiceError]] = {
    "AccessDeniedException": AccessDeniedException,
    "InternalServerException": InternalServerException,
    "ThrottlingException": ThrottlingException,
    "ValidationException": ValidationException,
}
SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_HUGE_HINT = 1e300  # a RetryAfterSeconds at or above this is "never"


def encode_request(request: ListEngagementsRequest) -> bytes:
    """The JSON body of a request: only the members that are set."""
    return json.dumps(unstructure_request(request), separators=(",", ":")).encode()


def excerpt(body: bytes) -> str:
    """The start of a body, decoded leniently, for error messages."""
    text = body[:_EXCERPT].decode("utf-8", "replace")
    return text + ("..." if len(body) > _EXCERPT else "")


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The x-amzn-RequestId header, whatever its case (headers are case-insensitive maps)."""
    return headers.get("x-amzn-RequestId")


def parse_success(status: int, headers: Mapping[str, str], body: bytes) -> ListEngagementsResponse:
    """A 2xx body to the response model. Raises ResponseParseError."""
    request_id = request_id_of(headers)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
        what = "an empty body" if not body.strip() else "a body that is not JSON"
        raise ResponseParseError(
            f"ListEngagements returned {what}",
            request_id=request_id,
            status_code=status,
            body_excerpt=excerpt(body),
        ) from exc
    try:
        return structure_response(data, request_id)
    except Exception as exc:  # cattrs and the hooks raise many types; all mean "bad shape"
        raise ResponseParseError(
            f"ListEngagements returned JSON of the wrong shape: {_describe(exc)}",
            request_id=request_id,
            status_code=status,
            body_excerpt=excerpt(body),
        ) from exc


_WIRE_NAMES = {
    ".engagements": ".Engagements",
    ".next_token": ".NextToken",
    ".engagement_arn": ".EngagementArn",
    ".contact_arn": ".ContactArn",
    ".sender": ".Sender",
    ".incident_id": ".IncidentId",
    ".start_time": ".StartTime",
    ".stop_time": ".StopTime",
}


def _why(exc: BaseException, _: object) -> str:
    if isinstance(exc, KeyError):
        return "required member is missing"
    return str(exc) or type(exc).__name__


def _describe(exc: BaseException) -> str:
    import cattrs

    if not isinstance(exc, cattrs.BaseValidationError):
        return _why(exc, None)
    messages = cattrs.transform_error(exc, format_exception=_why)
    text = "; ".join(messages) or type(exc).__name__
    for attr_name, wire_name in _WIRE_NAMES.items():
        text = text.replace(attr_name, wire_name)
    return text


def error_code(headers: Mapping[str, str], data: Mapping[str, Any]) -> str | None:
    """The error code per awsJson1.1: header, then body ``code``, then ``__type``;
    cut at the first ``:`` and keep what follows the last ``#``."""
    raw = headers.get("X-Amzn-ErrorType") or data.get("code") or data.get("__type")
    if not isinstance(raw, str) or not raw.strip():
        return None
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip() or None


def retry_hint(
    headers: Mapping[str, str], data: Mapping[str, Any], now: datetime | None = None
) -> float | None:
    """The server's retry hint in seconds: body RetryAfterSeconds, else header
    ``x-amz-retry-after`` (milliseconds), else ``Retry-After`` (seconds or HTTP-date,
    counted from ``now``, an aware datetime; the machine's clock when None)."""
    body_hint = data.get("RetryAfterSeconds")
    if isinstance(body_hint, (int, float)) and not isinstance(body_hint, bool) and body_hint >= 0:
        return float(body_hint) if body_hint < _HUGE_HINT else math.inf  # float(10**400) raises
    millis = headers.get("x-amz-retry-after")
    if millis is not None:
        try:
            value = float(millis)
            if value >= 0:
                return value / 1000
        except ValueError:
            pass
    after = headers.get("Retry-After")
    if after is not None:
        after = after.strip()
        if after.isascii() and after.isdigit():  # "²".isdigit() is True; float() rejects it
            return float(after)
        try:
            when = _parsedate(after)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    return None


def _parsedate(value: str) -> datetime:
    # email.utils costs ~8 ms to import and only error responses need it.
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(value)


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _fields(data: Mapping[str, Any]) -> tuple[ValidationExceptionField, ...]:
    raw = data.get("Fields")
    if not isinstance(raw, list):
        return ()
    return tuple(
        ValidationExceptionField(name=item["Name"], message=item["Message"])
        for item in raw
        if isinstance(item, dict)
        and isinstance(item.get("Name"), str)
        and isinstance(item.get("Message"), str)
    )


def parse_error(
    status: int, headers: Mapping[str, str], body: bytes, now: datetime | None = None
) -> ServiceError:
    """A non-2xx response to a ServiceError (or its subclass by code); ``now`` (aware)
    is when it arrived, for an HTTP-date retry hint. Never raises."""
    try:
        loaded = json.loads(body) if body.strip() else {}
    except (ValueError, RecursionError):
        loaded = None
    data: Mapping[str, Any] = loaded if isinstance(loaded, dict) else {}
    code = error_code(headers, data) or str(status)
    message = _opt_str(data, "message") or _opt_str(data, "Message")
    if message is None:
        message = excerpt(body) if loaded is None and body.strip() else ""
    common: dict[str, Any] = {
        "code": code,
        "message": message,
        "status_code": status,
        "request_id": request_id_of(headers),
        "retry_after_seconds": retry_hint(headers, data, now),
    }
    cls = _ERROR_CLASSES.get(code, ServiceError)
    if cls is ThrottlingException:
        return ThrottlingException(
            quota_code=_opt_str(data, "QuotaCode"),
            service_code=_opt_str(data, "ServiceCode"),
            **common,
        )
    if cls is ValidationException:
        return ValidationException(reason=_opt_str(data, "Reason"), fields=_fields(data), **common)
    return cls(**common)


def server_date(headers: Mapping[str, str]) -> datetime | None:
    """The response's ``Date`` header as an aware datetime, or None."""
    value = headers.get("Date")
    if not value:
        return None
    try:
        when = _parsedate(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def prepare_signing() -> None:
    """Import what signing needs (botocore's signer and request classes), ahead of the
    first request; cached, so later calls cost nothing."""
    _signer_class()
    _request_classes()


def signer_for(credentials: object, region: str) -> Any:
    """botocore's SigV4Auth for ssm-contacts in region (reusable while credentials hold);
    credentials are anything with access_key, secret_key and token (ReadOnlyCredentials)."""
    return _signer_class()(credentials, c.SIGNING_NAME, region)


def signed_request(
    url: str, headers: Mapping[str, str], body: bytes, signer: Any, now: datetime
) -> AWSPreparedRequest:
    """A POST of body (non-empty JSON) to url with headers, signed by signer (see
    signer_for) at ``now`` (aware UTC), ready for URLLib3Session.send.

    Headers travel as a plain dict, not botocore's HTTPHeaders / HeadersDict: SigV4Auth
    reads and writes them by their exact names, urllib3 takes any mapping, and the
    case-insensitive wrappers cost about a third of the client's fixed CPU per request.
    """
    request_class, prepared_class = _request_classes()
    request = request_class("POST", url, None, body)
    request.headers = signed = dict(headers)
    signer.sign_at(request, now)
    # What AWSRequest.prepare() adds for a POST with a bytes body, without the copy.
    signed["Content-Length"] = str(len(body))
    prepared: AWSPreparedRequest = prepared_class("POST", url, signed, body, False)
    return prepared


@functools.cache
def _request_classes() -> tuple[Any, Any]:
    from botocore.awsrequest import AWSPreparedRequest, AWSRequest

    class SigningRequest(AWSRequest):  # type: ignore[misc]
        """An AWSRequest whose ``body`` (read by SigV4Auth to hash the payload) is its
        data: what AWSRequest.body returns for non-empty bytes, without building a
        prepared request to get it."""

        @property
        def body(self) -> bytes:
            return cast(bytes, self.data)

    return SigningRequest, AWSPreparedRequest


_HEADERS_MEMO = "ssm_engagements.headers_to_sign"


@functools.cache
def _signer_class() -> Any:
    # botocore.auth is imported at the first request, not at import time.
    from botocore.auth import SigV4Auth

    class Signer(SigV4Auth):  # type: ignore[misc]
        def sign_at(self, request: AWSRequest, now: datetime) -> None:
            # botocore's add_auth reads the wall clock itself; these are the steps it
            # runs, with our (skew-corrected) time, and without its DEBUG logging of
            # the canonical request and signature.
            request.context["timestamp"] = now.strftime(SIGV4_TIMESTAMP)
            self._modify_request_before_signing(request)
            request.context.pop(_HEADERS_MEMO, None)
            canonical = self.canonical_request(request)
            string_to_sign = self.string_to_sign(request, canonical)
            self._inject_signature_to_request(request, self.signature(string_to_sign, request))

        def headers_to_sign(self, request: AWSRequest) -> Any:
            # botocore computes these twice per signature (canonical request, then the
            # Authorization header); the headers do not change in between.
            memo = request.context.get(_HEADERS_MEMO)
            if memo is None:
                memo = request.context[_HEADERS_MEMO] = super().headers_to_sign(request)
            return memo

    return Signer
