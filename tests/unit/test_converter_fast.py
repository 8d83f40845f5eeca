"""The converter's fast paths give exactly what the cattrs reference gives.

structure_response first tries _fast_page (hand-written, for the common shapes) and
leaves everything else to the cattrs converter; unstructure_request is hand-written.
These tests hold both to the reference: same models for every body the fast path
accepts, same result or error for every body at all. (`nox -s fuzz` runs the property
tests with many more examples.)
"""

from __future__ import annotations

import copy
import math
import pickle
import random
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ssm_engagements import Engagement, TimeRange
from ssm_engagements._converter import (
    ListEngagementsRequest,
    structure_response,
    structure_response_reference,
    unstructure_request,
    unstructure_request_reference,
)
from ssm_engagements._fastpath import SETTERS as _SETTERS
from ssm_engagements._fastpath import fast_page as _fast_page
from ssm_engagements._timestamps import FLOAT_EXACT_SECONDS, from_epoch

UTC = timezone.utc
REQUIRED = ("EngagementArn", "ContactArn", "Sender")

# Values of every JSON type (and a few json.loads can produce: NaN, huge ints).
any_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2022-08-16T18:50:00Z", "1660675730.153", "Tue, 16 Aug 2022 18:50:00 GMT"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
epoch_floats = st.one_of(
    st.floats(min_value=0, max_value=FLOAT_EXACT_SECONDS, exclude_max=True),
    st.floats(min_value=-FLOAT_EXACT_SECONDS, max_value=2 * FLOAT_EXACT_SECONDS),
    # Exactly on, and just off, half a microsecond: where roundings part ways.
    st.integers(min_value=0, max_value=2**32 * 10**6).map(lambda n: (n + 0.5) / 1e6),
    st.integers(min_value=0, max_value=2**32 * 10**6).map(lambda n: (n + 0.2) / 1e6),
    st.integers(min_value=0, max_value=2**32 * 10**6).map(lambda n: (n + 0.8) / 1e6),
    st.integers(min_value=0, max_value=2**32 * 1000).map(lambda n: n / 1000),
)
timestamps = st.one_of(epoch_floats, st.integers(min_value=-(10**11), max_value=10**11), any_value)


@st.composite
def items(draw: st.DrawFn, wild: bool) -> Any:
    """A wire engagement: well-formed, or (wild) with one member of any type, or missing,
    or not an object at all."""
    item: dict[str, Any] = {
        "EngagementArn": "arn:aws:ssm-contacts:us-east-1:111122223333:engagement/c/1",
        "ContactArn": "arn:aws:ssm-contacts:us-east-1:111122223333:contact/c",
        "Sender": "cli",
    }
    if draw(st.booleans()):
        item["IncidentId"] = draw(st.one_of(st.none(), st.text(max_size=8)))
    for key in ("StartTime", "StopTime"):
        if draw(st.booleans()):
            item[key] = draw(st.one_of(st.none(), epoch_floats, st.integers(0, 2**33)))
    if wild and draw(st.booleans()):
        key = draw(st.sampled_from([*REQUIRED, "IncidentId", "StartTime", "StopTime", "New"]))
        if draw(st.integers(0, 3)) == 0:
            item.pop(key, None)
        else:
            item[key] = draw(timestamps if key.endswith("Time") else any_value)
    if wild and draw(st.integers(0, 15)) == 0:
        return draw(any_value)
    return item


def bodies(wild: bool) -> st.SearchStrategy[Any]:
    token = st.one_of(st.none(), st.text(max_size=8))
    if wild:
        token = st.one_of(token, any_value)
    body = st.fixed_dictionaries(
        {"Engagements": st.lists(items(wild), max_size=4)},
        optional={"NextToken": token, "Extra": any_value},
    )
    if not wild:
        return body
    return st.one_of(
        body, st.dictionaries(st.sampled_from(["Engagements", "NextToken"]), any_value)
    )


def outcome(function: Any, data: Any) -> Any:
    try:
        page = function(data, "rid")
    except Exception as exc:
        return ("error", type(exc), str(exc))
    return ("page", page, [type(e) for e in page.engagements], type(page.engagements))


@given(bodies(wild=False))
def test_fast_path_takes_well_formed_pages_and_matches_the_reference(data: Any) -> None:
    fast = _fast_page(data, "rid")
    try:
        expected = structure_response_reference(data, "rid")
    except Exception:
        assert fast is None  # e.g. a timestamp out of range: the reference reports it
        return
    if fast is not None:
        assert fast == expected
        assert type(fast.engagements) is tuple
        assert [e.start_time for e in fast.engagements] == [
            e.start_time for e in expected.engagements
        ]
        assert all(
            t is None or t.tzinfo is UTC
            for e in fast.engagements
            for t in (e.start_time, e.stop_time)
        )


