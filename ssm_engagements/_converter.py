"""The one cattrs converter that owns the wire format (PascalCase names, timestamps).

Models never see wire names: the renames live here. Structuring is strict about
JSON types (a number where a string belongs is an error, not coerced) and
ignores unknown keys, as AWS SDKs must for forward compatibility.

Speed: the cattrs converter is the reference, built (and cattrs imported) only when
first needed. Every page first goes through ``_fastpath.fast_page``, a hand-written
structuring of the common case (the documented JSON types, epoch-number timestamps)
that gives up (returns None) at anything else; the reference then decides, so an
odd body gets exactly the converter's result or error. ``unstructure_request`` is
hand-written too. tests/unit/test_converter_fast.py checks both against the
reference.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from ._fastpath import fast_page
from ._models import Engagement, ListEngagementsResponse, TimeRange
from ._timestamps import parse_timestamp, to_epoch

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "ListEngagementsRequest",
    "get_converter",
    "structure_response",
    "unstructure_request",
]


@attrs.frozen(kw_only=True)
class ListEngagementsRequest:
    """A validated ListEngagements request (see _params.validate_request)."""

    incident_id: str | None = None
    max_results: int | None = None
    next_token: str | None = None
    time_range: TimeRange | None = None


def _strict_str(value: object, _: type) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _timestamp(value: object, _: type) -> datetime:
    return parse_timestamp(value)


def _engagement_list(value: object, _: type) -> tuple[Engagement, ...]:
    from cattrs.errors import IterableValidationError, IterableValidationNote

    if type(value) is not list:
        raise TypeError(f"Engagements: expected a list, got {type(value).__name__}")
    structure = _reference().structure_engagement
    try:
        return tuple([structure(item, Engagement) for item in value])
    except Exception as exc:
        index = _first_bad(value)
        # The note gives transform_error the index, so messages say Engagements[3].
        note = IterableValidationNote(f"Structuring Engagements @ index {index}", index, Engagement)
        notes: list[Any] = getattr(exc, "__notes__", [])
        exc.__notes__ = [*notes, note]  # type: ignore[attr-defined]
        raise IterableValidationError("While structuring Engagements", [exc], tuple) from None


def _first_bad(items: list[Any]) -> int:
    structure = _reference().structure_engagement
    for index, item in enumerate(items):
        try:
            structure(item, Engagement)
        except Exception:
            return index
    return 0


def _is_engagement_tuple(type_: object) -> bool:
    return type_ == tuple[Engagement, ...]


def _build() -> _Reference:
    import cattrs
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    conv = cattrs.Converter(forbid_extra_keys=False)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(datetime, _timestamp)
    conv.register_unstructure_hook(datetime, to_epoch)
    # The generated functions are kept as well as registered: the Converter's hook
    # lookups (get_structure_hook, get_unstructure_hook) are newer than cattrs 23.2.
    engagement = make_dict_structure_fn(
        Engagement,
        conv,
        engagement_arn=override(rename="EngagementArn"),
        contact_arn=override(rename="ContactArn"),
        sender=override(rename="Sender"),
        incident_id=override(rename="IncidentId"),
        start_time=override(rename="StartTime"),
        stop_time=override(rename="StopTime"),
    )
    conv.register_structure_hook(Engagement, engagement)
    conv.register_structure_hook_func(_is_engagement_tuple, _engagement_list)
    response = make_dict_structure_fn(
        ListEngagementsResponse,
        conv,
        engagements=override(rename="Engagements"),
        next_token=override(rename="NextToken"),
        request_id=override(omit=True),
    )
    conv.register_structure_hook(ListEngagementsResponse, response)
    conv.register_unstructure_hook(
        TimeRange,
        make_dict_unstructure_fn(
            TimeRange,
            conv,
            _cattrs_omit_if_default=True,
            start_time=override(rename="StartTime"),
            end_time=override(rename="EndTime"),
        ),
    )
    request = make_dict_unstructure_fn(
        ListEngagementsRequest,
        conv,
        _cattrs_omit_if_default=True,
        incident_id=override(rename="IncidentId"),
        max_results=override(rename="MaxResults"),
        next_token=override(rename="NextToken"),
        time_range=override(rename="TimeRangeValue"),
    )
    conv.register_unstructure_hook(ListEngagementsRequest, request)
    return _Reference(conv, engagement, response, request)


class _Reference:
    """The cattrs converter and its compiled hooks (a plain class: no attrs work at import)."""

    __slots__ = ("converter", "structure_engagement", "structure_response", "unstructure_request")

    def __init__(
        self, converter: cattrs.Converter, engagement: Any, response: Any, request: Any
    ) -> None:
        self.converter = converter
        self.structure_engagement: Any = engagement
        self.structure_response: Any = response
        self.unstructure_request: Any = request


@functools.cache
def _reference() -> _Reference:
    return _build()


def get_converter() -> cattrs.Converter:
    """The reference converter (built, and cattrs imported, at the first call)."""
    return _reference().converter


def structure_response(data: Any, request_id: str | None) -> ListEngagementsResponse:
    """A decoded JSON body to a ListEngagementsResponse.

    Raises whatever cattrs or the hooks raise for a body of the wrong shape
    (KeyError, TypeError, ValueError, OverflowError, cattrs errors); the protocol
    layer turns those into ResponseParseError.
    """
    if type(data) is not dict:
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    page = fast_page(data, request_id)
    if page is not None:
        return page
    return structure_response_reference(data, request_id)


def structure_response_reference(data: Any, request_id: str | None) -> ListEngagementsResponse:
    """structure_response through the cattrs converter only (the fast path's reference)."""
    if type(data) is not dict:
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    page: ListEngagementsResponse = _reference().structure_response(data, ListEngagementsResponse)
    return attrs.evolve(page, request_id=request_id) if request_id is not None else page


def unstructure_request(request: ListEngagementsRequest) -> dict[str, Any]:
    """A request to its wire dict: only the members that are set (what the converter's
    omit-if-default unstructuring gives, without its dispatch)."""
    wire: dict[str, Any] = {}
    if request.incident_id is not None:
        wire["IncidentId"] = request.incident_id
    if request.max_results is not None:
        wire["MaxResults"] = request.max_results
    if request.next_token is not None:
        wire["NextToken"] = request.next_token
    window = request.time_range
    if window is not None:
        bounds: dict[str, Any] = {}
        if window.start_time is not None:
            bounds["StartTime"] = to_epoch(window.start_time)
        if window.end_time is not None:
            bounds["EndTime"] = to_epoch(window.end_time)
        wire["TimeRangeValue"] = bounds
    return wire


def unstructure_request_reference(request: ListEngagementsRequest) -> dict[str, Any]:
    """unstructure_request through the cattrs converter (the reference)."""
    wire: dict[str, Any] = _reference().unstructure_request(request)
    return wire
