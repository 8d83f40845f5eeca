"""Testing aids: control a client's time, randomness and sleeps; the cassette kit.

Controlling a client
--------------------

``controls(client)`` gives a test the few knobs that decide retries, for either
client, without sockets that misbehave on cue or real waiting::

    from ssm_engagements.testing import FakeClock, controls

    knobs = controls(client)
    knobs.random = lambda: 1.0          # the full jittered delay, every time
    knobs.clock = FakeClock()           # time moves only when the client "sleeps"
    sleeps = knobs.record_sleeps()      # nothing is slept; each wait is recorded
    ...
    assert sleeps == [1.0, 2.0]
    assert knobs.retry_quota_left == 490

Cassettes
---------

Record and replay ListEngagements calls with vcrpy / pytest-recording.

Three traps catch everyone who records AWS JSON-protocol calls with vcrpy; the kit
handles each:

- Every call is ``POST /``, so vcrpy's default matchers cannot tell pages apart, and
  its ``body`` matcher does not parse ``application/x-amz-json-1.1``. The kit matches
  on ``X-Amz-Target`` and the canonical JSON body (matchers ``aws_target``, ``json_body``).
- botocore's header values are byte strings, which vcrpy writes as base64 ``!!binary``
  blobs. The kit decodes them, and drops signing material (Authorization,
  X-Amz-Security-Token, ...; see SCRUBBED_HEADERS) before anything is written.
- A request with no recorded answer (a cassette miss) reaches botocore as a
  connection error, which a client would retry with backoff. EngagementsClient
  raises CassetteMissError (a TransportError, never retried) after that one attempt,
  with a message saying what happened; vcrpy's own explanation (which matchers
  differed) is its ``__cause__``.

Copy this into your ``conftest.py`` (pytest-recording)::

    import pytest
    from ssm_engagements.testing import register_matchers, vcr_config as _vcr_config

    @pytest.fixture(scope="module")
    def vcr_config():
        return _vcr_config()  # keyword overrides win, e.g. _vcr_config(record_mode="once")

    def pytest_recording_configure(config, vcr):
        register_matchers(vcr)

then mark tests ``@pytest.mark.vcr``. Record once with real credentials
(``pytest --record-mode=once``; ``rewrite`` re-records), review the YAML and commit
it. Replays (the default, ``--record-mode=none``) send nothing, so any dummy
``botocore.credentials.Credentials`` will do. With plain vcrpy::

    import vcr
    from ssm_engagements.testing import register_matchers, vcr_config

    my_vcr = vcr.VCR(**vcr_config())
    register_matchers(my_vcr)
    with my_vcr.use_cassette("tests/cassettes/engagements.yaml"):
        ...

vcrpy is not a dependency of ssm_engagements; this module does not import it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ._clock import Clock
from .errors import CassetteMissError

if TYPE_CHECKING:
    from ._aio_client import AsyncEngagementsClient
    from ._client import EngagementsClient
    from ._core import CallCore

__all__ = [
    "SCRUBBED_HEADERS",
    "CallControls",
    "CassetteMissError",
    "Clock",
    "FakeClock",
    "controls",
    "match_aws_target",
    "match_json_body",
    "register_matchers",
    "vcr_config",
]


class FakeClock:
    """A clock that moves only when told: give it to a client with
    ``controls(client).clock = FakeClock()``.

    ``monotonic()`` starts at 0; ``time()`` (epoch seconds, UTC) starts at ``start``;
    both advance together by ``advance(seconds)``. ``sleep`` and ``async_sleep``
    advance it instead of waiting (``record_sleeps`` does that for you).
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._start = float(start)
        self._elapsed = 0.0

    def monotonic(self) -> float:
        """Seconds since the clock was made (advanced by ``advance``)."""
        return self._elapsed

    def time(self) -> float:
        """The fake wall clock: ``start`` plus the seconds advanced, epoch seconds (UTC)."""
        return self._start + self._elapsed

    def advance(self, seconds: float) -> None:
        """Move both readings forward by seconds (>= 0; ValueError otherwise)."""
        if seconds < 0:
            raise ValueError(f"a clock does not go back: advance({seconds!r})")
        self._elapsed += seconds

    def sleep(self, seconds: float) -> None:
        """``time.sleep`` on this clock: advance, do not wait."""
        self.advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        """``asyncio.sleep`` on this clock: advance, do not wait (nor yield)."""
        self.advance(seconds)

    def __repr__(self) -> str:
        return f"FakeClock(time={self.time()!r})"


