"""The page walk as the state machine it is: which page to ask for, how many of its
items to hand out, where a resume continues and when a repeated token stops it.

A scripted service answers in memory; the walk is driven by the blocking iterators'
own classes (the async ones share the walk), so nothing here opens a socket.
"""

from __future__ import annotations

import pytest
from botocore.paginate import TokenEncoder

from ssm_engagements._models import Engagement, ListEngagementsResponse
from ssm_engagements._paginator import EngagementIterator, PageIterator
from ssm_engagements._tokens import encode_token
from ssm_engagements._walk import Walk, make_walk
from ssm_engagements.errors import PaginationError, ParamValidationError

DEFAULT_PAGE = 4  # what the scripted service returns when MaxResults is not sent


def item(n: int) -> Engagement:
    return Engagement(engagement_arn=f"arn:e/{n}", contact_arn="arn:c", sender="s")


def number(engagement: Engagement) -> int:
    return int(engagement.engagement_arn.rsplit("/", 1)[1])


class Service:
    """``n`` items, newest first; token ``p{offset}``. ``repeat`` maps a request's token
    to the NextToken to answer instead (a service that loops); ``short`` maps a token
    to a page size smaller than asked (the data changed under a resume); ``fixed``
    pages ignore MaxResults."""

    def __init__(
        self, n: int, *, repeat: dict[str | None, str] | None = None,
        short: dict[str | None, int] | None = None, fixed: int | None = None,
    ) -> None:  # fmt: skip
        self.fixed = fixed
        self.items = tuple(item(i) for i in range(n))
        self.repeat = repeat or {}
        self.short = short or {}
        self.requests: list[tuple[int | None, str | None]] = []

    def __call__(self, max_results: int | None, token: str | None) -> ListEngagementsResponse:
        self.requests.append((max_results, token))
        start = 0 if token is None else int(token[1:])
        size = DEFAULT_PAGE if max_results is None else max_results
        size = min(size, self.short.get(token, size)) if self.fixed is None else self.fixed
        end = min(start + size, len(self.items))
        next_token = f"p{end}" if end < len(self.items) else None
        next_token = self.repeat.get(token, next_token)
        return ListEngagementsResponse(engagements=self.items[start:end], next_token=next_token)


def walk(
    page_size: int | None = None, max_items: int | None = None, starting_token: object = None
) -> Walk:
    return make_walk(page_size=page_size, max_items=max_items, starting_token=starting_token)


def take(
    service: Service, w: Walk, count: int | None = None
) -> tuple[list[int], EngagementIterator]:
    """Up to count items (all when None) through the engagement iterator."""
    it = EngagementIterator(w, service)
    got: list[int] = []
    while count is None or len(got) < count:
        engagement = next(it, None)
        if engagement is None:
            break
        got.append(number(engagement))
    return got, it


# (items in the service, page_size, max_items) -> requests sent, items yielded
WALKS = [
    ((10, None, None), [(None, None), (None, "p4"), (None, "p8")], 10),
    ((10, 3, None), [(3, None), (3, "p3"), (3, "p6"), (3, "p9")], 10),
    ((10, 3, 5), [(3, None), (2, "p3")], 5),  # the last request asks for what is missing
    ((10, 4, 5), [(4, None), (1, "p4")], 5),
    ((10, None, 6), [(6, None)], 6),  # max_items alone: MaxResults = items still needed
    ((10, 5, 5), [(5, None)], 5),  # max_items at a page boundary: no further request
    ((10, 5, 10), [(5, None), (5, "p5")], 10),
    ((3, None, 10), [(10, None)], 3),  # fewer items than max_items: ends with the data
    ((3, 1, None), [(1, None), (1, "p1"), (1, "p2")], 3),
    ((0, None, None), [(None, None)], 0),
    ((2000, None, 1500), [(1024, None), (476, "p1024")], 1500),  # never above 1024
    ((2000, 1024, 2000), [(1024, None), (976, "p1024")], 2000),
    ((10, 1024, 3), [(3, None)], 3),
]


