"""Auto-pagination: lazy iterators over pages or engagements, with exact resume tokens.

A resume token continues exactly after the last item yielded. At a page boundary
it is the service's own NextToken (boto3 and the AWS CLI accept it); inside a page
it is this SDK's own token: ``sse1.`` + base64url(JSON of the page's NextToken, the
MaxResults it was fetched with, and how many of its items were yielded). The ``.``
cannot occur in a service token, so the two forms never collide.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from typing import NamedTuple, TypeVar

import attrs

from . import _constraints as c
from ._models import Engagement, ListEngagementsResponse
from ._params import check_int, check_token
from .errors import PaginationError, ParamValidationError, SSMContactsError

T = TypeVar("T")
_PREFIX = "sse1."

Fetch = Callable[[int | None, str | None], ListEngagementsResponse]
"""list_engagements bound to the filters: (max_results, next_token) -> page."""


class Position(NamedTuple):
    """Where to continue: the page's token, its MaxResults, and items already taken from it.

    (A NamedTuple, immutable: iter_engagements makes one per engagement it yields, and
    this builds in half the time of a frozen attrs class.)"""

    token: str | None
    max_results: int | None
    offset: int = 0


def encode_token(pos: Position) -> str | None:
    """The resume token for a position: the bare service token when offset is 0."""
    if pos.offset == 0:
        return pos.token
    raw = json.dumps([pos.token, pos.max_results, pos.offset], separators=(",", ":"))
    return _PREFIX + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(value: object) -> Position:
    """A starting_token (service NextToken, SDK token, None or "") to a Position.

    Raises ParamValidationError naming starting_token.
    """
    if not (isinstance(value, str) and value.startswith(_PREFIX)):
        return Position(check_token("starting_token", value), None)
    body = value[len(_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        token, max_results, offset = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, RecursionError) as exc:
        raise ParamValidationError(
            param="starting_token", rule="is not a valid ssm-engagements resume token", value=value
        ) from exc
    if token is not None:
        check_token("starting_token", token)
    if max_results is not None:
        check_int("starting_token", max_results, c.MAX_RESULTS_MIN, c.MAX_RESULTS_MAX)
    check_int("starting_token", offset, 1)
    return Position(token, max_results, offset)


class Walk:
    """The page walk shared by both iterators: the requests, the cycle guard, max_items."""

    def __init__(
        self, fetch: Fetch, start: Position, page_size: int | None, max_items: int | None
    ) -> None:
        self.fetch = fetch
        self.page_size = page_size
        self.remaining = max_items
        self.start = start
        # Where a resume would continue; offset -1 marks "iteration completed".
        self.pos = start

    def max_results(self) -> int | None:
        if self.remaining is None:
            return self.page_size
        return min(self.page_size or c.MAX_RESULTS_MAX, self.remaining)

    def pages(self) -> Iterator[tuple[ListEngagementsResponse, Position, int, int]]:
        """Yield (page, where it was fetched, first item to take, end of items to take)."""
        pos = self.start
        seen = {pos.token} if pos.token else set()
        max_results = pos.max_results if pos.offset else self.max_results()
        while True:
            page = self.fetch(max_results, pos.token)
            size = len(page.engagements)
            end = size if self.remaining is None else min(size, pos.offset + self.remaining)
            yield page, Position(pos.token, max_results, pos.offset), min(pos.offset, size), end
            if self.remaining is not None:
                self.remaining -= max(0, end - pos.offset)
                if self.remaining <= 0:
                    return
            token = page.next_token or None
            if token is None:
                self.pos = Position(None, None, -1)
                return
            if token in seen:
                raise PaginationError(
                    f"ListEngagements returned NextToken {token!r} a second time in this "
                    "iteration; following it would loop forever",
                    next_token=token,
                )
            seen.add(token)
            max_results = self.max_results()
            pos = Position(token, max_results)

    @property
    def resume_token(self) -> str | None:
        return None if self.pos.offset < 0 else encode_token(self.pos)


class _Iterator(Iterator[T]):
    def __init__(self, walk: Walk, gen: Iterator[T]) -> None:
        self._walk = walk
        self._gen = gen

    @property
    def resume_token(self) -> str | None:
        """Pass as starting_token (with the same filters) to continue exactly after the
        last item yielded; None once iteration has completed.

        Before anything is yielded it is the starting_token; at a page boundary, the
        service's own NextToken (boto3 and the AWS CLI accept it); inside a page, an
        ``sse1.`` token only this SDK reads."""
        return self._walk.resume_token

    def __iter__(self) -> _Iterator[T]:
        return self

    def __next__(self) -> T:
        try:
            return next(self._gen)
        except SSMContactsError as err:
            err.resume_token = self._walk.resume_token
            raise

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resume_token={self.resume_token!r}>"


class PageIterator(_Iterator[ListEngagementsResponse]):
    """Iterates pages (ListEngagementsResponse); ``.resume_token`` continues after the last.

    Returned by ``EngagementsClient.iter_pages``. Each ``next()`` may send one request
    (plus retries) and raises what ``list_engagements`` raises, or PaginationError
    when the service repeats a NextToken; such errors carry ``resume_token``.
    """

    def __init__(self, walk: Walk) -> None:
        super().__init__(walk, self._pages(walk))

    @staticmethod
    def _pages(walk: Walk) -> Iterator[ListEngagementsResponse]:
        for page, pos, first, end in walk.pages():
            size = len(page.engagements)
            walk.pos = (
                Position(pos.token, pos.max_results, end)
                if end < size
                else Position(page.next_token or None, None)
            )
            if (first, end) != (0, size) or walk.pos.token != page.next_token:
                page = attrs.evolve(
                    page, engagements=page.engagements[first:end], next_token=walk.resume_token
                )
            yield page


class EngagementIterator(_Iterator[Engagement]):
    """Iterates engagements across pages; ``.resume_token`` continues after the last.

    Returned by ``EngagementsClient.iter_engagements``; engagement datetimes are
    timezone-aware UTC. A ``next()`` that needs a new page sends one request (plus
    retries) and raises what ``list_engagements`` raises, or PaginationError when the
    service repeats a NextToken; such errors carry ``resume_token``.
    """

    def __init__(self, walk: Walk) -> None:
        super().__init__(walk, self._items(walk))

    @staticmethod
    def _items(walk: Walk) -> Iterator[Engagement]:
        for page, pos, first, end in walk.pages():
            items = page.engagements
            size = len(items)
            last = Position(page.next_token or None, None)
            for index in range(first, end):
                # The position is set before the yield so it already counts this item.
                walk.pos = (
                    last if index + 1 == size else Position(pos.token, pos.max_results, index + 1)
                )
                yield items[index]
            if first >= size:
                walk.pos = last


def make_walk(
    fetch: Fetch,
    *,
    page_size: object,
    max_items: object,
    starting_token: object,
) -> Walk:
    """Validate the pagination arguments and set up a walk. Raises ParamValidationError."""
    size = None if page_size is None else check_int("page_size", page_size, 1, c.MAX_RESULTS_MAX)
    limit = None if max_items is None else check_int("max_items", max_items, 1)
    return Walk(fetch, decode_token(starting_token), size, limit)


__all__ = ["EngagementIterator", "PageIterator", "Position", "Walk", "make_walk"]
