"""The fault matrix: every fault we know of, injected into a 2,000-engagement iteration.

Each row drives a real client (``max_backoff=0.01``) through ``iter_engagements``
(page size 100, so 20 pages) and injects its fault once 800 engagements have been
yielded, so it hits the request for page 9. The test asserts the row's outcome
(recovers, or raises that exact error class), the attempts the faulted page took,
and the invariant: what was yielded before the error plus what a new iteration from
the error's ``resume_token`` yields is exactly the full list, in order; nothing lost,
nothing twice.

The table in ``docs/reliability.md`` is rendered from ``CASES``;
``test_docs_hold_this_matrix`` fails when they differ. Regenerate it with
``nox -s reliability-doc`` (``python -m tests.reliability.test_fault_matrix --write``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from botocore.credentials import Credentials, RefreshableCredentials

from ssm_engagements import (
    EngagementsClient,
    InternalServerException,
    PaginationError,
    ResponseParseError,
    ServiceError,
    SSMContactsError,
    ThrottlingException,
    TransportError,
)
from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests.reliability._raw import RawServer, wire_engagement

TOTAL = 2000
PAGE = 100
AT = 800
DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
START, END = "<!-- fault-matrix:start -->", "<!-- fault-matrix:end -->"

ROTATED = Credentials("AKIDROTATEDEXAMPLE", "rotated/secret/after/refresh/EXAMPLE")


@attrs.define
class Run:
    """One row's run: its server, client, and what happened."""

    emu: Emulator | None = None
    raw: RawServer | None = None
    client_kwargs: dict[str, Any] = attrs.Factory(dict)
    client: EngagementsClient | None = None
    state: dict[str, Any] = attrs.Factory(dict)
    error: SSMContactsError | None = None
    mark: int = 0  # requests sent before the fault was injected

    def tokens(self) -> list[str | None]:
        if self.raw is not None:
            return self.raw.tokens
        assert self.emu is not None
        return [(r.body or {}).get("NextToken") for r in self.emu.requests]


Hook = Callable[[Run], None]


def _nothing(run: Run) -> None:
    pass


@attrs.frozen(kw_only=True)
class Case:
    """One row of the matrix: what the test does and what it asserts."""

    id: str
    fault: str
    how: str
    backend: str  # "emulator" or "raw"
    inject: Hook
    raises: type[SSMContactsError] | None
    attempts: int
    note: str = ""
    client: Mapping[str, Any] = attrs.field(factory=dict)
    at: int = AT
    page_size: int = PAGE
    layout: str = "normal"
    total: int = TOTAL
    setup: Hook = _nothing
    check: Hook = _nothing
    resume: bool = True

    @property
    def outcome(self) -> str:
        if self.raises is None:
            text = (
                "iteration completes"
                if self.inject is _nothing
                else "recovers; iteration completes"
            )
        else:
            text = f"raises `{self.raises.__name__}`"
            if self.resume:
                text += "; resuming from its `resume_token` completes"
        return text + (f" ({self.note})" if self.note else "")


def _emu(fault: str, times: int = 1, seconds: float | None = None) -> Hook:
    def inject(run: Run) -> None:
        assert run.emu is not None
        run.emu.inject(fault, times=times, seconds=seconds)

    return inject


def _raw(fault: str, times: int = 1) -> Hook:
    def inject(run: Run) -> None:
        assert run.raw is not None
        run.raw.inject(fault, times=times)

    return inject


# -- rows that need more than one injected fault ------------------------------------------
def _record_sleeps(fault: Hook) -> Hook:
    def inject(run: Run) -> None:
        assert run.client is not None
        sleeps: list[float] = []
        run.state["sleeps"] = sleeps
        clients.set_sleep(run.client, sleeps.append)  # the retry seam: record, do not sleep
        fault(run)

    return inject


def _check_hint_floor(run: Run) -> None:
    assert run.state["sleeps"] and min(run.state["sleeps"]) >= 1.0


def _check_hint_above_max_backoff(run: Run) -> None:
    assert isinstance(run.error, ThrottlingException)
    assert run.error.retry_after_seconds == 1.0
    assert run.error.quota_code and run.error.service_code == "ssm-contacts"


def _check_truncated(run: Run) -> None:
    assert run.error is not None and "truncated" in str(run.error)