@pytest.mark.parametrize(("shape", "requests", "count"), WALKS, ids=[str(w[0]) for w in WALKS])
def test_which_pages_are_requested(
    shape: tuple[int, int | None, int | None], requests: list[object], count: int
) -> None:
    n, page_size, max_items = shape
    service = Service(n)
    got, it = take(service, walk(page_size, max_items))
    assert service.requests == requests
    assert got == list(range(count))
    assert it.resume_token is None or max_items is not None
    # And the same pages through the page iterator.
    pages_service = Service(n)
    pages = list(PageIterator(walk(page_size, max_items), pages_service))
    assert pages_service.requests == requests
    assert [number(e) for p in pages for e in p.engagements] == list(range(count))


def test_a_request_is_sent_only_when_an_item_is_needed() -> None:
    service = Service(10)
    it = EngagementIterator(walk(page_size=4), service)
    assert service.requests == []
    assert it.resume_token is None
    next(it)
    assert service.requests == [(4, None)]
    for _ in range(3):
        next(it)
    assert service.requests == [(4, None)]  # the 4th item came from the held page
    next(it)
    assert service.requests == [(4, None), (4, "p4")]


def test_the_resume_token_after_each_item() -> None:
    service = Service(6)
    it = EngagementIterator(walk(page_size=3), service)
    tokens = [it.resume_token]
    tokens += [it.resume_token for _ in it]
    assert tokens == [
        None,  # nothing yielded: the starting_token
        encode_token(None, 3, 1),  # inside the first page
        encode_token(None, 3, 2),
        "p3",  # a page boundary: the service's own token
        encode_token("p3", 3, 1),
        encode_token("p3", 3, 2),
        None,  # the end: nothing left to resume
    ]


def test_the_resume_token_after_each_page_with_max_items() -> None:
    service = Service(10)
    it = PageIterator(walk(page_size=4, max_items=6), service)
    pages = list(it)
    assert [p.next_token for p in pages] == ["p4", "p6"]
    # The truncated last page's next_token is the resume token: the service's, here.
    assert it.resume_token == "p6"
    assert [len(p.engagements) for p in pages] == [4, 2]


def test_a_page_cut_inside_carries_the_mid_page_token() -> None:
    """A service that returns more than MaxResults: iter_pages cuts the page at
    max_items, and its next_token continues inside it."""
    service = Service(10, fixed=5)
    it = PageIterator(walk(max_items=3), service)
    (page,) = list(it)
    assert service.requests == [(3, None)]
    assert [number(e) for e in page.engagements] == [0, 1, 2]
    assert page.next_token == encode_token(None, 3, 3) == it.resume_token
    rest, _ = take(Service(10, fixed=5), walk(starting_token=page.next_token))
    assert rest == list(range(3, 10))


def test_iter_pages_resumed_mid_page_yields_the_rest_of_that_page() -> None:
    """The first page is cut to what was not yet yielded, even when its NextToken is
    the service's (here p8: the resume ends at that page's end)."""
    service = Service(10)
    pages = list(PageIterator(walk(starting_token=encode_token("p4", 4, 2)), service))
    assert [[number(e) for e in p.engagements] for p in pages] == [[6, 7], [8, 9]]
    assert [p.next_token for p in pages] == ["p8", None]


def test_a_held_page_is_handed_out_unchanged_when_nothing_is_cut() -> None:
    service = Service(10)
    w = walk(page_size=4)
    w.accept(service(*(w.next_request() or (None, None))))
    held = w._page
    assert w.take_held_page() is held


@pytest.mark.parametrize(
    ("stop", "page_size"), [(s, p) for p in (1, 3, 4, None) for s in range(11)]
)
def test_resuming_after_any_item_loses_and_repeats_nothing(
    stop: int, page_size: int | None
) -> None:
    got, it = take(Service(10), walk(page_size), stop)
    token = it.resume_token
    if token is None and stop:  # the last item was taken: nothing is left to resume
        assert got == list(range(10))
        return
    rest, _ = take(Service(10), walk(page_size, starting_token=token))
    assert got + rest == list(range(10))
    # With a different page_size on the resumed call too.
    rest, _ = take(Service(10), walk(7 if page_size != 7 else 2, starting_token=token))
    assert got + rest == list(range(10))


