"""Timestamp forms of the wire: parsing every documented form in, epoch seconds out."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, overload

from .errors import ParamValidationError

if TYPE_CHECKING:
    from decimal import Decimal

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
FLOAT_EXACT_SECONDS = 2.0**32
"""Below this many epoch seconds (years 1834 to 2106) ``round(float * 1e6)`` is the exact
microsecond of any millisecond timestamp; beyond it float error can reach 1 us."""

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The number, ISO-8601 and HTTP-date patterns, compiled at the first string timestamp
    (the service sends numbers: import time stays lower without them)."""
    number = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
    iso = re.compile(
        r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
        r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
    )
    http_date = re.compile(
        r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (" + "|".join(_MONTHS) + r") (\d{4}) "
        r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? GMT"
    )
    return number, iso, http_date


def from_epoch(seconds: int | float | Decimal) -> datetime:
    """Epoch seconds to an aware UTC datetime, keeping microseconds.

    Raises ValueError or OverflowError for values outside datetime's range or not finite.
    """
    # Positional timedelta arguments: the same value as keywords, in half the time.
    if type(seconds) is int:
        return EPOCH + timedelta(0, seconds)
    if type(seconds) is float and not -FLOAT_EXACT_SECONDS < seconds < FLOAT_EXACT_SECONDS:
        # Out there float arithmetic can miss the microsecond; the shortest repr is the
        # number as the JSON wrote it, and Decimal keeps it exactly.
        from decimal import Decimal  # imported when first needed: rarely

        seconds = Decimal(repr(seconds))
    # Rounding to whole microseconds avoids float noise (0.153 -> 152999 us).
    return EPOCH + timedelta(0, 0, round(seconds * 1_000_000))


def parse_timestamp(value: object) -> datetime:
    """Any documented wire form to an aware UTC datetime.

    Accepts a JSON number, a numeric string, ISO-8601 (``Z``, ``+hh:mm``, no
    offset meaning UTC, fractional seconds) and RFC 7231 HTTP-date.
    Raises ValueError (or OverflowError) for anything else.
    """
    if type(value) is int or type(value) is float:
        return from_epoch(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a number or a string, got {type(value).__name__}")
    text = value.strip()
    number, iso, http_date = _patterns()
    if number.fullmatch(text):
        from decimal import Decimal, InvalidOperation

        try:
            return from_epoch(Decimal(text))
        except InvalidOperation as exc:
            raise ValueError(f"not a timestamp: {value!r}") from exc
    match = iso.fullmatch(text)
    if match:
        year, month, day, hour, minute, second, frac, _zulu, sign, oh, om = match.groups()
        offset = timedelta(0)
        if sign:
            offset = timedelta(hours=int(oh), minutes=int(om))
            if sign == "-":
                offset = -offset
        stamp = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second),
            _micros(frac), tzinfo=UTC,
        )  # fmt: skip
        return stamp - offset
    match = http_date.fullmatch(text)
    if match:
        day, mon, year, hour, minute, second, frac = match.groups()
        return datetime(
            int(year), _MONTHS[mon], int(day), int(hour), int(minute), int(second),
            _micros(frac), tzinfo=UTC,
        )  # fmt: skip
    raise ValueError(f"not a timestamp: {value!r}")


@overload
def aware_utc(param: str, value: datetime) -> datetime: ...
@overload
def aware_utc(param: str, value: object) -> datetime | None: ...
def aware_utc(param: str, value: object) -> datetime | None:
    """A caller's datetime (any zone) in UTC; None stays None.

    Raises ParamValidationError naming ``param``: not a datetime, naive, or out of
    range once in UTC.
    """
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
        return value.astimezone(UTC)
    except OverflowError:  # e.g. datetime.min at +05:00 is before year 1 in UTC
        raise ParamValidationError(
            param=param, rule="must be within datetime's range once converted to UTC", value=value
        ) from None


def _micros(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def to_epoch(value: datetime) -> int | float:
    """An aware datetime to epoch seconds at millisecond precision (sub-ms truncated).

    Whole seconds come back as an int, others as a float with at most 3 decimals.
    """
    millis = ((value - EPOCH) // _ONE_US) // 1000
    seconds, rest = divmod(millis, 1000)
    return seconds if rest == 0 else millis / 1000
