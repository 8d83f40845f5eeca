"""The typed models of ListEngagements: plain frozen attrs classes, no I/O, no wire names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, Literal

import attrs

from .errors import ParamValidationError

__all__ = [
    "Engagement",
    "EngagementEvent",
    "Headers",
    "ListEngagementsResponse",
    "ResponseMetadata",
    "TimeRange",
]


def _aware_utc(param: str, value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ParamValidationError(
            param=param, rule="must be a timezone-aware datetime or None", value=value
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ParamValidationError(
            param=param,
            rule="must be timezone-aware (naive datetimes are ambiguous; use tzinfo=timezone.utc)",
            value=value,
        )
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:  # e.g. datetime.min at +05:00 is before year 1 in UTC
        raise ParamValidationError(
            param=param, rule="must be within datetime's range once converted to UTC", value=value
        ) from None


def _start(value: object) -> datetime | None:
    return _aware_utc("time_range.start_time", value)


def _end(value: object) -> datetime | None:
    return _aware_utc("time_range.end_time", value)


@attrs.frozen(kw_only=True)
class TimeRange:
    """A window of engagement start times to list; either bound may be open.

    Both bounds are inclusive and must be timezone-aware datetimes (any zone);
    they are stored converted to UTC, and sent at millisecond precision (finer
    digits are truncated).

    Raises:
        ParamValidationError: a naive datetime, a non-datetime, a bound outside
            datetime's range once in UTC, or ``start_time`` after ``end_time``.
    """

    start_time: datetime | None = attrs.field(default=None, converter=_start)
    """Earliest start time to include (aware; stored in UTC), or None for no lower bound."""
    end_time: datetime | None = attrs.field(default=None, converter=_end)
    """Latest start time to include (aware; stored in UTC), or None for no upper bound."""

    def __attrs_post_init__(self) -> None:
        if (
            self.start_time is not None
            and self.end_time is not None
            and self.start_time > self.end_time
        ):
            raise ParamValidationError(
                param="time_range",
                rule="start_time must not be after end_time",
                value=self,
            )


@attrs.frozen(kw_only=True)
class Engagement:
    """One engagement: a contact or escalation plan that was paged for an incident.

    The SDK builds these from the service's answers, with timezone-aware UTC
    datetimes. The constructor does no checking or conversion (it raises only
    TypeError for a missing or unknown keyword); use aware UTC datetimes when
    building one yourself, for example as test data.
    """

    engagement_arn: str
    """ARN of the engagement."""
    contact_arn: str
    """ARN of the contact or escalation plan that was engaged."""
    sender: str
    """Who started the engagement (for example ``cli`` or an incident's name)."""
    incident_id: str | None = None
    """ARN of the incident the engagement belongs to, when the service reports it."""
    start_time: datetime | None = None
    """When the engagement started (timezone-aware, UTC), or None if not reported."""
    stop_time: datetime | None = None
    """When the engagement stopped (timezone-aware, UTC), or None while it is still active."""


@attrs.frozen
class EngagementEvent:
    """What ``follow_engagements`` reports: an engagement ``"started"`` (the first time
    the feed sees it) or ``"stopped"`` (when a seen engagement gains a stop time).

    ``EngagementEvent(kind, engagement)``; positional or keyword arguments. An
    engagement first seen already stopped gives a ``"started"`` event, then a
    ``"stopped"`` one, both carrying that engagement.
    """

    kind: Literal["started", "stopped"]
    """``"started"`` or ``"stopped"``."""
    engagement: Engagement
    """The engagement as the poll that noticed the change listed it (datetimes aware UTC)."""


def _to_tuple(value: Iterable[Engagement]) -> tuple[Engagement, ...]:
    return value if type(value) is tuple else tuple(value)


@attrs.frozen(kw_only=True)
class ListEngagementsResponse:
    """One page of ListEngagements results.

    Returned by ``list_engagements`` and yielded by ``iter_pages``; its
    engagements' datetimes are timezone-aware UTC. The constructor does no
    checking beyond turning ``engagements`` into a tuple (TypeError if it is not
    iterable).
    """

    engagements: tuple[Engagement, ...] = attrs.field(converter=_to_tuple)
    """The engagements on this page, in the order the service sent them (a list is
    accepted and stored as a tuple)."""
    next_token: str | None = None
    """Token for the next page (pass it as ``next_token`` or ``starting_token``), or
    None on the last page. On a page from ``iter_pages`` cut by ``max_items``, the
    iterator's resume token."""
    request_id: str | None = None
    """The ``x-amzn-RequestId`` of the response that carried this page, or None if it
    had none."""
    response_metadata: ResponseMetadata | None = None
    """How the page arrived (request id, status, headers, retries). Always set on the
    pages the SDK returns; None on pages you build yourself."""


class Headers(Mapping[str, str]):
    """A read-only, case-insensitive view of HTTP headers (``h["X-Amzn-RequestId"]`` and
    ``h["x-amzn-requestid"]`` are the same). A header sent more than once reads as its
    values joined with ``", "``, as urllib3 and botocore show it. Wraps a transport's
    case-insensitive mapping without copying it; a plain dict is copied with its names
    folded."""

    __slots__ = ("_getall", "_headers", "_lower")

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = headers
        # A plain dict is case-sensitive: look names up in a folded copy.
        self._lower: dict[str, str] | None = (
            {str(k).lower(): v for k, v in headers.items()} if type(headers) is dict else None
        )
        # A multidict (aiohttp's) keeps repeated headers apart and returns the first.
        self._getall: Any = getattr(headers, "getall", None)

    def __getitem__(self, name: str) -> str:
        lower = self._lower
        if lower is not None:
            return lower[name.lower()]
        getall = self._getall
        if getall is not None:
            values: list[str] = getall(name)
            return values[0] if len(values) == 1 else ", ".join(values)
        value: str = self._headers[name]
        return value

    def __contains__(self, name: object) -> bool:
        if self._lower is not None:
            return isinstance(name, str) and name.lower() in self._lower
        return name in self._headers

    def __iter__(self) -> Iterator[str]:
        if self._getall is None:
            return iter(self._headers)
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._headers) if self._getall is None else len(self._names())

    def _names(self) -> list[str]:
        """Each name once (in its first spelling), for a multidict that repeats them."""
        first: dict[str, str] = {}
        for name in self._headers:
            first.setdefault(name.lower(), name)
        return list(first.values())

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


def _headers(value: Mapping[str, str]) -> Mapping[str, str]:
    return value if isinstance(value, Headers) else Headers(value)


@attrs.frozen(kw_only=True)
class ResponseMetadata:
    """How a page arrived: boto3's ``ResponseMetadata``, typed."""

    request_id: str | None
    """The ``x-amzn-RequestId`` of the response, or None if it had none."""
    http_status_code: int
    """The HTTP status of the response (200 for a page)."""
    http_headers: Mapping[str, str] = attrs.field(converter=_headers)
    """The response's headers, read-only, looked up case-insensitively."""
    retry_attempts: int = 0
    """Attempts made after the first (0 when the first attempt succeeded)."""
    retry_delay_seconds: float = 0.0
    """Time slept before those retries, in seconds."""
