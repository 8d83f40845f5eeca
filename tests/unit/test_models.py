"""Models: frozen, slotted, keyword-only, validated TimeRange."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest

from ssm_engagements import (
    Engagement,
    ListEngagementsResponse,
    ParamValidationError,
    TimeRange,
    ValidationExceptionField,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    "cls", [TimeRange, Engagement, ListEngagementsResponse, ValidationExceptionField]
)
def test_models_are_frozen_slotted_attrs_classes(cls: type) -> None:
    assert attrs.has(cls)
    assert "__slots__" in cls.__dict__
    assert all(f.kw_only for f in attrs.fields(cls))


def test_frozen() -> None:
    window = TimeRange()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        window.start_time = None  # type: ignore[misc]


def test_positional_arguments_are_refused() -> None:
    with pytest.raises(TypeError):
        TimeRange(datetime.now(UTC))  # type: ignore[misc]


def test_time_range_converts_aware_datetimes_to_utc() -> None:
    plus2 = timezone(timedelta(hours=2))
    window = TimeRange(start_time=datetime(2026, 1, 1, 2, tzinfo=plus2))
    assert window.start_time == datetime(2026, 1, 1, tzinfo=UTC)
    assert window.start_time is not None and window.start_time.tzinfo is UTC


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"start_time": datetime(2026, 1, 1)}, "time_range.start_time"),
        ({"end_time": datetime(2026, 1, 1)}, "time_range.end_time"),
        ({"start_time": "2026-01-01"}, "time_range.start_time"),
        ({"end_time": 1767225600}, "time_range.end_time"),
        (
            {
                "start_time": datetime(2026, 1, 2, tzinfo=UTC),
                "end_time": datetime(2026, 1, 1, tzinfo=UTC),
            },
            "time_range",
        ),
    ],
)
def test_time_range_rejects_bad_bounds(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(ParamValidationError) as info:
        TimeRange(**kwargs)  # type: ignore[arg-type]
    assert info.value.param == param
    assert isinstance(info.value, ValueError)
    assert param in str(info.value)


def test_equal_bounds_are_allowed() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    assert TimeRange(start_time=moment, end_time=moment).end_time == moment


def test_response_accepts_a_list_and_stores_a_tuple() -> None:
    item = Engagement(engagement_arn="a", contact_arn="c", sender="s")
    page = ListEngagementsResponse(engagements=[item])
    assert page.engagements == (item,)
    assert page.next_token is None and page.request_id is None
