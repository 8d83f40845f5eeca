"""Client-side validation of call arguments, before any request is sent.

Every rule raises ParamValidationError naming the parameter, the rule and the value.
"""

from __future__ import annotations

import re

from . import _constraints as c
from ._converter import ListEngagementsRequest
from ._models import TimeRange
from .errors import ParamValidationError


def check_int(param: str, value: object, low: int, high: int | None = None) -> int:
    """An int (not a bool) within [low, high]; high None means no upper bound."""
    if type(value) is not int:
        rule = (
            f"must be an integer from {low} to {high}"
            if high is not None
            else (f"must be an integer >= {low}")
        )
        raise ParamValidationError(param=param, rule=rule, value=value)
    if value < low or (high is not None and value > high):
        rule = f"must be from {low} to {high}" if high is not None else f"must be >= {low}"
        raise ParamValidationError(param=param, rule=rule, value=value)
    return value


def check_str(param: str, value: object, max_len: int, pattern: re.Pattern[str]) -> str:
    """A str of at most max_len characters matching pattern in full."""
    if not isinstance(value, str):
        raise ParamValidationError(param=param, rule="must be a string", value=value)
    if len(value) > max_len:
        raise ParamValidationError(
            param=param,
            rule=f"must be at most {max_len} characters (has {len(value)})",
            value=value,
        )
    if pattern.fullmatch(value) is None:
        raise ParamValidationError(
            param=param, rule=f"must match the pattern {pattern.pattern}", value=value
        )
    return value


def check_token(param: str, value: object) -> str | None:
    """A NextToken-shaped string, or None; "" counts as None."""
    if value is None or value == "":
        return None
    return check_str(param, value, c.NEXT_TOKEN_MAX_LEN, c.NEXT_TOKEN_RE)


def check_incident_id(value: object) -> str | None:
    if value is None:
        return None
    return check_str("incident_id", value, c.INCIDENT_ID_MAX_LEN, c.INCIDENT_ID_RE)


def check_time_range(value: object) -> TimeRange | None:
    if value is None or isinstance(value, TimeRange):
        return value
    raise ParamValidationError(
        param="time_range", rule="must be a ssm_engagements.TimeRange or None", value=value
    )


def check_optional_int(param: str, value: object, low: int, high: int | None) -> int | None:
    return None if value is None else check_int(param, value, low, high)


def validate_request(
    *, incident_id: object, max_results: object, next_token: object, time_range: object
) -> ListEngagementsRequest:
    """The arguments of list_engagements as a validated request model."""
    return ListEngagementsRequest(
        incident_id=check_incident_id(incident_id),
        max_results=check_optional_int(
            "max_results", max_results, c.MAX_RESULTS_MIN, c.MAX_RESULTS_MAX
        ),
        next_token=check_token("next_token", next_token),
        time_range=check_time_range(time_range),
    )
