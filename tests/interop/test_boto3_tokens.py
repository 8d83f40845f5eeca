"""Resume tokens shared with boto3's paginator, both ways, against the emulator.

boto3 (botocore's paginator) wraps its resume token as base64 of JSON, at page boundaries
``{"NextToken": "..."}`` and mid-page ``{"NextToken": ..., "boto_truncate_amount": n}``.
Each case exports part of a listing with one client and finishes it with the other: the
two halves together must be the whole listing, in order, nothing twice.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests.interop.conftest import COUNT, INCIDENT

FILTERS: dict[str, dict[str, Any]] = {"all": {}, "incident": {"IncidentId": INCIDENT}}


def _ours(filters: dict[str, Any]) -> dict[str, Any]:
    return {"incident_id": filters["IncidentId"]} if filters else {}


def _everything(boto: Any, filters: dict[str, Any]) -> list[str]:
    """The whole listing, as boto3's paginator sees it."""
    pages = boto.get_paginator("list_engagements").paginate(**filters)
    return [e["EngagementArn"] for e in pages.build_full_result()["Engagements"]]


def _boto_result(
    boto: Any, filters: dict[str, Any], config: dict[str, Any], page_size: int | None
) -> dict[str, Any]:
    """boto3's paginator, run to the end of PaginationConfig config (plus PageSize)."""
    if page_size is not None:
        config = {**config, "PageSize": page_size}
    result: dict[str, Any] = (
        boto.get_paginator("list_engagements")
        .paginate(PaginationConfig=config, **filters)
        .build_full_result()
    )
    return result


def _boto_export(
    boto: Any, filters: dict[str, Any], max_items: int, page_size: int | None
) -> tuple[list[str], str]:
    result = _boto_result(boto, filters, {"MaxItems": max_items}, page_size)
    return [e["EngagementArn"] for e in result["Engagements"]], result["NextToken"]


def _wrapped(token: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(base64.b64decode(token))
    return loaded


# (max_items, page_size, what boto3's token looks like)
BOTO_CASES = [
    pytest.param(20, 10, {"boto_truncate_amount": None}, id="page-boundary"),
    pytest.param(25, 10, {"boto_truncate_amount": 5}, id="mid-page"),
    pytest.param(4, 10, {"NextToken": None, "boto_truncate_amount": 4}, id="mid-first-page"),
    pytest.param(30, None, {"NextToken": None, "boto_truncate_amount": 30}, id="no-page-size"),
]


@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
@pytest.mark.parametrize(("max_items", "page_size", "shape"), BOTO_CASES)
@pytest.mark.parametrize("how", ["iter_engagements", "iter_pages"])
def test_boto3_token_continues_in_our_iterators(
    client: se.EngagementsClient,
    boto: Any,
    filters: dict[str, Any],
    max_items: int,
    page_size: int | None,
    shape: dict[str, Any],
    how: str,
) -> None:
    seen, token = _boto_export(boto, filters, max_items, page_size)
    wrapped = _wrapped(token)
    for key, value in shape.items():
        assert wrapped.get(key) == value, wrapped
    kwargs = {**_ours(filters), "page_size": page_size, "starting_token": token}
    if how == "iter_engagements":
        rest = [e.engagement_arn for e in client.iter_engagements(**kwargs)]
    else:
        rest = [e.engagement_arn for page in client.iter_pages(**kwargs) for e in page.engagements]
    assert seen + rest == _everything(boto, filters)


@pytest.mark.parametrize(
    ("page_size", "max_items"),
    [(None, 3), (10, 3), (3, None), (2, 7)],
    ids=["fewer-items-than-skipped", "with-page-size", "page-smaller-than-skip", "both-small"],
)
def test_boto3_mid_page_token_with_other_limits_loses_nothing(
    client: se.EngagementsClient, boto: Any, page_size: int | None, max_items: int | None
) -> None:
    """The re-requested page must cover the items boto3 already took, whatever this
    call's page_size and max_items: nothing seen twice, nothing skipped."""
    everything = _everything(boto, {})
    seen, token = _boto_export(boto, {}, 25, 10)
    assert _wrapped(token)["boto_truncate_amount"] == 5
    got: list[str] = []
    while token:
        items = client.iter_engagements(
            page_size=page_size, max_items=max_items, starting_token=token
        )
        got.extend(e.engagement_arn for e in items)
        token = items.resume_token
        if max_items is None:
            break
    assert seen + got == everything


def test_resume_token_of_a_boto3_token_before_anything_is_yielded(
    client: se.EngagementsClient, boto: Any
) -> None:
    _, token = _boto_export(boto, {}, 25, 10)
    items = client.iter_engagements(page_size=10, starting_token=token)
    assert items.resume_token == token


@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
@pytest.mark.parametrize("page_size", [None, 7])
def test_our_page_boundary_token_continues_in_boto3(
    client: se.EngagementsClient, boto: Any, filters: dict[str, Any], page_size: int | None
) -> None:
    items = client.iter_engagements(**_ours(filters), page_size=page_size, max_items=14)
    seen = [e.engagement_arn for e in items]
    token = items.resume_token
    assert token is not None and not token.startswith("sse1.")
    result = _boto_result(boto, filters, {"StartingToken": token}, page_size)
    assert seen + [e["EngagementArn"] for e in result["Engagements"]] == _everything(boto, filters)


def test_boto3_token_round_trips_through_both_clients(
    client: se.EngagementsClient, boto: Any
) -> None:
    """boto3 -> us -> boto3 -> us, mid-page each time boto3 stops."""
    everything = _everything(boto, {})
    got, token = _boto_export(boto, {}, 13, 5)
    ours = client.iter_engagements(page_size=5, max_items=11, starting_token=token)
    got += [e.engagement_arn for e in ours]
    config = {"StartingToken": ours.resume_token, "PageSize": 5, "MaxItems": 12}
    result = boto.get_paginator("list_engagements").paginate(PaginationConfig=config)
    page = result.build_full_result()
    got += [e["EngagementArn"] for e in page["Engagements"]]
    got += [e.engagement_arn for e in client.iter_engagements(starting_token=page["NextToken"])]
    assert got == everything
    assert len(got) == COUNT


def _b64(payload: object) -> str:
    return base64.b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        _b64({"NextToken": "abc"})[:-3] + "!!!",
        _b64({"boto_truncate_amount": 3}),
        _b64({"NextToken": 5}),
        _b64({"NextToken": None, "boto_truncate_amount": -1}),
        _b64({"NextToken": None, "boto_truncate_amount": "3"}),
        _b64({"NextToken": "has space", "boto_truncate_amount": 1}),
        _b64({"NextToken": "abc", "ExclusiveStartKey": "x"}),
    ],
    ids=[
        "not-base64",
        "no-next-token",
        "token-not-str",
        "negative",
        "amount-str",
        "bad-inner",
        "unknown-key",
    ],
)
@pytest.mark.parametrize("how", ["iter_engagements", "iter_pages"])
def test_malformed_wrapped_token_is_rejected_before_sending(
    emu: Emulator, client: se.EngagementsClient, token: str, how: str
) -> None:
    before = len(emu.requests)
    with pytest.raises(se.ParamValidationError) as info:
        getattr(client, how)(starting_token=token)
    assert info.value.param == "starting_token"
    assert "starting_token" in str(info.value)
    assert len(emu.requests) == before
