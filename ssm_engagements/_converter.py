"""The one cattrs converter that owns the wire format (PascalCase names, timestamps).

Models never see wire names: the renames live here. Structuring is strict about
JSON types (a number where a string belongs is an error, not coerced) and
ignores unknown keys, as AWS SDKs must for forward compatibility.

Speed: the cattrs converter is the reference, built (and cattrs imported) only when
first needed. Every page first goes through ``_fast_page``, a hand-written
structuring of the common case (the documented JSON types, epoch-number timestamps)
that gives up (returns None) at anything else; the reference then decides, so an
odd body gets exactly the converter's result or error. ``unstructure_request`` is
hand-written too. tests/unit/test_converter_fast.py checks both against the
reference.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ._models import Engagement, ListEngagementsResponse, TimeRange
from ._timestamps import EPOCH, FLOAT_EXACT_SECONDS, UTC, parse_timestamp, to_epoch

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


def _build() -> cattrs.Converter:
    import cattrs
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    conv = cattrs.Converter(forbid_extra_keys=False)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(datetime, _timestamp)
    conv.register_unstructure_hook(datetime, to_epoch)
    conv.register_structure_hook(
        Engagement,
        make_dict_structure_fn(
            Engagement,
            conv,
            engagement_arn=override(rename="EngagementArn"),
            contact_arn=override(rename="ContactArn"),
            sender=override(rename="Sender"),
            incident_id=override(rename="IncidentId"),
            start_time=override(rename="StartTime"),
            stop_time=override(rename="StopTime"),
        ),
    )
    conv.register_structure_hook_func(_is_engagement_tuple, _engagement_list)
    conv.register_structure_hook(
        ListEngagementsResponse,
        make_dict_structure_fn(
            ListEngagementsResponse,
            conv,
            engagements=override(rename="Engagements"),
            next_token=override(rename="NextToken"),
            request_id=override(omit=True),
        ),
    )
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
    conv.register_unstructure_hook(
        ListEngagementsRequest,
        make_dict_unstructure_fn(
            ListEngagementsRequest,
            conv,
            _cattrs_omit_if_default=True,
            incident_id=override(rename="IncidentId"),
            max_results=override(rename="MaxResults"),
            next_token=override(rename="NextToken"),
            time_range=override(rename="TimeRangeValue"),
        ),
    )
    return conv


class _Reference:
    """The cattrs converter and its compiled hooks (a plain class: no attrs work at import)."""

    __slots__ = ("converter", "structure_engagement", "structure_response", "unstructure_request")

    def __init__(self, converter: cattrs.Converter) -> None:
        self.converter = converter
        self.structure_engagement: Any = converter.get_structure_hook(Engagement)
        self.structure_response: Any = converter.get_structure_hook(ListEngagementsResponse)
        self.unstructure_request: Any = converter.get_unstructure_hook(ListEngagementsRequest)


@functools.cache
def _reference() -> _Reference:
    return _Reference(_build())


def get_converter() -> cattrs.Converter:
    """The reference converter (built, and cattrs imported, at the first call)."""
    return _reference().converter


_ENGAGEMENT_FIELDS = (
    "engagement_arn",
    "contact_arn",
    "sender",
    "incident_id",
    "start_time",
    "stop_time",
)


def _slot_setters() -> tuple[Any, ...] | None:
    """The slot setters of Engagement's fields, in order, when its attrs __init__ does
    nothing but store its arguments (no converter, validator, __attrs_pre_init__ or
    __attrs_post_init__); else None, and _fast_page calls the constructor.

    Setting the slots of ``object.__new__(Engagement)`` is what that __init__ does
    (attrs' frozen classes store through ``object.__setattr__``), without its keyword
    handling: it halves the cost of building an engagement.
    """
    fields = attrs.fields(Engagement)
    if tuple(f.name for f in fields) != _ENGAGEMENT_FIELDS or any(
        f.converter is not None or f.validator is not None or not f.init for f in fields
    ):
        return None
    if hasattr(Engagement, "__attrs_pre_init__") or hasattr(Engagement, "__attrs_post_init__"):
        return None
    setters = tuple(
        getattr(Engagement.__dict__.get(n), "__set__", None) for n in _ENGAGEMENT_FIELDS
    )
    return setters if all(callable(f) for f in setters) else None


_SETTERS = _slot_setters()
_NO_SETTERS: tuple[Any, ...] = (None,) * len(_ENGAGEMENT_FIELDS)


def _fast_page(data: dict[str, Any], request_id: str | None) -> ListEngagementsResponse | None:
    """The common case of structure_response without cattrs, or None to leave it to the
    reference converter (any unexpected type, a missing member, a timestamp out of range).

    For what it accepts it must give exactly the converter's result: required members
    are ``str``, optional ones ``str`` or null/absent, timestamps numbers (other forms
    go through the same parse_timestamp the converter calls).
    """
    items = data.get("Engagements")
    token = data.get("NextToken")
    if type(items) is not list or (token is not None and type(token) is not str):
        return None
    epoch, delta, parse, engagement = EPOCH, timedelta, parse_timestamp, Engagement
    exact, utc, stamp = FLOAT_EXACT_SECONDS, UTC, datetime.fromtimestamp
    new, build_from_slots = object.__new__, _SETTERS is not None
    set_arn, set_contact, set_sender, set_incident, set_start, set_stop = _SETTERS or _NO_SETTERS
    out: list[Engagement] = []
    append = out.append
    try:
        for item in items:
            if type(item) is not dict:
                return None
            arn = item["EngagementArn"]
            contact = item["ContactArn"]
            sender = item["Sender"]
            incident = item.get("IncidentId")
            start = item.get("StartTime")
            stop = item.get("StopTime")
            if (
                type(arn) is not str
                or type(contact) is not str
                or type(sender) is not str
                or (incident is not None and type(incident) is not str)
            ):
                return None
            # _timestamps.from_epoch, inlined: this runs twice per engagement. For a float
            # x in [0, 2**32) from_epoch is EPOCH + round(x * 1e6) us, and x * 1e6 is
            # within 0.25 of the exact product; when its fraction is below 0.2 or above
            # 0.8, the exact value is within 0.45 us of that same integer, so
            # datetime.fromtimestamp (which rounds the exact fraction, half to even) gives
            # the same microsecond, twice as fast. Near a tie: from_epoch's formula.
            if start is not None:
                kind = type(start)
                if kind is float and 0.0 <= start < exact:
                    fraction = (start * 1e6) % 1.0
                    if fraction < 0.2 or fraction > 0.8:
                        start = stamp(start, utc)
                    else:
                        start = epoch + delta(0, 0, round(start * 1_000_000))
                elif kind is float and -exact < start < exact:
                    start = epoch + delta(0, 0, round(start * 1_000_000))
                elif kind is int:
                    start = epoch + delta(0, start)
                else:
                    start = parse(start)
            if stop is not None:
                kind = type(stop)
                if kind is float and 0.0 <= stop < exact:
                    fraction = (stop * 1e6) % 1.0
                    if fraction < 0.2 or fraction > 0.8:
                        stop = stamp(stop, utc)
                    else:
                        stop = epoch + delta(0, 0, round(stop * 1_000_000))
                elif kind is float and -exact < stop < exact:
                    stop = epoch + delta(0, 0, round(stop * 1_000_000))
                elif kind is int:
                    stop = epoch + delta(0, stop)
                else:
                    stop = parse(stop)
            if not build_from_slots:
                append(
                    engagement(
                        engagement_arn=arn,
                        contact_arn=contact,
                        sender=sender,
                        incident_id=incident,
                        start_time=start,
                        stop_time=stop,
                    )
                )
                continue
            obj = new(engagement)
            set_arn(obj, arn)
            set_contact(obj, contact)
            set_sender(obj, sender)
            set_incident(obj, incident)
            set_start(obj, start)
            set_stop(obj, stop)
            append(obj)
    except Exception:  # KeyError, ValueError, OverflowError, ...: the reference reports it
        return None
    return ListEngagementsResponse(engagements=tuple(out), next_token=token, request_id=request_id)


def structure_response(data: Any, request_id: str | None) -> ListEngagementsResponse:
    """A decoded JSON body to a ListEngagementsResponse.

    Raises whatever cattrs or the hooks raise for a body of the wrong shape
    (KeyError, TypeError, ValueError, OverflowError, cattrs errors); the protocol
    layer turns those into ResponseParseError.
    """
    if type(data) is not dict:
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    page = _fast_page(data, request_id)
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
