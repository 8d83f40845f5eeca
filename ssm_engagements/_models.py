"""The typed models of ListEngagements: plain frozen attrs classes, no I/O, no wire names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

import attrs

from .errors import ParamValidationError

__all__ = ["Engagement", "ListEngagementsResponse", "TimeRange"]


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
