"""The emulated service: turns one received request into the reply SSM Contacts would send.

No sockets here; ``_server`` does the HTTP. Order of checks follows AWS: operation,
authentication, (the rate limit, injected faults), body syntax, validation, then the
operation itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs
from botocore.credentials import Credentials

from .._constraints import CONTENT_TYPE, TARGET
from ._faults import Fault, FaultQueue, proxy_body
from ._ratelimit import RequestRateLimit
from ._sigv4 import check_signature
from ._store import BadToken, Store
from ._validate import FieldError, parse_query, validation_message

__all__ = ["RecordedRequest", "Reply", "Service"]

_CORAL_NS = "com.amazon.coral.service"
_SERVICE_NS = "com.amazonaws.ssmcontacts"
_MODELED = frozenset(
    {
        "AccessDeniedException",
        "InternalServerException",
        "ThrottlingException",
        "ValidationException",
    }
)
# A truncated document: valid HTTP, invalid JSON, as a broken backend might send.
MALFORMED_BODY = b'{"Engagements": [{"EngagementArn": "arn:aws:ssm-contacts:us-east-1:11112222'
THROTTLE_QUOTA_CODE = "ListEngagementsRequestRate"
THROTTLE_SERVICE_CODE = "ssm-contacts"


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request the emulator received, recorded before it was answered.

    ``headers`` has lower-case names (repeated headers joined with ","); ``body``
    is the parsed JSON object, or None when the body was empty, not JSON or not
    an object; ``time`` is the emulator's clock at receipt, in epoch seconds (UTC).
    """

    method: str
    path: str
    target: str | None
    body: dict[str, Any] | None
    headers: Mapping[str, str]
    time: float


@attrs.frozen(kw_only=True)
class Reply:
    """What to send back. ``action`` "reset" closes the connection without a reply;
    "truncate" sends the headers and half the body, then closes. ``delay`` is in seconds."""

    status: int
    body: bytes = b""
    content_type: str | None = CONTENT_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    with_request_id: bool = True
    delay: float = 0.0
    action: Literal["send", "reset", "truncate"] = "send"


def error_reply(status: int, code: str, message: str, **members: Any) -> Reply:
    """An error as awsJson1.1 services send it: ``__type`` + ``message`` and X-Amzn-ErrorType."""
    namespace = _SERVICE_NS if code in _MODELED else _CORAL_NS
    body = {"__type": f"{namespace}#{code}", "message": message, **members}
    error_type = f"{code}:http://internal.amazon.com/coral/{namespace}/"
    return Reply(
        status=status,
        body=json.dumps(body).encode(),
        headers=(("X-Amzn-ErrorType", error_type),),
    )


def _validation_reply(errors: list[FieldError]) -> Reply:
    return error_reply(
        400,
        "ValidationException",
        validation_message(errors),
        Reason="FIELD_VALIDATION_FAILED",
        Fields=[{"Name": e.name, "Message": e.message} for e in errors],
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_object(body: bytes, **kwargs: Any) -> dict[str, Any] | None:
    """The body as a JSON object; {} when empty; None when not a JSON object."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant, **kwargs)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _rate_exceeded_reply(**extra: Any) -> Reply:
    """What the service answers above its request rate quota (the rate limit: no retry
    hint; the "throttle" fault adds ``RetryAfterSeconds``)."""
    return error_reply(
        400,
        "ThrottlingException",
        "Rate exceeded",
        QuotaCode=THROTTLE_QUOTA_CODE,
        ServiceCode=THROTTLE_SERVICE_CODE,
        **extra,
    )


def _fault_reply(fault: Fault) -> Reply | None:
    """The reply a fault replaces the answer with; None for faults that wrap a normal answer."""
    retry_header = () if fault.retry_after is None else (("Retry-After", str(fault.retry_after)),)
    if fault.name == "throttle":
        return _rate_exceeded_reply(RetryAfterSeconds=fault.retry_after or 0)
    if fault.name == "internal":
        extra = {} if fault.retry_after is None else {"RetryAfterSeconds": fault.retry_after}
        message = "Unexpected error occurred while processing the request."
        return error_reply(500, "InternalServerException", message, **extra)
    if fault.name == "http429":
        body = b'{"message":"Too Many Requests"}'
        return Reply(
            status=429,
            body=body,
            content_type="application/json",
            headers=retry_header,
            with_request_id=False,
        )
    if fault.name in ("http502", "http503", "http504"):
        status = int(fault.name[4:])
        headers = retry_header if status == 503 else ()
        return Reply(
            status=status,
            body=proxy_body(status),
            content_type="text/html",
            headers=headers,
            with_request_id=False,
        )
    if fault.name == "reset":
        return Reply(status=0, action="reset")
    if fault.name == "malformed":
        return Reply(status=200, body=MALFORMED_BODY)
    return None


class Service:
    """The emulated SSM Contacts service state and request handling; thread-safe."""

    def __init__(
        self,
        *,
        credentials: Credentials,
        region: str,
        verify_signatures: bool,
        clock: Callable[[], float],
        page_size: int,
        token_key: bytes | None = None,
    ) -> None:
        self.credentials = credentials
        self.region = region
        self.verify_signatures = verify_signatures
        self.clock = clock
        self.page_size = page_size
        self.store = Store(token_key)
        self.faults = FaultQueue()
        self.rate_limit: RequestRateLimit | None = None
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def handle(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        """Answer one request; ``headers`` are the received (name, value) pairs."""
        now = self.clock()
        lowered: dict[str, str] = {}
        for name, value in headers:
            key = name.lower()
            lowered[key] = f"{lowered[key]},{value}" if key in lowered else value
        target = lowered.get("x-amz-target")
        record = RecordedRequest(
            method=method,
            path=path,
            target=target,
            body=_parse_object(body) if body.strip() else None,
            headers=lowered,
            time=now,
        )
        with self._lock:
            self._requests.append(record)

        if method != "POST" or target != TARGET:
            return error_reply(
                400, "UnknownOperationException", f"Unknown operation: {target or '(none)'}"
            )
        if self.verify_signatures:
            failure = check_signature(
                method,
                path,
                headers,
                body,
                credentials=self.credentials,
                region=self.region,
                now=now,
            )
            if failure is not None:
                return error_reply(failure.status, failure.code, failure.message)
        rate_limit = self.rate_limit
        if rate_limit is not None and not rate_limit.admit():
            return _rate_exceeded_reply()
        fault = self.faults.take()
        if fault is not None:
            reply = _fault_reply(fault)
            if reply is not None:
                return reply
        reply = self._list_engagements(body)
        if fault is not None and fault.name == "delay":
            return attrs.evolve(reply, delay=fault.seconds or 0.0)
        if fault is not None and fault.name == "truncate":
            return attrs.evolve(reply, action="truncate")
        return reply

    def _list_engagements(self, body: bytes) -> Reply:
        data = _parse_object(body, parse_float=Decimal)
        if data is None:
            message = "Could not parse request body into json: expected a JSON object."
            return error_reply(400, "SerializationException", message)
        query = parse_query(data)
        if isinstance(query, list):
            return _validation_reply(query)
        limit = query.max_results or self.page_size
        try:
            items, token = self.store.page(query.filters, limit=limit, token=query.next_token)
        except BadToken as exc:
            error = FieldError(name="NextToken", value=query.next_token, message=str(exc))
            return _validation_reply([error])
        out: dict[str, Any] = {"Engagements": [item.to_wire() for item in items]}
        if token is not None:
            out["NextToken"] = token
        return Reply(status=200, body=json.dumps(out).encode())
