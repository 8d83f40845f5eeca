"""Resume tokens: where an iteration continues, and the three spellings users bring.

- The service's own NextToken: continue at the start of that page.
- This SDK's mid-page token: ``sse1.`` + base64url(JSON ``[token, max_results, offset]``):
  re-request that page with the MaxResults it was fetched with and skip ``offset`` items.
  The ``.`` cannot occur in a service token, so the two forms never collide.
- botocore's paginator token (what boto3's ``build_full_result()`` and the AWS CLI print):
  base64(JSON ``{"NextToken": ..., "boto_truncate_amount": n}``). Mid-page, boto3
  re-requests that page with the call's PageSize and skips ``n`` items; so do we.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import NamedTuple

from . import _constraints as c
from ._params import check_int, check_token
from .errors import ParamValidationError

_PREFIX = "sse1."
# base64 of '{"' : every botocore paginator token starts with it.
_BOTO_PREFIX = "eyJ"
_BOTO_KEYS = frozenset({"NextToken", "boto_truncate_amount"})


class Position(NamedTuple):
    """Where to continue: the page's token, its MaxResults, and items already taken from it.

    ``page_size_from_call`` marks a botocore token: its page is re-requested with the
    MaxResults this call would use, as boto3 does, since the token does not say."""

    token: str | None
    max_results: int | None
    offset: int = 0
    page_size_from_call: bool = False


def encode_token(token: str | None, max_results: int | None, offset: int) -> str | None:
    """The resume token for a position: the bare service token when offset is 0."""
    if offset == 0:
        return token
    raw = json.dumps([token, max_results, offset], separators=(",", ":"))
    return _PREFIX + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid(value: str, what: str) -> ParamValidationError:
    return ParamValidationError(param="starting_token", rule=f"is not a valid {what}", value=value)


def _decode_sdk(value: str) -> Position:
    body = value[len(_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        token, max_results, offset = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, RecursionError) as exc:
        raise _invalid(value, "ssm-engagements resume token") from exc
    if token is not None:
        check_token("starting_token", token)
    if max_results is not None:
        check_int("starting_token", max_results, c.MAX_RESULTS_MIN, c.MAX_RESULTS_MAX)
    check_int("starting_token", offset, 1)
    return Position(token, max_results, offset)


def _boto_payload(value: str) -> dict[str, object] | None:
    """The JSON object inside a botocore paginator token, or None when value is not one.

    Everything that starts as base64 of ``{"`` is read as one (service tokens are opaque
    binary and do not), so a damaged copy fails here, before anything is sent."""
    if not value.startswith(_BOTO_PREFIX):
        return None
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
        loaded = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise _invalid(value, "boto3 / AWS CLI paginator token (not base64 of JSON)") from exc
    if not isinstance(loaded, dict) or "NextToken" not in loaded:
        raise _invalid(value, "boto3 / AWS CLI paginator token (no NextToken member)")
    return loaded


def _decode_boto(value: str, payload: dict[str, object]) -> Position:
    unknown = set(payload) - _BOTO_KEYS
    if unknown:
        # botocore writes other keys only for other operations' multi-token pagination.
        raise _invalid(
            value, f"paginator token for ListEngagements (unknown keys {sorted(unknown)})"
        )
    token = payload["NextToken"]
    if token is not None and not isinstance(token, str):
        raise _invalid(value, "paginator token (NextToken must be a string or null)")
    token = check_token("starting_token", token)
    amount = payload.get("boto_truncate_amount", 0)
    offset = 0 if amount is None else check_int("starting_token", amount, 0)
    return Position(token, None, offset, page_size_from_call=offset > 0)


def decode_token(value: object) -> Position:
    """A starting_token (a service NextToken, this SDK's resume token, a boto3 / AWS CLI
    paginator token, None or "") to a Position.

    Raises ParamValidationError naming starting_token.
    """
    if isinstance(value, str):
        if value.startswith(_PREFIX):
            return _decode_sdk(value)
        payload = _boto_payload(value)
        if payload is not None:
            return _decode_boto(value, payload)
    return Position(check_token("starting_token", value), None)


__all__ = ["Position", "decode_token", "encode_token"]
