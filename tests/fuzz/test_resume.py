"""Resume tokens: random stop points over random page layouts always resume exactly.

A scripted loopback server answers for a deterministic fake service (honouring
MaxResults, with empty pages that carry a token), one layout per example.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.credentials import Credentials
from hypothesis import given
from hypothesis import strategies as st

from ssm_engagements import (
    Engagement,
    EngagementsClient,
    SSMContactsError,
)
from tests import _clients as clients
from tests._server import Reply, ScriptedServer, Seen

_server: ScriptedServer | None = None


@pytest.fixture(scope="module", autouse=True)
def server() -> Iterator[ScriptedServer]:
    # Module scope: hypothesis runs many examples per test, each with its own layout.
    global _server
    _server = ScriptedServer()
    yield _server
    for client in _made.values():
        client.close()
    _made.clear()
    _server.close()
    _server = None


class FakeService:
    """Pages of a fixed layout (sizes, zero allowed). Token ``p{page}s{skip}``: page, and
    how many of its items an earlier, smaller MaxResults already returned."""

    def __init__(self, sizes: list[int], fail_at: set[int] | None = None) -> None:
        self.pages: list[list[Engagement]] = []
        n = 0
        for size in sizes:
            self.pages.append([_item(i) for i in range(n, n + size)])
            n += size
        self.items = [e for page in self.pages for e in page]
        self.calls = 0
        self.fail_at = fail_at or set()

    def reply(self, seen: Seen) -> Reply:
        self.calls += 1
        if self.calls in self.fail_at:
            return Reply(action="reset")
        request: dict[str, Any] = seen.json
        token = request.get("NextToken")
        page, skip = (0, 0) if token is None else map(int, token[1:].split("s"))
        items = self.pages[page][skip:]
        if request.get("MaxResults"):
            items = items[: request["MaxResults"]]
        skip += len(items)
        if skip < len(self.pages[page]):
            nxt: str | None = f"p{page}s{skip}"
        elif page + 1 < len(self.pages):
            nxt = f"p{page + 1}s0"
        else:
            nxt = None
        body: dict[str, Any] = {"Engagements": [_wire(e) for e in items]}
        if nxt is not None:
            body["NextToken"] = nxt
        return Reply(200, body)


def _item(n: int) -> Engagement:
    return Engagement(engagement_arn=f"arn:e/{n}", contact_arn="arn:c", sender="s")


def _wire(item: Engagement) -> dict[str, str]:
    return {"EngagementArn": item.engagement_arn, "ContactArn": item.contact_arn, "Sender": "s"}


_made: dict[str, Any] = {}


def _client(service: FakeService, kind: str) -> EngagementsClient:
    """The module's client of that kind (one per kind: the async one stays on its loop),
    now answered by service."""
    assert _server is not None
    _server.fallback = service.reply
    if kind not in _made:
        # One attempt: each injected reset reaches the caller as a TransportError.
        _made[kind] = clients.make(
            kind, "us-east-1", endpoint_url=_server.url, credentials=Credentials("a", "b"),
            max_attempts=1,
        )  # fmt: skip
    client: EngagementsClient = _made[kind]
    return client


layouts = st.lists(st.integers(0, 7), min_size=1, max_size=8)
page_sizes = st.one_of(st.none(), st.integers(1, 9))


@pytest.mark.parametrize("kind", clients.KINDS)
@given(sizes=layouts, page_size=page_sizes, stops=st.lists(st.integers(0, 12), max_size=4))
def test_engagements_resume_exactly_from_any_stop(
    kind: str, sizes: list[int], page_size: int | None, stops: list[int]
) -> None:
    service = FakeService(sizes)
    client = _client(service, kind)
    got: list[Engagement] = []
    token: str | None = None
    for stop in stops:
        it = client.iter_engagements(page_size=page_size, starting_token=token)
        assert it.resume_token == token  # before anything is yielded
        for item in it:
            got.append(item)
            stop -= 1
            if stop <= 0:
                break
        token = it.resume_token
        if token is None:
            break
    else:
        got += list(client.iter_engagements(page_size=page_size, starting_token=token))
    assert got == service.items


@pytest.mark.parametrize("kind", clients.KINDS)
@given(sizes=layouts, page_size=page_sizes, max_items=st.integers(1, 15))
def test_max_items_then_resume_gives_the_rest(
    kind: str, sizes: list[int], page_size: int | None, max_items: int
) -> None:
    service = FakeService(sizes)
    client = _client(service, kind)
    first = client.iter_engagements(page_size=page_size, max_items=max_items)
    got = list(first)
    assert len(got) == min(max_items, len(service.items))
    if first.resume_token is not None:
        got += list(client.iter_engagements(page_size=page_size, starting_token=first.resume_token))
    assert got == service.items


@pytest.mark.parametrize("kind", clients.KINDS)
@given(sizes=layouts, page_size=page_sizes, max_items=st.one_of(st.none(), st.integers(1, 15)))
def test_pages_resume_exactly(
    kind: str, sizes: list[int], page_size: int | None, max_items: int | None
) -> None:
    service = FakeService(sizes)
    client = _client(service, kind)
    got: list[Engagement] = []
    token: str | None = None
    while True:
        it = client.iter_pages(page_size=page_size, max_items=max_items, starting_token=token)
        pages = list(it)
        for page in pages:
            got += page.engagements
        token = it.resume_token
        if pages:
            assert pages[-1].next_token == token  # a truncated last page carries the resume token
        if token is None:
            break
    assert got == service.items


@pytest.mark.parametrize("kind", clients.KINDS)
@given(
    sizes=layouts,
    page_size=page_sizes,
    fail_at=st.sets(st.integers(1, 12), max_size=4),
)
def test_errors_mid_iteration_resume_exactly(
    kind: str, sizes: list[int], page_size: int | None, fail_at: set[int]
) -> None:
    service = FakeService(sizes, fail_at)
    client = _client(service, kind)
    got: list[Engagement] = []
    token: str | None = None
    for _ in range(len(fail_at) + 1):
        it = client.iter_engagements(page_size=page_size, starting_token=token)
        try:
            for item in it:
                got.append(item)
        except SSMContactsError as err:
            assert err.resume_token == it.resume_token  # noqa: PT017
            token = err.resume_token
            continue
        break
    assert got == service.items


def test_the_examples_went_over_http(server: ScriptedServer) -> None:
    # Runs after the property tests in this module: they must have used the server.
    assert len(server.requests) > 50
