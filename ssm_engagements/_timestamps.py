"""Timestamp forms of the wire: parsing every documented form in, epoch seconds out."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_HTTP_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (" + "|".join(_MONTHS) + r") (\d{4}) "
    r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? GMT"
)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def from_epoch(seconds: int | float | Decimal) -> datetime:
    """Epoch seconds to an aware UTC datetime, keeping microseconds.

    Raises ValueError or OverflowError for values outside datetime's range or not finite.
    """
    if type(seconds) is int:
        return EPOCH + timedelta(seconds=seconds)
    # Rounding to whole microseconds avoids float noise (0.153 -> 152999 us).
    return EPOCH + timedelta(microseconds=round(seconds * 1_000_000))


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
    if _NUMBER.fullmatch(text):
        try:
            return from_epoch(Decimal(text))
        except InvalidOperation as exc:
            raise ValueError(f"not a timestamp: {value!r}") from exc
    match = _ISO.fullmatch(text)
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
    match = _HTTP_DATE.fullmatch(text)
    if match:
        day, mon, year, hour, minute, second, frac = match.groups()
        return datetime(
            int(year), _MONTHS[mon], int(day), int(hour), int(minute), int(second),
            _micros(frac), tzinfo=UTC,
        )  # fmt: skip
    raise ValueError(f"not a timestamp: {value!r}")


def _micros(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def to_epoch(value: datetime) -> int | float:
    """An aware datetime to epoch seconds at millisecond precision (sub-ms truncated).

    Whole seconds come back as an int, others as a float with at most 3 decimals.
    """
    millis = ((value - EPOCH) // _ONE_US) // 1000
    seconds, rest = divmod(millis, 1000)
    return seconds if rest == 0 else millis / 1000
