"""Driving the call plan by hand: scripted replies, a fake clock, no sockets, no sleeping.

``drive(core, script)`` plays a CallCore's plan to its end: it answers
``NEED_CREDENTIALS`` with fixed credentials, each ``Send`` with the next scripted reply
(a RawResponse is sent, an exception is thrown, as the drivers do) after advancing the
fake clock by ``LATENCY``, and each ``Sleep`` by advancing the clock. It returns what
happened: every step, the requests, the sleeps, and the page or the error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

import attrs
from botocore.awsrequest import HeadersDict
from botocore.credentials import ReadOnlyCredentials

from ssm_engagements._config import resolve_config
from ssm_engagements._core import CallCore, RateLimiter
from ssm_engagements._retry import RetryQuota
from ssm_engagements._wire import NEED_CREDENTIALS, RawResponse, Send, Sleep, Step
from ssm_engagements.hooks import Hook
from ssm_engagements.testing import FakeClock

CREDENTIALS = ReadOnlyCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)
BODY = b'{"MaxResults":5}'
LATENCY = 0.25  # seconds every scripted reply takes to arrive, on the fake clock
START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)

# A scripted reply: a response, an exception to throw, or a function of the request
# (as the plan signed it) and the clock giving either.
Reply = RawResponse | BaseException | Callable[[Any, FakeClock], Any]


def response(
    status: int, body: object = b"", headers: Mapping[str, str] | None = None
) -> RawResponse:
    """A RawResponse; a non-bytes body is sent as JSON."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return RawResponse(status, HeadersDict({"x-amzn-RequestId": "req-1", **(headers or {})}), data)


def page(*arns: str, **headers: str) -> RawResponse:
    """A 200 page holding engagements with these ARNs."""
    items = [{"EngagementArn": arn, "ContactArn": "arn:c", "Sender": "s"} for arn in arns]
    return response(200, {"Engagements": items}, headers)


def error(
    status: int, code: str, headers: Mapping[str, str] | None = None, **members: Any
) -> RawResponse:
    """An awsJson1.1 error answer."""
    return response(status, {"__type": code, "message": f"{code} here", **members}, headers)


def http_date(clock: FakeClock, offset: float) -> str:
    """An HTTP-date ``offset`` seconds from the fake wall clock."""
    return format_datetime(datetime.fromtimestamp(clock.time() + offset, timezone.utc), usegmt=True)


@attrs.define
class Run:
    """What a plan did: every step it yielded, and how it ended."""

    steps: list[Step]
    page: Any = None
    error: BaseException | None = None

    @property
    def sends(self) -> list[Any]:
        """The requests sent, in order."""
        return [step.request for step in self.steps if isinstance(step, Send)]

    @property
    def sleeps(self) -> list[float]:
        """The seconds of every Sleep step, in order."""
        return [step.seconds for step in self.steps if isinstance(step, Sleep)]

    def kinds(self) -> list[str]:
        """The steps as words: "credentials", "send", "sleep"."""
        return [
            "credentials" if step is NEED_CREDENTIALS else type(step).__name__.lower()
            for step in self.steps
        ]


class Recorder(Hook):
    """A hook that logs every event it hears, with its name (several may share a log)."""

    def __init__(self, name: str = "r", log: list[tuple[str, str, Any]] | None = None) -> None:
        self.name = name
        self.log: list[tuple[str, str, Any]] = [] if log is None else log

    def on_call_start(self, event: Any) -> None:
        self.log.append((self.name, "on_call_start", event))

    def on_attempt(self, event: Any) -> None:
        self.log.append((self.name, "on_attempt", event))

    def on_retry(self, event: Any) -> None:
        self.log.append((self.name, "on_retry", event))

    def on_call_end(self, event: Any) -> None:
        self.log.append((self.name, "on_call_end", event))

    def names(self) -> list[str]:
        return [method for name, method, _ in self.log if name == self.name]

    def of(self, method: str) -> list[Any]:
        return [event for name, m, event in self.log if name == self.name and m == method]


def make_core(
    *,
    hooks: Sequence[object] = (),
    clock: FakeClock | None = None,
    random: float = 0.5,
    quota: RetryQuota | None = None,
    limiter: RateLimiter | None = None,
    **settings: Any,
) -> CallCore:
    """A CallCore with a fake clock at START and a fixed jitter; settings as the client's."""
    settings.setdefault("endpoint_url", "https://ssm-contacts.us-east-1.amazonaws.com")
    config = resolve_config("us-east-1", **settings)
    return CallCore(
        config, hooks, clock=clock or FakeClock(START.timestamp()), random=lambda: random,
        quota=quota, limiter=limiter,
    )  # fmt: skip


def drive(
    core: CallCore,
    script: Sequence[Reply],
    *,
    on_sleep: Callable[[float], BaseException | None] | None = None,
    credentials: object = CREDENTIALS,
) -> Run:
    """Play core's plan with the scripted replies (see the module's docstring).
    ``on_sleep(seconds)`` may return an exception to throw at a Sleep instead;
    ``credentials`` may be an exception to throw at NEED_CREDENTIALS."""
    clock = core.clock
    assert isinstance(clock, FakeClock)
    replies = list(script)
    run = Run(steps=[])
    plan = core.plan(BODY)
    outcome: tuple[str, Any] = ("send", None)
    try:
        while True:
            kind, value = outcome
            step = plan.throw(value) if kind == "throw" else plan.send(value)
            run.steps.append(step)
            outcome = _answer(step, replies, clock, on_sleep, credentials)
    except StopIteration as done:
        run.page = done.value
    except BaseException as exc:
        run.error = exc
    assert not replies, f"{len(replies)} scripted replies were not used"
    return run


def _answer(
    step: Step,
    replies: list[Reply],
    clock: FakeClock,
    on_sleep: Callable[[float], BaseException | None] | None,
    credentials: object,
) -> tuple[str, Any]:
    if isinstance(step, Sleep):
        failure = on_sleep(step.seconds) if on_sleep is not None else None
        if failure is not None:
            return "throw", failure
        clock.advance(step.seconds)
        return "send", None
    if isinstance(step, Send):
        assert replies, "the plan sent more requests than were scripted"
        reply = replies.pop(0)
        clock.advance(LATENCY)
        if callable(reply) and not isinstance(reply, BaseException):
            reply = reply(step.request, clock)
        return ("throw", reply) if isinstance(reply, BaseException) else ("send", reply)
    if isinstance(credentials, BaseException):
        return "throw", credentials
    return "send", credentials


def signed_at(request: Any) -> datetime:
    """The X-Amz-Date a request was signed with."""
    value = request.headers["X-Amz-Date"]
    text = value.decode() if isinstance(value, bytes) else value
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
