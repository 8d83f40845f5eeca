"""The wire converter: renames, strict JSON types, unknown keys ignored, nulls."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from ssm_engagements import Engagement, ListEngagementsResponse, ResponseParseError, TimeRange
from ssm_engagements._converter import ListEngagementsRequest
from ssm_engagements._protocol import encode_request, parse_success

UTC = timezone.utc
FULL = {
    "EngagementArn": "arn:aws:ssm-contacts:us-east-2:111122223333:engagement/x/1",
    "ContactArn": "arn:aws:ssm-contacts:us-east-2:111122223333:contact/x",
    "Sender": "cli",
    "IncidentId": "arn:aws:ssm-incidents::111122223333:incident-record/p/1",
    "StartTime": 1660675730.153,
    "StopTime": "2022-08-16T18:50:00Z",
}


def parse(body: Any, request_id: str | None = "rid") -> ListEngagementsResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_success(200, {"x-amzn-RequestId": request_id} if request_id else {}, raw)


def test_full_engagement_maps_every_member() -> None:
    page = parse({"Engagements": [FULL], "NextToken": "abc"})
    assert page == ListEngagementsResponse(
        engagements=(
            Engagement(
                engagement_arn=FULL["EngagementArn"],
                contact_arn=FULL["ContactArn"],
                sender="cli",
                incident_id=FULL["IncidentId"],
                start_time=datetime(2022, 8, 16, 18, 48, 50, 153000, tzinfo=UTC),
                stop_time=datetime(2022, 8, 16, 18, 50, tzinfo=UTC),
            ),
        ),
        next_token="abc",
        request_id="rid",
    )
    assert isinstance(page.engagements, tuple)


def test_unknown_members_are_ignored_and_null_optionals_are_none() -> None:
    item = {**FULL, "IncidentId": None, "StopTime": None, "Brand": "new"}
    page = parse({"Engagements": [item], "NextToken": None, "Extra": {"x": 1}})
    assert page.engagements[0].incident_id is None
    assert page.engagements[0].stop_time is None
    assert page.next_token is None


def test_missing_optionals_are_none() -> None:
    item = {k: FULL[k] for k in ("EngagementArn", "ContactArn", "Sender")}
    page = parse({"Engagements": [item]}, request_id=None)
    assert page.engagements[0].start_time is None
    assert page.request_id is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "Engagements"),
        ({"Engagements": None}, "Engagements"),
        ({"Engagements": "nope"}, "list"),
        ({"Engagements": {"a": 1}}, "list"),
        ({"Engagements": [{**FULL, "Sender": None}]}, "Sender"),
        ({"Engagements": [{k: v for k, v in FULL.items() if k != "ContactArn"}]}, "ContactArn"),
        ({"Engagements": [{**FULL, "EngagementArn": 12}]}, "string"),
        ({"Engagements": [{**FULL, "StartTime": "soon"}]}, "StartTime"),
        ({"Engagements": [{**FULL, "StartTime": True}]}, "StartTime"),
        ({"Engagements": [{**FULL, "StartTime": 1e300}]}, "StartTime"),
        ({"Engagements": [7]}, "Engagements"),
        ({"Engagements": [], "NextToken": 5}, "NextToken"),
        ([], "object"),
        ("text", "object"),
    ],
)
def test_wrong_shapes_raise_response_parse_error(body: Any, fragment: str) -> None:
    with pytest.raises(ResponseParseError) as info:
        parse(body)
    assert info.value.request_id == "rid"
    assert info.value.status_code == 200
    assert fragment in str(info.value)


@pytest.mark.parametrize("raw", [b"", b"   ", b"<html>502</html>", b'{"Engagements": ['])
def test_empty_or_non_json_bodies_raise_response_parse_error(raw: bytes) -> None:
    with pytest.raises(ResponseParseError) as info:
        parse(raw)
    assert info.value.body_excerpt == raw.decode()


def test_request_body_holds_only_what_is_set() -> None:
    assert json.loads(encode_request(ListEngagementsRequest())) == {}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    body = encode_request(
        ListEngagementsRequest(
            incident_id="arn:x",
            max_results=0,
            next_token="t",
            time_range=TimeRange(start_time=start),
        )
    )
    assert json.loads(body) == {
        "IncidentId": "arn:x",
        "MaxResults": 0,
        "NextToken": "t",
        "TimeRangeValue": {"StartTime": 1767225600},
    }
    assert b"1767225600" in body and b"1767225600." not in body


def test_request_timestamps_are_epoch_seconds_with_milliseconds() -> None:
    window = TimeRange(
        start_time=datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),
        end_time=datetime(2026, 1, 2, tzinfo=UTC),
    )
    body = json.loads(encode_request(ListEngagementsRequest(time_range=window)))
    assert body == {"TimeRangeValue": {"StartTime": 1767225600.123, "EndTime": 1767312000}}
