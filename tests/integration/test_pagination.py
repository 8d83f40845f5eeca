"""Pagination over real HTTP: laziness, cycle guard, max_items, exact resume tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ssm_engagements as se
from tests._server import Reply, ScriptedServer, Seen, engagement, error, page

DEFAULT_PAGE = 7


def catalogue(total: int) -> Callable[[Seen], Reply]:
    """A responder serving `total` engagements by offset tokens, like the service."""
    items = [engagement(n) for n in range(total)]

    def respond(seen: Seen) -> Reply:
        body: dict[str, Any] = seen.json
        start = int(body.get("NextToken", "t0")[1:])
        size = body.get("MaxResults") or DEFAULT_PAGE
        chunk = items[start : start + size]
        following = start + size
        return page(*chunk, next_token=f"t{following}" if following < total else None)

    return respond


def serve(server: ScriptedServer, total: int, requests: int = 50) -> None:
    respond = catalogue(total)
    server.script(*([respond] * requests))


def arns(items: Any) -> list[str]:
    return [e.engagement_arn for e in items]


ALL = [engagement(n)["EngagementArn"] for n in range(100)]


def test_iterates_every_engagement_across_pages(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    serve(server, 20)
    it = client.iter_engagements(incident_id="inc-1")
    assert it.resume_token is None
    assert arns(it) == ALL[:20]
    assert it.resume_token is None
    assert len(server.requests) == 3
    assert all(r.json.get("IncidentId") == "inc-1" for r in server.requests)
    assert "MaxResults" not in server.requests[0].json


def test_lazy_requests_only_when_needed(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    serve(server, 20)
    it = client.iter_engagements(page_size=5)
    assert server.requests == []
    next(it)
    assert len(server.requests) == 1
    for _ in range(4):
        next(it)
    assert len(server.requests) == 1
    next(it)
    assert len(server.requests) == 2


def test_page_size_is_max_results(server: ScriptedServer, client: se.EngagementsClient) -> None:
    serve(server, 12)
    pages = list(client.iter_pages(page_size=5))
    assert [len(p.engagements) for p in pages] == [5, 5, 2]
    assert [r.json.get("MaxResults") for r in server.requests] == [5, 5, 5]
    assert [p.next_token for p in pages] == ["t5", "t10", None]


def test_max_items_clamps_max_results_and_stops(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    serve(server, 100)
    it = client.iter_engagements(page_size=10, max_items=23)
    assert arns(it) == ALL[:23]
    assert [r.json["MaxResults"] for r in server.requests] == [10, 10, 3]
    # Stopped at a page boundary: the service's own token.
    assert it.resume_token == "t23"
    without_size = client.iter_engagements(max_items=3)
    assert len(list(without_size)) == 3


def test_stopping_mid_page_resumes_exactly(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    serve(server, 30)
    first = client.iter_engagements(max_items=4)  # MaxResults clamped to 4: a page boundary
    assert arns(first) == ALL[:4]
    assert first.resume_token == "t4"

    mid = client.iter_engagements(page_size=10)
    got = [next(mid).engagement_arn for _ in range(13)]
    token = mid.resume_token
    assert got == ALL[:13]
    assert token is not None and token.startswith("sse1.")
    rest = client.iter_engagements(page_size=10, starting_token=token)
    assert rest.resume_token == token
    assert arns(rest) == ALL[13:30]
    # The resumed walk re-requested page "t10" with the MaxResults it had.
    assert server.requests[-3].json == {"MaxResults": 10, "NextToken": "t10"}


@pytest.mark.parametrize("stop", [1, 6, 7, 8, 13, 14, 20])
def test_resume_from_any_item_loses_nothing(
    server: ScriptedServer, client: se.EngagementsClient, stop: int
) -> None:
    serve(server, 21, requests=100)
    it = client.iter_engagements()
    head = [next(it).engagement_arn for _ in range(stop)]
    token = it.resume_token
    tail = arns(client.iter_engagements(starting_token=token))
    assert head + tail == ALL[:21]


def test_iter_pages_max_items_truncates_last_page(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    # A service that sends more than MaxResults asked for still gets cut exactly.
    server.script(
        page(*[engagement(n) for n in range(10)], next_token="t10"),
        page(*[engagement(n) for n in range(10, 20)], next_token="t20"),
    )
    pages = list(client.iter_pages(page_size=10, max_items=15))
    assert [len(p.engagements) for p in pages] == [10, 5]
    assert pages[0].next_token == "t10"
    last = pages[-1].next_token
    assert last is not None and last.startswith("sse1.")
    server.script(page(*[engagement(n) for n in range(10, 20)]))
    rest = list(client.iter_pages(page_size=10, starting_token=last))
    assert arns(e for p in rest for e in p.engagements) == ALL[15:20]
    assert server.requests[-1].json == {"MaxResults": 5, "NextToken": "t10"}


def test_empty_page_with_token_continues_and_empty_token_ends(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(
        page(next_token="a"),
        page(engagement(1), next_token="b"),
        page(engagement(2), next_token=""),
    )
    assert arns(client.iter_engagements()) == ALL[1:3]
    assert len(server.requests) == 3


def test_cycle_raises_after_the_page_is_yielded(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(
        page(engagement(1), next_token="A"),
        page(engagement(2), next_token="B"),
        page(engagement(3), next_token="A"),
    )
    it = client.iter_engagements()
    got = []
    with pytest.raises(se.PaginationError) as info:
        for item in it:
            got.append(item.engagement_arn)
    assert got == ALL[1:4]
    assert info.value.next_token == "A"
    assert info.value.resume_token == "A"
    assert len(server.requests) == 3


def test_starting_token_counts_as_seen(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(page(engagement(1), next_token="S"))
    with pytest.raises(se.PaginationError):
        list(client.iter_pages(starting_token="S"))


def test_no_cycle_error_when_max_items_reached(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(page(engagement(1), next_token="S"))
    assert len(list(client.iter_engagements(starting_token="S", max_items=1))) == 1


def test_errors_while_iterating_carry_the_resume_token(
    server: ScriptedServer, make_client: se.EngagementsClient
) -> None:
    client = make_client(max_attempts=1)  # type: ignore[operator]
    respond = catalogue(20)
    server.script(respond, error(400, "AccessDeniedException"))
    it = client.iter_engagements(page_size=5)
    got = []
    with pytest.raises(se.AccessDeniedException) as info:
        for item in it:
            got.append(item.engagement_arn)
    assert info.value.resume_token == "t5" == it.resume_token
    server.script(*([respond] * 5))
    assert got + arns(client.iter_engagements(page_size=5, starting_token="t5")) == ALL[:20]


def test_error_outside_iteration_has_no_resume_token(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(error(400, "ValidationException"))
    with pytest.raises(se.ValidationException) as info:
        client.list_engagements()
    assert info.value.resume_token is None


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1025}, "page_size"),
        ({"max_items": 0}, "max_items"),
        ({"max_items": 1.5}, "max_items"),
        ({"starting_token": "bad token"}, "starting_token"),
        ({"starting_token": "sse1.!!!"}, "starting_token"),
        ({"incident_id": "<x>"}, "incident_id"),
        ({"time_range": "today"}, "time_range"),
    ],
)
def test_bad_pagination_arguments_raise_at_call(
    server: ScriptedServer, client: se.EngagementsClient, kwargs: dict[str, Any], param: str
) -> None:
    for method in (client.iter_pages, client.iter_engagements):
        with pytest.raises(se.ParamValidationError) as info:
            method(**kwargs)
        assert info.value.param == param
    assert server.requests == []
