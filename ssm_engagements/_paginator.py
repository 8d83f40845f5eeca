"""Blocking auto-pagination: lazy iterators over pages or engagements, driven by a Walk.

The walk (_walk) decides what to request and where a resume continues; these
iterators only fetch. Resume tokens are described in _tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ._models import Engagement, ListEngagementsResponse
from ._walk import Walk
from .errors import SSMContactsError

T = TypeVar("T")

Fetch = Callable[[int | None, str | None], ListEngagementsResponse]
"""list_engagements bound to the filters: (max_results, next_token) -> page."""


class Resumable:
    """What both clients' iterators share: the walk, the fetch, ``resume_token``."""

    __slots__ = ("_fetch", "_walk")

    def __init__(self, walk: Walk, fetch: object) -> None:
        self._walk = walk
        self._fetch: Any = fetch

    @property
    def resume_token(self) -> str | None:
        """Pass as starting_token (with the same filters, to either client) to continue
        exactly after the last item yielded; None once iteration has completed.

        Before anything is yielded it is the starting_token; at a page boundary, the
        service's own NextToken (boto3 and the AWS CLI accept it); inside a page, an
        ``sse1.`` token only this SDK reads."""
        return self._walk.resume_token

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resume_token={self.resume_token!r}>"


class _Iterator(Resumable, Iterator[T]):
    __slots__ = ()

    def __iter__(self) -> _Iterator[T]:
        return self

    def _next_page(self) -> bool:
        """Fetch the next page into the walk; False when iteration is over. Errors get
        the resume token."""
        walk = self._walk
        try:
            request = walk.next_request()
            if request is None:
                return False
            walk.accept(self._fetch(*request))
        except SSMContactsError as err:
            err.resume_token = walk.resume_token
            raise
        return True


class PageIterator(_Iterator[ListEngagementsResponse]):
    """Iterates pages (ListEngagementsResponse); ``.resume_token`` continues after the last.

    Returned by ``EngagementsClient.iter_pages``. Each ``next()`` may send one request
    (plus retries) and raises what ``list_engagements`` raises, or PaginationError
    when the service repeats a NextToken; such errors carry ``resume_token``.
    """

    __slots__ = ()

    def __next__(self) -> ListEngagementsResponse:
        if not self._next_page():
            raise StopIteration
        return self._walk.take_held_page()


class EngagementIterator(_Iterator[Engagement]):
    """Iterates engagements across pages; ``.resume_token`` continues after the last.

    Returned by ``EngagementsClient.iter_engagements``; engagement datetimes are
    timezone-aware UTC. A ``next()`` that needs a new page sends one request (plus
    retries) and raises what ``list_engagements`` raises, or PaginationError when the
    service repeats a NextToken; such errors carry ``resume_token``.
    """

    __slots__ = ()

    def __next__(self) -> Engagement:
        walk = self._walk
        index = walk.index
        while index >= walk.end:
            if not self._next_page():
                raise StopIteration
            index = walk.index
        walk.index = index + 1
        return walk.items[index]


__all__ = ["EngagementIterator", "Fetch", "PageIterator", "Resumable"]