@given(bodies(wild=True))
def test_structure_response_matches_the_reference_for_any_body(data: Any) -> None:
    assert outcome(structure_response, data) == outcome(structure_response_reference, data)


@given(st.lists(epoch_floats, min_size=1, max_size=8))
@example([0.0, 1.5, 1660675730.153, 4294967295.999999, 0.0000005, 0.0000015])
@example([(1660675730153000 + 0.5) / 1e6, math.nextafter(FLOAT_EXACT_SECONDS, 0)])
def test_fast_timestamps_equal_from_epoch(values: list[float]) -> None:
    item = {"EngagementArn": "a", "ContactArn": "c", "Sender": "s"}
    page = _fast_page(
        {"Engagements": [{**item, "StartTime": v, "StopTime": v} for v in values]}, None
    )
    try:
        expected = [from_epoch(v) for v in values]
    except (ValueError, OverflowError):
        assert page is None
        return
    assert page is not None
    assert [e.start_time for e in page.engagements] == expected
    assert [e.stop_time for e in page.engagements] == expected


def test_fast_timestamps_equal_from_epoch_on_many_near_ties() -> None:
    # Deterministic and dense where fromtimestamp and from_epoch's rounding could part:
    # half a microsecond either way, millisecond values, the ends of the fast range.
    rng = random.Random(20261126)
    values = [0.0, math.nextafter(FLOAT_EXACT_SECONDS, 0), 1e-7, 0.5e-6, 1.5e-6]
    for _ in range(6000):
        micros = rng.randrange(0, 2**32 * 10**6)
        values += [(micros + d) / 1e6 for d in (0.5, 0.2, 0.8, 0.25, 0.75)]
        values.append(rng.randrange(0, 2**32 * 1000) / 1000)
        values.append(rng.uniform(0, FLOAT_EXACT_SECONDS))
    item = {"EngagementArn": "a", "ContactArn": "c", "Sender": "s"}
    page = _fast_page({"Engagements": [{**item, "StartTime": v} for v in values]}, None)
    assert page is not None
    assert [e.start_time for e in page.engagements] == [from_epoch(v) for v in values]


def test_fast_path_is_used_for_the_common_shape() -> None:
    data = {
        "Engagements": [
            {
                "EngagementArn": "arn:e",
                "ContactArn": "arn:c",
                "Sender": "cli",
                "IncidentId": "arn:i",
                "StartTime": 1660675730.153,
            }
        ],
        "NextToken": "t",
    }
    page = _fast_page(data, "rid")
    assert page is not None
    assert page.request_id == "rid"
    assert page.engagements[0].start_time == datetime(2022, 8, 16, 18, 48, 50, 153000, UTC)


def test_engagements_built_from_slots_equal_constructed_ones() -> None:
    assert _SETTERS is not None  # Engagement's __init__ only stores: the fast build applies
    start = datetime(2026, 1, 1, tzinfo=UTC)
    wire = {"EngagementArn": "a", "ContactArn": "c", "Sender": "s", "StartTime": 1767225600.0}
    page = _fast_page({"Engagements": [wire]}, None)
    assert page is not None
    built = page.engagements[0]
    made = Engagement(engagement_arn="a", contact_arn="c", sender="s", start_time=start)
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert pickle.loads(pickle.dumps(built)) == made
    assert copy.deepcopy(built) == made
    with pytest.raises(AttributeError):
        built.sender = "x"  # type: ignore[misc]


aware = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
) | st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([timezone(timedelta(hours=5, minutes=30)), timezone.utc]),
)


@st.composite
def requests(draw: st.DrawFn) -> ListEngagementsRequest:
    window = None
    if draw(st.booleans()):
        bounds = sorted(
            draw(st.lists(st.one_of(st.none(), aware), min_size=2, max_size=2)), key=str
        )
        start, end = bounds
        if start is not None and end is not None and start > end:
            start, end = end, start
        window = TimeRange(start_time=start, end_time=end)
    return ListEngagementsRequest(
        incident_id=draw(st.one_of(st.none(), st.text(max_size=10))),
        max_results=draw(st.one_of(st.none(), st.integers(0, 1024))),
        next_token=draw(st.one_of(st.none(), st.text(max_size=10))),
        time_range=window,
    )


@given(requests())
def test_unstructure_request_matches_the_reference(request: ListEngagementsRequest) -> None:
    fast = unstructure_request(request)
    expected = unstructure_request_reference(request)
    assert fast == expected
    assert list(fast) == list(expected)  # same member order, so the same bytes
    for key in ("StartTime", "EndTime"):
        got, want = (
            fast.get("TimeRangeValue", {}).get(key),
            expected.get("TimeRangeValue", {}).get(key),
        )
        assert type(got) is type(want)
