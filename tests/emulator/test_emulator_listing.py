"""The emulator's ListEngagements as boto3 (a client this project did not write) sees it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import botocore
import pytest

from ssm_engagements.emulator import Emulator
from tests.emulator._helpers import engagement

UTC = timezone.utc
BASE = datetime.fromtimestamp(1_660_675_730, UTC)


def _arns(items: list[dict[str, Any]]) -> list[str]:
    return [item["EngagementArn"] for item in items]


def test_signed_request_accepted_and_empty_store_gives_empty_page(
    emu: Emulator, client: Any
) -> None:
    response = client.list_engagements()
    assert response["Engagements"] == []
    assert "NextToken" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_paginator_walks_every_page_newest_first(emu: Emulator, client: Any) -> None:
    # Added in shuffled order: the emulator, not insertion, decides the order.
    emu.add_engagements(*(engagement((i * 7919) % 250) for i in range(250)))
    pages = list(
        client.get_paginator("list_engagements").paginate(PaginationConfig={"PageSize": 40})
    )
    assert [len(p["Engagements"]) for p in pages] == [40] * 6 + [10]
    assert all("NextToken" in p for p in pages[:-1]) and "NextToken" not in pages[-1]
    arns = [a for p in pages for a in _arns(p["Engagements"])]
    assert arns == [engagement(i)["EngagementArn"] for i in reversed(range(250))]
    starts = [e["StartTime"] for p in pages for e in p["Engagements"]]
    assert starts == sorted(starts, reverse=True)
    tokens = [p["NextToken"] for p in pages[:-1]]
    assert all(len(t) <= 2048 for t in tokens) and len(set(tokens)) == len(tokens)


def test_max_results_zero_or_absent_uses_default_page_size(emu: Emulator, client: Any) -> None:
    emu.add_engagements(*(engagement(i) for i in range(Emulator.DEFAULT_PAGE_SIZE + 5)))
    for kwargs in ({}, {"MaxResults": 0}):
        response = client.list_engagements(**kwargs)
        assert len(response["Engagements"]) == Emulator.DEFAULT_PAGE_SIZE
        rest = client.list_engagements(NextToken=response["NextToken"], **kwargs)
        assert len(rest["Engagements"]) == 5 and "NextToken" not in rest


def test_exact_page_boundary_has_no_token_on_the_last_page(emu: Emulator, client: Any) -> None:
    emu.add_engagements(*(engagement(i) for i in range(4)))
    first = client.list_engagements(MaxResults=2)
    second = client.list_engagements(MaxResults=2, NextToken=first["NextToken"])
    assert len(second["Engagements"]) == 2 and "NextToken" not in second


def test_incident_id_filter_is_exact(emu: Emulator, client: Any) -> None:
    emu.add_engagements(
        engagement(1, IncidentId="inc-a"),
        engagement(2, IncidentId="inc-b"),
        engagement(3, IncidentId="inc-a"),
        engagement(4, IncidentId="inc-aa"),
        engagement(5, IncidentId=None),
    )
    response = client.list_engagements(IncidentId="inc-a")
    assert _arns(response["Engagements"]) == [
        engagement(3)["EngagementArn"],
        engagement(1)["EngagementArn"],
    ]


def test_time_range_filter_has_inclusive_bounds(emu: Emulator, client: Any) -> None:
    emu.add_engagements(*(engagement(i) for i in range(10)), engagement(99, StartTime=None))
    window = {"StartTime": BASE + timedelta(seconds=3), "EndTime": BASE + timedelta(seconds=6)}
    response = client.list_engagements(TimeRangeValue=window)
    assert _arns(response["Engagements"]) == [engagement(i)["EngagementArn"] for i in (6, 5, 4, 3)]
    only_start = client.list_engagements(TimeRangeValue={"StartTime": BASE + timedelta(seconds=8)})
    assert len(only_start["Engagements"]) == 2
    only_end = client.list_engagements(TimeRangeValue={"EndTime": BASE})
    assert _arns(only_end["Engagements"]) == [engagement(0)["EngagementArn"]]


@pytest.mark.skipif(
    tuple(int(part) for part in botocore.__version__.split(".")[:3]) < (1, 40, 46),
    reason="needs boto3/botocore 1.40.46, the first to send timestamps with milliseconds "
    "(older releases truncate them to whole seconds)",
)
def test_time_range_bounds_compare_at_millisecond_precision(emu: Emulator, client: Any) -> None:
    emu.add_engagements(engagement(0, StartTime="2022-08-16T18:48:50.153Z"))
    at = datetime(2022, 8, 16, 18, 48, 50, 153000, tzinfo=UTC)
    hit = client.list_engagements(TimeRangeValue={"StartTime": at, "EndTime": at})
    assert len(hit["Engagements"]) == 1
    after = at + timedelta(milliseconds=1)
    miss = client.list_engagements(TimeRangeValue={"StartTime": after})
    assert miss["Engagements"] == []


def test_filters_combine_with_pagination(emu: Emulator, client: Any) -> None:
    emu.add_engagements(
        *(engagement(i, IncidentId="inc-a" if i % 2 else "inc-b") for i in range(30))
    )
    pages = client.get_paginator("list_engagements").paginate(
        IncidentId="inc-a",
        TimeRangeValue={"StartTime": BASE + timedelta(seconds=5)},
        PaginationConfig={"PageSize": 4},
    )
    arns = [a for p in pages for a in _arns(p["Engagements"])]
    assert arns == [engagement(i)["EngagementArn"] for i in range(29, 4, -1) if i % 2]


def test_response_wire_format_is_literal_json(emu: Emulator, post: Any) -> None:
    emu.add_engagements(
        engagement(1, StartTime="2022-08-16T18:48:50.153456+00:00", StopTime=1660675800),
    )
    response = post({})
    assert response.status == 200
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    item = response.json["Engagements"][0]
    assert item["StartTime"] == 1660675730.153  # sub-millisecond digits dropped
    assert item["StopTime"] == 1660675800 and isinstance(item["StopTime"], int)
    assert set(item) == {
        "EngagementArn",
        "ContactArn",
        "Sender",
        "IncidentId",
        "StartTime",
        "StopTime",
    }


def test_every_response_has_request_id_and_date(emu: Emulator, client: Any) -> None:
    response = client.list_engagements()
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert len(response["ResponseMetadata"]["RequestId"]) == 36
    assert headers["date"].endswith(" GMT")


def test_load_reads_iso_and_epoch_timestamps(emu: Emulator, client: Any, tmp_path: Path) -> None:
    path = tmp_path / "engagements.json"
    data = {
        "Engagements": [
            engagement(1, StartTime="2022-08-16T18:48:50.153000+00:00"),
            engagement(2, StartTime=1660675731.5, StopTime="2022-08-16T20:48:51+02:00"),
            engagement(3, StartTime="2022-08-16T18:48:52Z"),
        ]
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    assert emu.load(path) == 3 and len(emu) == 3
    items = client.list_engagements()["Engagements"]
    assert [e["StartTime"] for e in items] == [
        BASE + timedelta(seconds=2),
        BASE + timedelta(seconds=1, milliseconds=500),
        datetime(2022, 8, 16, 18, 48, 50, 153000, tzinfo=UTC),
    ]
    assert items[1]["StopTime"] == datetime(2022, 8, 16, 18, 48, 51, tzinfo=UTC)


def test_load_rejects_other_shapes(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="Engagements"):
        emu.load(path)


def test_add_engagements_accepts_models_and_datetimes(emu: Emulator, client: Any) -> None:
    from ssm_engagements import Engagement

    start = datetime(2022, 8, 16, 18, 48, 50, 153999, tzinfo=UTC)
    emu.add_engagements(
        Engagement(engagement_arn="arn:e1", contact_arn="arn:c", sender="cli", start_time=start),
        {"EngagementArn": "arn:e2", "ContactArn": "arn:c", "Sender": "x", "StartTime": BASE},
    )
    items = client.list_engagements()["Engagements"]
    assert items[0] == {
        "EngagementArn": "arn:e1",
        "ContactArn": "arn:c",
        "Sender": "cli",
        "StartTime": start.replace(microsecond=153000),
    }
    assert items[1]["EngagementArn"] == "arn:e2"


@pytest.mark.parametrize(
    ("item", "error"),
    [
        ({"ContactArn": "c", "Sender": "s"}, ValueError),
        ({"EngagementArn": "e", "ContactArn": "c", "Sender": "s", "Bogus": 1}, ValueError),
        ({"EngagementArn": "e", "ContactArn": "c", "Sender": "s", "StartTime": "soon"}, ValueError),
        ({"EngagementArn": "e", "ContactArn": "c", "Sender": "s", "StartTime": True}, ValueError),
        ("arn:e", TypeError),
    ],
)
def test_add_engagements_rejects_bad_input_and_adds_nothing(
    emu: Emulator, item: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        emu.add_engagements(engagement(1), item)
    assert len(emu) == 0


def test_constructor_engagements_and_clear() -> None:
    with Emulator(engagements=[engagement(1), engagement(2)]) as emulator:
        assert len(emulator) == 2
        emulator.inject("throttle")
        emulator.clear()
        assert len(emulator) == 0 and emulator.pending_faults == [] and emulator.requests == []


def test_requests_are_recorded(emu: Emulator, client: Any) -> None:
    client.list_engagements(IncidentId="inc-a", MaxResults=7)
    (record,) = emu.requests
    assert record.method == "POST" and record.path == "/"
    assert record.target == "SSMContacts.ListEngagements"
    assert record.body == {"IncidentId": "inc-a", "MaxResults": 7}
    assert record.headers["x-amz-target"] == "SSMContacts.ListEngagements"
    assert record.headers["authorization"].startswith("AWS4-HMAC-SHA256 ")
    assert abs(record.time - emu.now()) < 5
