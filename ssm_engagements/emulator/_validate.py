"""Checks a ListEngagements request body against the service's input constraints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from .._constraints import (
    INCIDENT_ID_MAX_LEN,
    INCIDENT_ID_PATTERN,
    INCIDENT_ID_RE,
    MAX_RESULTS_MAX,
    MAX_RESULTS_MIN,
    NEXT_TOKEN_MAX_LEN,
    NEXT_TOKEN_PATTERN,
    NEXT_TOKEN_RE,
)
from ._store import Filters

__all__ = ["FieldError", "Query", "parse_query", "validation_message"]

_SHOWN = 64


@attrs.frozen(kw_only=True)
class FieldError:
    """One rejected member: its wire name (dotted when nested), value and the rule broken."""

    name: str
    value: object
    message: str


@attrs.frozen(kw_only=True)
class Query:
    """A valid request: filters, page size (None when absent) and NextToken (None when absent)."""

    filters: Filters
    max_results: int | None
    next_token: str | None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return _is_int(value) or (isinstance(value, Decimal) and value.is_finite())


def _check_string(
    errors: list[FieldError], name: str, value: object, max_len: int, pattern: str, regex: Any
) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(FieldError(name=name, value=value, message="Member must be of type String"))
        return None
    if len(value) > max_len:
        message = f"Member must have length less than or equal to {max_len}"
        errors.append(FieldError(name=name, value=value, message=message))
    elif regex.fullmatch(value) is None:
        message = f"Member must satisfy regular expression pattern: {pattern}"
        errors.append(FieldError(name=name, value=value, message=message))
    else:
        return value
    return None


def _check_time_range(errors: list[FieldError], value: object) -> tuple[Any, Any]:
    if value is None:
        return None, None
    if not isinstance(value, dict):
        message = "Member must be of type TimeRange"
        errors.append(FieldError(name="TimeRangeValue", value=value, message=message))
        return None, None
    bounds: list[Decimal | None] = []
    for key in ("StartTime", "EndTime"):
        bound = value.get(key)
        if bound is not None and not _is_number(bound):
            name = f"TimeRangeValue.{key}"
            message = "Member must be of type Timestamp (epoch seconds)"
            errors.append(FieldError(name=name, value=bound, message=message))
            bound = None
        bounds.append(None if bound is None else Decimal(bound))
    return bounds[0], bounds[1]


def parse_query(data: dict[str, Any]) -> Query | list[FieldError]:
    """Validate a request body (parsed with ``parse_float=Decimal``).

    Returns the Query, or every FieldError found. Unknown members are ignored,
    as the service does; a JSON null counts as absent.
    """
    errors: list[FieldError] = []
    max_results = data.get("MaxResults")
    if max_results is not None:
        if not _is_int(max_results):
            message = "Member must be of type Integer"
            errors.append(FieldError(name="MaxResults", value=max_results, message=message))
        elif max_results < MAX_RESULTS_MIN:
            message = f"Member must have value greater than or equal to {MAX_RESULTS_MIN}"
            errors.append(FieldError(name="MaxResults", value=max_results, message=message))
        elif max_results > MAX_RESULTS_MAX:
            message = f"Member must have value less than or equal to {MAX_RESULTS_MAX}"
            errors.append(FieldError(name="MaxResults", value=max_results, message=message))
    incident_id = _check_string(
        errors,
        "IncidentId",
        data.get("IncidentId"),
        INCIDENT_ID_MAX_LEN,
        INCIDENT_ID_PATTERN,
        INCIDENT_ID_RE,
    )
    next_token = _check_string(
        errors,
        "NextToken",
        data.get("NextToken"),
        NEXT_TOKEN_MAX_LEN,
        NEXT_TOKEN_PATTERN,
        NEXT_TOKEN_RE,
    )
    start, end = _check_time_range(errors, data.get("TimeRangeValue"))
    if errors:
        return errors
    return Query(
        filters=Filters(incident_id=incident_id, start=start, end=end),
        max_results=max_results,
        next_token=next_token or None,
    )


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def validation_message(errors: list[FieldError]) -> str:
    """The service's summary text: 'N validation error(s) detected: Value ... at ...'."""
    count = len(errors)
    details = "; ".join(
        f"Value '{_shown(e.value)}' at '{e.name}' failed to satisfy constraint: {e.message}"
        for e in errors
    )
    return f"{count} validation error{'s' if count > 1 else ''} detected: {details}"
