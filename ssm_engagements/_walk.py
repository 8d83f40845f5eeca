"""The sans-I/O page walk behind both clients' iterators.

A Walk decides which page to request next, how many of a page's items to hand out
(starting offset, max_items) and where a resume would continue; the iterators in
_paginator (blocking) and _aio_paginator (async) only fetch the pages it asks for.
Positions are plain counters; a resume token is built only when one is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from . import _constraints as c
from ._params import check_int
from ._tokens import decode_token, encode_token
from .errors import PaginationError

if TYPE_CHECKING:
    from ._models import Engagement, ListEngagementsResponse


class Walk:
    """One iteration's state.

    ``items[index:end]`` are the current page's items still to hand out; the iterators
    read and advance ``index`` directly (the per-item fast path).
    """

    __slots__ = (
        "_fetched",
        "_offset",
        "_page",
        "_page_max_results",
        "_page_size_from_call",
        "_page_token",
        "_seen",
        "_starting_token",
        "end",
        "index",
        "items",
        "next_token",
        "page_size",
        "remaining",
    )

    def __init__(self, starting_token: object, page_size: int | None, max_items: int | None):
        start = decode_token(starting_token)
        self._starting_token = starting_token if isinstance(starting_token, str) else None
        self.page_size = page_size
        self.remaining = max_items
        self._seen: set[str] = {start.token} if start.token else set()
        self._fetched = False
        # The page to request next (or the one held): its token, MaxResults and the
        # number of its items skipped before handing any out.
        self._page_token = start.token
        self._page_max_results = start.max_results
        self._page_size_from_call = start.page_size_from_call
        self._offset = start.offset
        self._page: ListEngagementsResponse | None = None
        self.items: tuple[Engagement, ...] | list[Engagement] = ()
        self.index = 0
        self.end = 0
        # The held page's NextToken; "" until a page arrives (None then means the end).
        self.next_token: str | None = ""

    def _max_results(self) -> int | None:
        if self.remaining is None:
            return self.page_size
        # A page fetched to skip items (a boto3 token's) must also hold the skipped ones.
        return min(self.page_size or c.MAX_RESULTS_MAX, self.remaining + self._offset)

    def next_request(self) -> tuple[int | None, str | None] | None:
        """(MaxResults, NextToken) of the page to fetch next; None when iteration is over.

        Raises PaginationError when the service repeated a NextToken (a cycle).
        """
        if self.remaining is not None and self.remaining <= 0:
            return None
        if not self._fetched:
            if self._offset and not self._page_size_from_call:
                # Re-request a part-read page exactly as it was fetched.
                return self._page_max_results, self._page_token
            self._page_max_results = self._max_results()
            return self._page_max_results, self._page_token
        token = self.next_token
        if token is None:
            return None
        if token in self._seen:
            raise PaginationError(
                f"ListEngagements returned NextToken {token!r} a second time in this "
                "iteration; following it would loop forever",
                next_token=token,
            )
        self._seen.add(token)
        self._page_token = token
        self._page_max_results = self._max_results()
        return self._page_max_results, token

    def accept(self, page: ListEngagementsResponse) -> None:
        """Hold the page just fetched for next_request(): items from the offset on, cut
        to max_items."""
        items = page.engagements
        size = len(items)
        first = min(self._offset, size)
        # Pages are contiguous: what a short page could not skip is skipped in the next.
        self._offset -= first
        end = size if self.remaining is None else min(size, first + self.remaining)
        if self.remaining is not None:
            self.remaining -= end - first
        self._fetched = True
        self._page = page
        self.items = items
        self.index = first
        self.end = end
        self.next_token = page.next_token or None

    def take_held_page(self) -> ListEngagementsResponse:
        """Hand out all of the page accept() holds: the page as iter_pages yields it, cut
        to what is handed out, with the resume token as its next_token when that differs."""
        page = self._page
        assert page is not None
        first, end = self.index, self.end
        self.index = end
        token = self.resume_token
        if (first, end) != (0, len(page.engagements)) or token != page.next_token:
            page = attrs.evolve(page, engagements=page.engagements[first:end], next_token=token)
        return page

    @property
    def resume_token(self) -> str | None:
        """Continues exactly after the last item handed out; None once iteration is over."""
        if not self._fetched:
            return self._starting_token or None
        index = self.index
        if index < len(self.items):
            return encode_token(self._page_token, self._page_max_results, index)
        if self._offset and self.next_token:
            return encode_token(self.next_token, None, self._offset)
        return self.next_token


def make_walk(*, page_size: object, max_items: object, starting_token: object) -> Walk:
    """Validate the pagination arguments and set up a walk. Raises ParamValidationError."""
    size = None if page_size is None else check_int("page_size", page_size, 1, c.MAX_RESULTS_MAX)
    limit = None if max_items is None else check_int("max_items", max_items, 1)
    return Walk(starting_token, size, limit)


__all__ = ["Walk", "make_walk"]