def _setup_expiring_credentials(run: Run) -> None:
    assert run.emu is not None
    from dateutil.tz import tzlocal  # type: ignore[import-untyped]  # botocore's dependency

    clock = {"now": datetime.now(tzlocal())}
    refreshes: list[datetime] = []

    def refresh() -> dict[str, Any]:
        refreshes.append(clock["now"])
        return {
            "access_key": ROTATED.access_key,
            "secret_key": ROTATED.secret_key,
            "token": None,
            "expiry_time": (clock["now"] + timedelta(hours=1)).isoformat(),
        }

    old = run.emu.credentials
    run.client_kwargs["credentials"] = RefreshableCredentials(
        old.access_key,
        old.secret_key,
        None,
        clock["now"] + timedelta(hours=1),
        refresh,
        "reliability-test",
        time_fetcher=lambda: clock["now"],
    )
    run.state.update(clock=clock, refreshes=refreshes)


def _expire_credentials(run: Run) -> None:
    assert run.emu is not None
    run.state["clock"]["now"] += timedelta(hours=2)
    # The old key stops working, as after a real rotation: reusing it would be rejected.
    run.emu._service.credentials = ROTATED


def _check_refreshed(run: Run) -> None:
    assert run.emu is not None
    assert len(run.state["refreshes"]) == 1
    later = run.emu.requests[run.mark :]
    assert later and all(
        f"Credential={ROTATED.access_key}/" in r.headers["authorization"] for r in later
    )


def _skew_clock(run: Run) -> None:
    assert run.emu is not None
    run.emu.clock_offset = 900.0


def _check_skew_kept(run: Run) -> None:
    assert run.client is not None
    assert abs(clients.controls(run.client).clock_offset - 900.0) < 5
    assert len(run.tokens()) == TOTAL // PAGE + 1  # only the first signed-late request failed


def _check_big_pages(run: Run) -> None:
    assert run.raw is not None
    assert [r.get("MaxResults") for r in run.raw.requests] == [1024, 1024]


def _check_cycle(run: Run) -> None:
    assert isinstance(run.error, PaginationError)
    assert run.error.next_token == "A"
    assert run.error.resume_token == "A"  # the service's own token: continues after item 300
    assert run.tokens() == [None, "A", "B"]  # the repeated token was never sent


def _check_parse_error(run: Run) -> None:
    assert isinstance(run.error, ResponseParseError) and run.error.request_id