class CallControls:
    """The parts of one client that decide retries, for tests (see ``controls``).

    Assignments take effect at the client's next call and last for its life.
    """

    def __init__(self, client: EngagementsClient | AsyncEngagementsClient) -> None:
        self._driver: Any = client._caller  # pyright: ignore[reportPrivateUsage]
        self._core: CallCore = self._driver.core
        self._async: bool = self._driver.asynchronous

    @property
    def random(self) -> Callable[[], float]:
        """The jitter source, a function returning a float in [0, 1); the delay before
        retry n is ``random() * min(max_backoff, 2 ** (n - 1))`` seconds."""
        return self._core.random

    @random.setter
    def random(self, value: Callable[[], float]) -> None:
        self._core.random = value

    @property
    def clock(self) -> Clock:
        """The Clock the client reads the time from, such as a FakeClock."""
        return self._core.clock

    @clock.setter
    def clock(self, value: Clock) -> None:
        self._core.clock = value

    @property
    def sleep(self) -> Callable[[float], object]:
        """The function the client waits with, before a retry and for a rate-limiter
        token, given seconds: like ``time.sleep`` for EngagementsClient, an async one
        like ``asyncio.sleep`` for AsyncEngagementsClient."""
        sleep: Callable[[float], object] = self._driver.sleep
        return sleep

    @sleep.setter
    def sleep(self, value: Callable[[float], None] | Callable[[float], Awaitable[None]]) -> None:
        self._driver.sleep = value

    def record_sleeps(self) -> list[float]:
        """Wait no more: each wait's seconds are appended to the returned list instead
        (and the clock advanced by them, when it has an ``advance`` method)."""
        sleeps: list[float] = []
        advance = getattr(self.clock, "advance", None)

        def record(seconds: float) -> None:
            sleeps.append(seconds)
            if advance is not None:
                advance(seconds)

        async def record_async(seconds: float) -> None:
            record(seconds)

        self.sleep = record_async if self._async else record
        return sleeps

    @property
    def retry_quota_left(self) -> int:
        """Retry-quota tokens left (of 500; a retry takes 5, 10 after a timeout)."""
        return self._core.quota.available

    @property
    def clock_offset(self) -> float:
        """Seconds the client adds to its clock when signing, learnt from the service's
        clock-skew errors (0 until then)."""
        return self._core.clock_offset

    @property
    def retry_mode(self) -> str:
        """The retry mode the client resolved, ``"standard"`` or ``"adaptive"``."""
        return "standard" if self._core.limiter is None else "adaptive"


def controls(client: EngagementsClient | AsyncEngagementsClient) -> CallControls:
    """The retry controls of client (either kind): its jitter, clock and sleep, which
    tests may replace, and its retry quota, clock offset and retry mode, to read.

    Raises TypeError for anything but an EngagementsClient or AsyncEngagementsClient.
    """
    if not hasattr(getattr(client, "_caller", None), "core"):
        raise TypeError(
            f"controls() takes an EngagementsClient or AsyncEngagementsClient; "
            f"got {type(client).__name__}"
        )
    return CallControls(client)


SCRUBBED_HEADERS = (
    "Authorization",
    "X-Amz-Security-Token",
    "X-Amz-Date",
    "X-Amz-Content-SHA256",
    "User-Agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
)
"""Request headers never written to a cassette, matched case-insensitively. They
carry credentials and signatures, or per-call noise (dates, SDK ids, user agent)
that would make every recording differ."""

_KEEP_RESPONSE = {"content-type", "content-length", "x-amzn-requestid", "x-amzn-errortype"}


def _header(request: Any, name: str) -> str | None:
    for key, value in request.headers.items():
        if key.lower() == name.lower():
            return value.decode() if isinstance(value, bytes) else str(value)
    return None


def _canonical(body: Any) -> Any:
    if body in (None, b"", ""):
        return {}
    try:
        return json.loads(body)
    except (TypeError, ValueError):
        return body


def match_aws_target(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the same ``X-Amz-Target`` (raises AssertionError otherwise)."""
    assert _header(r1, "X-Amz-Target") == _header(r2, "X-Amz-Target"), "X-Amz-Target differs"


def match_json_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the same JSON body, whatever its key order or spacing."""
    assert _canonical(r1.body) == _canonical(r2.body), "JSON bodies differ"


def register_matchers(vcr: Any) -> None:
    """Register ``aws_target`` and ``json_body`` on a vcr.VCR instance."""
    vcr.register_matcher("aws_target", match_aws_target)
    vcr.register_matcher("json_body", match_json_body)


def _scrub_request(request: Any) -> Any:
    for key in list(request.headers):
        if key.lower() in {h.lower() for h in SCRUBBED_HEADERS}:
            del request.headers[key]
        elif isinstance(request.headers[key], bytes):
            # Bytes values would be written as unreadable !!binary blobs.
            request.headers[key] = request.headers[key].decode("utf-8", "replace")
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for key in list(headers):
        if key.lower() not in _KEEP_RESPONSE:
            del headers[key]
    return response


def vcr_config(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for vcr.VCR (the ``vcr_config`` fixture of pytest-recording).

    Matches on method, host, path, X-Amz-Target and the JSON body (register the
    last two with register_matchers); drops SCRUBBED_HEADERS and response headers
    other than content type/length, request id and error type. ``overrides`` win.
    """
    config: dict[str, Any] = {
        "match_on": ["method", "scheme", "host", "port", "path", "aws_target", "json_body"],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
    }
    config.update(overrides)
    return config
