"""Model -> wire -> model round trips; timestamps survive at millisecond precision, in UTC."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3 import HTTPHeaderDict

from ssm_engagements import Engagement, EngagementsClient, TimeRange
from ssm_engagements._converter import ListEngagementsRequest
from ssm_engagements._protocol import encode_request, parse_success
from ssm_engagements._timestamps import from_epoch, parse_timestamp, to_epoch
from ssm_engagements.emulator import Emulator
from tests import _clients as clients

UTC = timezone.utc
offsets = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-1439, 1439))
# Aware datetimes whose UTC value is within datetime's range.
instants = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
)
modern = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets
)
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


def to_ms(value: datetime) -> datetime:
    """What the wire keeps: UTC, sub-millisecond part dropped."""
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def wire(item: Engagement) -> dict[str, Any]:
    out: dict[str, Any] = {
        "EngagementArn": item.engagement_arn,
        "ContactArn": item.contact_arn,
        "Sender": item.sender,
    }
    if item.incident_id is not None:
        out["IncidentId"] = item.incident_id
    for key, when in (("StartTime", item.start_time), ("StopTime", item.stop_time)):
        if when is not None:
            out[key] = to_epoch(when)
    return out


engagements = st.builds(
    Engagement,
    engagement_arn=texts,
    contact_arn=texts,
    sender=texts,
    incident_id=st.one_of(st.none(), texts),
    start_time=st.one_of(st.none(), instants),
    stop_time=st.one_of(st.none(), instants),
)


def _expected(item: Engagement) -> Engagement:
    return Engagement(
        engagement_arn=item.engagement_arn,
        contact_arn=item.contact_arn,
        sender=item.sender,
        incident_id=item.incident_id,
        start_time=None if item.start_time is None else to_ms(item.start_time),
        stop_time=None if item.stop_time is None else to_ms(item.stop_time),
    )


@given(items=st.lists(engagements, max_size=5), token=st.one_of(st.none(), texts.filter(bool)))
def test_engagements_round_trip_through_the_wire(
    items: list[Engagement], token: str | None
) -> None:
    body: dict[str, Any] = {"Engagements": [wire(e) for e in items]}
    if token is not None:
        body["NextToken"] = token
    page = parse_success(200, HTTPHeaderDict({"x-amzn-RequestId": "r"}), json.dumps(body).encode())
    assert page.engagements == tuple(_expected(e) for e in items)
    assert page.next_token == token and page.request_id == "r"
    for item in page.engagements:
        for when in (item.start_time, item.stop_time):
            assert when is None or when.tzinfo is UTC


@given(when=instants)
def test_epoch_seconds_round_trip_at_millisecond_precision(when: datetime) -> None:
    epoch = to_epoch(when)
    assert isinstance(epoch, int) or round(epoch, 3) == epoch
    assert from_epoch(epoch) == to_ms(when)
    # As JSON carries it: the shortest repr of the float, parsed back.
    assert parse_timestamp(json.loads(json.dumps(epoch))) == to_ms(when)


@given(when=instants)
def test_every_documented_text_form_reads_the_same_instant(when: datetime) -> None:
    utc = when.astimezone(UTC)
    assert parse_timestamp(utc.isoformat()) == utc
    assert parse_timestamp(when.isoformat()) == utc
    assert parse_timestamp(utc.replace(tzinfo=None).isoformat()) == utc  # no offset: UTC
    assert parse_timestamp(utc.isoformat().replace("+00:00", "Z")) == utc
    assert parse_timestamp(format_datetime(utc, usegmt=True)) == utc.replace(microsecond=0)
    assert parse_timestamp(str(to_epoch(utc))) == to_ms(utc)


@given(start=st.one_of(st.none(), instants), end=st.one_of(st.none(), instants))
def test_time_range_reaches_the_wire_in_utc_milliseconds(
    start: datetime | None, end: datetime | None
) -> None:
    if start is not None and end is not None and start > end:
        start, end = end, start
    body = json.loads(
        encode_request(ListEngagementsRequest(time_range=TimeRange(start_time=start, end_time=end)))
    )["TimeRangeValue"]
    for key, when in (("StartTime", start), ("EndTime", end)):
        if when is None:
            assert key not in body
        else:
            assert from_epoch(body[key]) == to_ms(when)


# -- the whole stack: model -> emulator -> HTTP -> client -> model -----------------------
@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module", params=clients.KINDS)
def emu_client(emu: Emulator, request: pytest.FixtureRequest) -> Iterator[EngagementsClient]:
    with clients.from_emulator(emu, request.param, track=False) as client:
        yield client


arns = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789:/-", min_size=1, max_size=30)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(
        st.builds(
            Engagement,
            engagement_arn=arns,
            contact_arn=arns,
            sender=arns,
            incident_id=st.one_of(st.none(), arns),
            start_time=modern,
            stop_time=st.one_of(st.none(), modern),
        ),
        max_size=4,
    )
)
def test_models_round_trip_through_the_emulator(
    emu: Emulator, emu_client: EngagementsClient, items: list[Engagement]
) -> None:
    emu.clear()
    emu.add_engagements(*items)
    got = sorted(emu_client.iter_engagements(page_size=2), key=repr)
    assert got == sorted((_expected(e) for e in items), key=repr)