CASES: tuple[Case, ...] = (
    Case(
        id="throttle-burst",
        fault="throttling burst, `RetryAfterSeconds: 0`",
        how="emulator `throttle` x2",
        backend="emulator",
        inject=_emu("throttle", 2),
        raises=None,
        attempts=3,
    ),
    Case(
        id="throttle-hint",
        fault="throttling with `RetryAfterSeconds: 1` (max_backoff 5)",
        how="emulator `throttle` x1, seconds=1",
        backend="emulator",
        inject=_record_sleeps(_emu("throttle", 1, 1)),
        client={"max_backoff": 5.0},
        raises=None,
        attempts=2,
        note="waits at least the 1 s hint",
        check=_check_hint_floor,
    ),
    Case(
        id="throttle-hint-above-max-backoff",
        fault="throttling with `RetryAfterSeconds: 1` above max_backoff 0.01",
        how="emulator `throttle` x1, seconds=1",
        backend="emulator",
        inject=_emu("throttle", 1, 1),
        raises=ThrottlingException,
        attempts=1,
        note="at once, `retry_after_seconds == 1`",
        check=_check_hint_above_max_backoff,
    ),
    Case(
        id="throttle-persistent",
        fault="throttling longer than max_attempts (3)",
        how="emulator `throttle` x3",
        backend="emulator",
        inject=_emu("throttle", 3),
        raises=ThrottlingException,
        attempts=3,
    ),
    Case(
        id="http429-burst",
        fault="bare HTTP 429, no AWS error code",
        how="emulator `http429` x2",
        backend="emulator",
        inject=_emu("http429", 2),
        raises=None,
        attempts=3,
    ),
    Case(
        id="http500-burst",
        fault="HTTP 500 `InternalServerException` burst",
        how="emulator `internal` x2",
        backend="emulator",
        inject=_emu("internal", 2),
        raises=None,
        attempts=3,
    ),
    Case(
        id="http500-persistent",
        fault="HTTP 500 longer than max_attempts",
        how="emulator `internal` x3",
        backend="emulator",
        inject=_emu("internal", 3),
        raises=InternalServerException,
        attempts=3,
    ),
    Case(
        id="http502-burst",
        fault="HTTP 502 burst (HTML body)",
        how="emulator `http502` x2",
        backend="emulator",
        inject=_emu("http502", 2),
        raises=None,
        attempts=3,
    ),
    Case(
        id="http503-burst",
        fault="HTTP 503 burst (HTML body)",
        how="emulator `http503` x2",
        backend="emulator",
        inject=_emu("http503", 2),
        raises=None,
        attempts=3,
    ),
    Case(
        id="http503-persistent",
        fault="HTTP 503 longer than max_attempts",
        how="emulator `http503` x3",
        backend="emulator",
        inject=_emu("http503", 3),
        raises=ServiceError,
        attempts=3,
        note='`code == "503"`',
    ),
    Case(
        id="http504-burst",
        fault="HTTP 504 burst (HTML body)",
        how="emulator `http504` x2",
        backend="emulator",
        inject=_emu("http504", 2),
        raises=None,
        attempts=3,
    ),
    Case(
        id="proxy-html-502",
        fault="HTML 502 from a proxy (no AWS headers, `Connection: close`)",
        how="raw server `html502` x2",
        backend="raw",
        inject=_raw("html502", 2),
        raises=None,
        attempts=3,
    ),
    Case(
        id="reset-before-response",
        fault="connection reset before the response",
        how="emulator `reset` x2",
        backend="emulator",
        inject=_emu("reset", 2),
        raises=None,
        attempts=3,
    ),
    Case(
        id="reset-persistent",
        fault="connection reset on every attempt",
        how="emulator `reset` x3",
        backend="emulator",
        inject=_emu("reset", 3),
        raises=TransportError,
        attempts=3,
    ),
    Case(
        id="reset-mid-body",
        fault="connection reset in the middle of the body",
        how="raw server `reset_mid_body` x1",
        backend="raw",
        inject=_raw("reset_mid_body"),
        raises=None,
        attempts=2,
    ),
    Case(
        id="truncated-body",
        fault="body shorter than its Content-Length",
        how="emulator `truncate` x1",
        backend="emulator",
        inject=_emu("truncate"),
        raises=None,
        attempts=2,
    ),
    Case(
        id="truncated-persistent",
        fault="truncated body on every attempt",
        how="emulator `truncate` x3",
        backend="emulator",
        inject=_emu("truncate", 3),
        raises=TransportError,
        attempts=3,
        note="message says truncated",
        check=_check_truncated,
    ),
    Case(
        id="read-timeout",
        fault="read timeout (read_timeout 2 s, answer after 60 s)",
        how="emulator `delay` x1, seconds=60",
        backend="emulator",
        inject=_emu("delay", 1, 60),
        client={"read_timeout": 2},
        raises=None,
        attempts=2,
    ),
    Case(
        id="slow-trickle",
        fault="slow trickle: a tenth of the answer every 0.25 s, longer in total than read_timeout 2 s",
        how="raw server `trickle` x1",
        backend="raw",
        inject=_raw("trickle"),
        client={"read_timeout": 2},
        raises=None,
        attempts=1,
        note="the timeout is per read, not per response",
    ),
    Case(
        id="malformed-json-200",
        fault="HTTP 200 with JSON cut short",
        how="emulator `malformed` x1",
        backend="emulator",
        inject=_emu("malformed"),
        raises=ResponseParseError,
        attempts=1,
        note="not retried; carries the request id",
        check=_check_parse_error,
    ),
    Case(
        id="empty-200",
        fault="HTTP 200 with an empty body",
        how="raw server `empty200` x1",
        backend="raw",
        inject=_raw("empty200"),
        raises=ResponseParseError,
        attempts=1,
        note="not retried; carries the request id",
        check=_check_parse_error,
    ),
    Case(
        id="page-of-1024",
        fault="1,024-item pages (page_size 1024)",
        how="raw server, no fault",
        backend="raw",
        inject=_nothing,
        page_size=1024,
        at=1024,
        raises=None,
        attempts=1,
        check=_check_big_pages,
    ),
    Case(
        id="token-cycle",
        fault="NextToken cycle A -> B -> A (300 engagements served)",
        how="raw server, cycling layout",
        backend="raw",
        layout="cycle",
        total=300,
        at=300,
        inject=_nothing,
        raises=PaginationError,
        attempts=0,
        resume=False,
        note="after page 3's items, before sending A again; `next_token == resume_token == 'A'`",
        check=_check_cycle,
    ),
    Case(
        id="credentials-expire",
        fault="credentials expire mid-iteration; the old key is revoked",
        how="RefreshableCredentials, clock moved past expiry",
        backend="emulator",
        setup=_setup_expiring_credentials,
        inject=_expire_credentials,
        raises=None,
        attempts=1,
        note="refreshed once; later requests signed with the new key",
        check=_check_refreshed,
    ),
    Case(
        id="clock-offset-15min",
        fault="server clock 15 minutes ahead (signature expired)",
        how="emulator `clock_offset = 900`",
        backend="emulator",
        inject=_skew_clock,
        raises=None,
        attempts=2,
        note="offset kept; later pages take 1 attempt",
        check=_check_skew_kept,
    ),
)


