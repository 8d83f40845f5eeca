"""What the call core and its drivers say to each other: the steps a plan yields and
the response a driver sends back. Imports no transport, so the core does not either.

A plan (``_core.CallCore.plan``) yields one of:

- ``NEED_CREDENTIALS``: send it the credentials to sign with;
- ``Send(request)``: send it the ``RawResponse``, or throw it the ``TransportError``;
- ``Sleep(seconds)``: send it None once that time has passed.

Whatever a step raises instead (a TransportError, NoCredentialsError, a cancellation,
KeyboardInterrupt) the driver throws into the plan with ``plan.throw(exc)``.

The transports' shared failure functions live here too: both turn vcrpy's cassette miss
into ``errors.CassetteMissError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, Union

from .errors import CassetteMissError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest


class RawResponse(NamedTuple):
    """A complete HTTP response: status, case-insensitive headers, the whole body.

    (A NamedTuple: immutable like a frozen attrs class, built in a third of the time,
    and nothing to generate at import.)"""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Send(NamedTuple):
    """Send this signed request; reply with its RawResponse, or throw the TransportError."""

    request: AWSPreparedRequest


class Sleep(NamedTuple):
    """Wait this many seconds, then reply None."""

    seconds: float


class _NeedCredentials:
    """Reply with the credentials to sign with (CredentialSource.for_signing's result)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NEED_CREDENTIALS"


NEED_CREDENTIALS = _NeedCredentials()

Step = Union[Send, Sleep, _NeedCredentials]  # noqa: UP007 (a runtime alias on 3.10)


_CASSETTE_MISS = "CannotOverwriteExistingCassetteException"


def cassette_miss(url: str) -> CassetteMissError:
    """The error for a request vcrpy has no recording of (raise it from vcrpy's)."""
    return CassetteMissError(
        f"No response recorded in the vcrpy cassette matches this request to {url} (a "
        "cassette miss; not retried). Record it (pytest --record-mode=once or rewrite) or "
        "check the cassette's matchers (ssm_engagements.testing.vcr_config); vcrpy's "
        "explanation is the __cause__."
    )


def is_cassette_miss(exc: BaseException) -> bool:
    """True when vcrpy's cassette-miss exception is in exc's cause chain (vcr not imported)."""
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending:
        err = pending.pop()
        if not isinstance(err, BaseException) or id(err) in seen:
            continue
        seen.add(id(err))
        if any(cls.__name__ == _CASSETTE_MISS for cls in type(err).__mro__):
            return True
        kwargs = getattr(err, "kwargs", None)  # botocore's HTTPClientError(error=...)
        extra = kwargs.get("error") if isinstance(kwargs, dict) else None
        pending += [err.__cause__, err.__context__, extra]
    return False