def test_a_mid_page_resume_re_requests_that_page_as_it_was_fetched() -> None:
    token = encode_token("p4", 4, 2)
    service = Service(10)
    got, it = take(service, walk(page_size=10, starting_token=token))
    assert it.resume_token is None
    # Same MaxResults as the first fetch (so the same items), then the call's page_size.
    assert service.requests == [(4, "p4"), (10, "p8")]
    assert got == [6, 7, 8, 9]


def test_a_mid_page_resume_with_max_items() -> None:
    token = encode_token(None, 4, 1)
    service = Service(10)
    got, it = take(service, walk(max_items=2, starting_token=token))
    assert service.requests == [(4, None)]
    assert got == [1, 2]
    assert it.resume_token == encode_token(None, 4, 3)
    service = Service(10)
    got, it = take(service, walk(max_items=5, starting_token=token))
    assert service.requests == [(4, None), (2, "p4")]
    assert got == [1, 2, 3, 4, 5]
    assert it.resume_token == "p6"


def test_before_anything_is_yielded_the_resume_token_is_the_starting_token() -> None:
    for token in ("p4", encode_token("p4", 4, 2), TokenEncoder().encode({"NextToken": "p4"})):
        service = Service(10)
        it = EngagementIterator(walk(starting_token=token), service)
        assert it.resume_token == token
        assert service.requests == []
    # "" means no token.
    assert EngagementIterator(walk(starting_token=""), Service(1)).resume_token is None


def test_a_short_page_under_a_resume_skips_the_rest_in_the_next_page() -> None:
    """The page shrank since the token was made: what it could not skip is skipped in
    the next one (pages are contiguous), and a resume meanwhile keeps that count."""
    token = encode_token(None, 4, 3)
    service = Service(10, short={None: 2})
    w = walk(starting_token=token)
    request = w.next_request()
    assert request == (4, None)
    w.accept(service(*request))
    assert w.index == w.end == 2  # both skipped, nothing to hand out
    # One more to skip, in the page after: the resume token says so.
    assert w.resume_token == encode_token("p2", None, 1)
    got, _ = take(service, w)
    assert got == list(range(3, 10))
    rest, _ = take(Service(10), walk(starting_token=encode_token("p2", None, 1)))
    assert rest == list(range(3, 10))


BOTO = TokenEncoder()


@pytest.mark.parametrize(
    ("payload", "page_size", "max_items", "requests", "got"),
    [
        # At a page boundary: boto3's token is the service's.
        ({"NextToken": "p4"}, None, None, [(None, "p4"), (None, "p8")], [4, 5, 6, 7, 8, 9]),
        # Mid-page: the page is re-requested with this call's page_size, as boto3 does.
        ({"NextToken": "p4", "boto_truncate_amount": 2}, 3, None,
         [(3, "p4"), (3, "p7")], [6, 7, 8, 9]),
        ({"NextToken": "p4", "boto_truncate_amount": 2}, None, None,
         [(None, "p4"), (None, "p8")], [6, 7, 8, 9]),
        # With max_items, the page must also hold the items skipped.
        ({"NextToken": "p4", "boto_truncate_amount": 2}, None, 2, [(4, "p4")], [6, 7]),
        ({"NextToken": "p4", "boto_truncate_amount": 2}, 3, 2, [(3, "p4"), (1, "p7")], [6, 7]),
        # Inside the first page.
        ({"NextToken": None, "boto_truncate_amount": 1}, 2, None,
         [(2, None), (2, "p2"), (2, "p4"), (2, "p6"), (2, "p8")], list(range(1, 10))),
    ],
)  # fmt: skip
def test_boto3_and_aws_cli_tokens_resume_as_boto3_does(
    payload: dict[str, object], page_size: int | None, max_items: int | None,
    requests: list[object], got: list[int],
) -> None:  # fmt: skip
    service = Service(10)
    items, _ = take(service, walk(page_size, max_items, BOTO.encode(payload)))
    assert service.requests == requests
    assert items == got