@contextmanager
def _backend(case: Case) -> Iterator[Run]:
    if case.backend == "raw":
        with RawServer(case.total, layout=case.layout) as raw:
            run = Run(raw=raw)
            run.client_kwargs.update(
                region_name="us-east-1",
                endpoint_url=raw.url,
                credentials=Credentials("AKIDRAWEXAMPLE", "raw/secret/EXAMPLE"),
            )
            yield run
        return
    with Emulator(engagements=[wire_engagement(n) for n in range(case.total)]) as emu:
        yield Run(emu=emu)


def _expected(case: Case) -> list[str]:
    order = range(case.total) if case.backend == "raw" else range(case.total - 1, -1, -1)
    return [wire_engagement(n)["EngagementArn"] for n in order]  # emulator: newest first


def execute(case: Case, kind: str = "sync") -> Run:
    """Run one row with the client of that kind and assert everything it promises."""
    with _backend(case) as run:
        case.setup(run)
        kwargs = {"max_backoff": 0.01, **run.client_kwargs, **case.client}
        client = (
            clients.from_emulator(run.emu, kind, **kwargs)
            if run.emu is not None
            else clients.make(kind, **kwargs)
        )
        run.client = client
        got: list[str] = []
        fault_token: str | None = None
        it = client.iter_engagements(page_size=case.page_size)
        try:
            for item in it:
                got.append(item.engagement_arn)
                if len(got) == case.at:
                    fault_token = it.resume_token
                    run.mark = len(run.tokens())
                    case.inject(run)
        except SSMContactsError as err:
            run.error = err
        first_run = run.tokens()[run.mark :]
        assert len(got) >= case.at, "the fault was never injected"
        if case.raises is None:
            assert run.error is None, f"expected recovery, got {run.error!r}"
            assert it.resume_token is None
        else:
            assert type(run.error) is case.raises, f"expected {case.raises}, got {run.error!r}"
            assert run.error.resume_token == it.resume_token == fault_token
            # Requests sent for the failed page; None for PaginationError (none sent).
            sent = None if isinstance(run.error, PaginationError) else case.attempts
            assert run.error.attempts == sent
            if case.resume:
                resumed = client.iter_engagements(
                    page_size=case.page_size, starting_token=run.error.resume_token
                )
                got += [item.engagement_arn for item in resumed]
        assert first_run.count(fault_token) == case.attempts
        assert got == _expected(case), "engagements lost, duplicated or out of order"
        case.check(run)
        client.close()
        return run


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault(case: Case, client_kind: str) -> None:
    execute(case, client_kind)


# -- the published table ---------------------------------------------------------------
def render() -> str:
    """The matrix as the Markdown table docs/reliability.md holds."""
    lines = [
        "| Fault | Injected by | Outcome (asserted) | Attempts | Lost | Twice |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for case in CASES:
        lines.append(f"| {case.fault} | {case.how} | {case.outcome} | {case.attempts} | 0 | 0 |")
    return "\n".join(lines)


def _doc_block(text: str) -> str:
    start, end = text.index(START) + len(START), text.index(END)
    return text[start:end].strip()


def test_docs_hold_this_matrix() -> None:
    assert _doc_block(DOC.read_text(encoding="utf-8")) == render(), (
        "docs/reliability.md is out of date: run `nox -s reliability-doc`"
    )


def test_every_fault_the_emulator_offers_is_in_the_matrix() -> None:
    from ssm_engagements.emulator import FAULTS
    from tests.reliability._raw import RAW_FAULTS

    hows = " ".join(case.how for case in CASES)
    assert all(f"`{name}`" in hows for name in (*FAULTS, *RAW_FAULTS))


def write_doc() -> None:
    """Replace the table between the markers in docs/reliability.md."""
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(START) + len(START), text.index(END)
    DOC.write_text(text[:start] + "\n" + render() + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_doc()
    else:
        print(render())
