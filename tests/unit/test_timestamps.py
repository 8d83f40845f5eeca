"""Timestamp forms: every documented form in, epoch seconds at ms precision out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ssm_engagements._timestamps import parse_timestamp, to_epoch

UTC = timezone.utc
BASE = datetime(2014, 4, 29, 18, 30, 38, tzinfo=UTC)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        # epoch numbers and numeric strings
        (1398796238, BASE),
        (1398796238.0, BASE),
        (1398796238.123, BASE.replace(microsecond=123000)),
        (1660675730.153, datetime(2022, 8, 16, 18, 48, 50, 153000, tzinfo=UTC)),
        ("1398796238", BASE),
        ("1398796238.5", BASE.replace(microsecond=500000)),
        ("1398796238.123456", BASE.replace(microsecond=123456)),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        # ISO-8601: Z, offsets, no offset = UTC, fractions of any length
        ("2014-04-29T18:30:38Z", BASE),
        ("2014-04-29T18:30:38z", BASE),
        ("2014-04-29T18:30:38", BASE),
        ("2014-04-29T18:30:38+00:00", BASE),
        ("2014-04-29T20:30:38+02:00", BASE),
        ("2014-04-29T16:00:38-02:30", BASE),
        ("2014-04-29T20:30:38+0200", BASE),
        ("2014-04-29T18:30:38.123Z", BASE.replace(microsecond=123000)),
        ("2014-04-29T18:30:38.1Z", BASE.replace(microsecond=100000)),
        ("2014-04-29T18:30:38.123456789Z", BASE.replace(microsecond=123456)),
        ("2022-08-16T18:48:50.153000+00:00", datetime(2022, 8, 16, 18, 48, 50, 153000, tzinfo=UTC)),
        # RFC 7231 HTTP-date
        ("Tue, 29 Apr 2014 18:30:38 GMT", BASE),
        ("Tue, 29 Apr 2014 18:30:38.250 GMT", BASE.replace(microsecond=250000)),
    ],
)
def test_every_documented_form_parses_to_aware_utc(wire: object, expected: datetime) -> None:
    parsed = parse_timestamp(wire)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "wire",
    [
        True,
        None,
        [],
        {},
        "",
        "yesterday",
        "2014-13-45T99:99:99Z",
        "Tue, 29 Foo 2014 18:30:38 GMT",
        float("nan"),
        float("inf"),
        1e300,
        "1e300",
        "nan",
    ],
)
def test_anything_else_raises_value_or_overflow_error(wire: object) -> None:
    with pytest.raises((ValueError, OverflowError)):
        parse_timestamp(wire)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (BASE, 1398796238),
        (BASE.replace(microsecond=123000), 1398796238.123),
        (BASE.replace(microsecond=123999), 1398796238.123),  # sub-ms truncated
        (BASE.replace(microsecond=999), 1398796238),
        (BASE.astimezone(timezone(timedelta(hours=5))), 1398796238),
    ],
)
def test_epoch_seconds_out_at_millisecond_precision(value: datetime, wire: float) -> None:
    out = to_epoch(value)
    assert out == wire
    assert type(out) is type(wire)