def test_a_repeated_token_stops_after_the_pages_items() -> None:
    service = Service(12, repeat={"p4": "p4"})
    it = EngagementIterator(walk(page_size=4), service)
    got: list[int] = []
    with pytest.raises(PaginationError) as info:
        for engagement in it:
            got.append(number(engagement))
    assert got == list(range(8))  # the looping page's items were all yielded
    assert service.requests == [(4, None), (4, "p4")]  # the loop's request was not sent
    assert info.value.next_token == "p4"
    assert str(info.value) == (
        "ListEngagements returned NextToken 'p4' a second time in this iteration; "
        "following it would loop forever"
    )
    assert info.value.resume_token == "p4"


def test_the_starting_token_counts_as_seen() -> None:
    service = Service(12, repeat={"p4": "p4"})
    got: list[int] = []
    with pytest.raises(PaginationError):
        for engagement in EngagementIterator(walk(starting_token="p4"), service):
            got.append(number(engagement))
    assert got == [4, 5, 6, 7]
    assert service.requests == [(None, "p4")]


def test_a_mid_page_starting_token_counts_as_seen() -> None:
    service = Service(12, repeat={"p4": "p4"})
    with pytest.raises(PaginationError):
        take(service, walk(starting_token=encode_token("p4", 4, 1)))
    assert service.requests == [(4, "p4")]


def test_no_cycle_error_once_max_items_are_yielded() -> None:
    service = Service(12, repeat={"p4": "p4"})
    got, it = take(service, walk(page_size=4, max_items=8))
    assert got == list(range(8))
    assert service.requests == [(4, None), (4, "p4")]
    assert it.resume_token == "p4"
    # One more item wanted: now the next request would loop.
    with pytest.raises(PaginationError):
        take(Service(12, repeat={"p4": "p4"}), walk(page_size=4, max_items=9))


def test_a_cycle_two_pages_long_is_caught_too() -> None:
    service = Service(20, repeat={"p8": "p4"})
    with pytest.raises(PaginationError) as info:
        take(service, walk(page_size=4))
    assert info.value.next_token == "p4"
    assert service.requests == [(4, None), (4, "p4"), (4, "p8")]


def test_an_empty_page_with_a_token_continues() -> None:
    service = Service(10, short={"p4": 0})
    service.repeat = {"p4": "p5"}  # an empty page pointing on, not back
    got, _ = take(service, walk(page_size=4))
    assert got == [0, 1, 2, 3, 5, 6, 7, 8, 9]
    assert service.requests == [(4, None), (4, "p4"), (4, "p5"), (4, "p9")]


@pytest.mark.parametrize("end", [None, ""])
def test_a_missing_or_empty_next_token_ends_the_walk(end: str | None) -> None:
    w = walk()
    assert w.next_request() == (None, None)
    w.accept(ListEngagementsResponse(engagements=(item(0),), next_token=end))
    assert w.next_request() is None
    assert w.resume_token is None or w.index < w.end


@pytest.mark.parametrize(
    ("page_size", "max_items", "param", "rule"),
    [
        (0, None, "page_size", "must be from 1 to 1024"),
        (1025, None, "page_size", "must be from 1 to 1024"),
        (True, None, "page_size", "must be an integer"),
        ("3", None, "page_size", "must be an integer"),
        (None, 0, "max_items", "must be >= 1"),
        (None, -5, "max_items", "must be >= 1"),
        (None, 2.0, "max_items", "must be an integer"),
        (None, False, "max_items", "must be an integer"),
    ],
)
def test_bad_pagination_arguments(
    page_size: object, max_items: object, param: str, rule: str
) -> None:
    with pytest.raises(ParamValidationError, match=rule) as info:
        make_walk(page_size=page_size, max_items=max_items, starting_token=None)
    assert info.value.param == param
    assert info.value.value == (page_size if param == "page_size" else max_items)


@pytest.mark.parametrize(("page_size", "max_items"), [(1, 1), (1024, 10**9), (None, None)])
def test_the_limits_themselves_are_accepted(page_size: int | None, max_items: int | None) -> None:
    w = make_walk(page_size=page_size, max_items=max_items, starting_token=None)
    assert (w.page_size, w.remaining) == (page_size, max_items)


def test_a_bad_starting_token_is_refused_before_any_request() -> None:
    with pytest.raises(ParamValidationError) as info:
        make_walk(page_size=None, max_items=None, starting_token="sse1.!!")
    assert info.value.param == "starting_token"
