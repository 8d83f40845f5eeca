"""Any arguments to list_engagements / iter_*: a request the emulator accepts, or
ParamValidationError with nothing sent. Never another exception type."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssm_engagements import (
    EngagementsClient,
    ParamValidationError,
    TimeRange,
    ValidationException,
)
from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests.reliability._raw import wire_engagement

# Fixtures here are module-scoped: hypothesis reuses them across examples on purpose.
pytestmark = pytest.mark.filterwarnings("ignore")
fixtures_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

INCIDENT_CHARS = "abcXYZ019_@#%*+=:?./!- \t\\"
TOKEN_CHARS = "abcXYZ019_+=-/\\"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=[wire_engagement(n) for n in range(30)]) as emulator:
        yield emulator


@pytest.fixture(scope="module", params=clients.KINDS)
def client(emu: Emulator, request: pytest.FixtureRequest) -> Iterator[EngagementsClient]:
    with clients.from_emulator(emu, request.param, track=False, max_attempts=1) as c:
        yield c


offsets = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-1439, 1439))
datetimes = st.datetimes(timezones=st.one_of(st.none(), st.just(timezone.utc), offsets))
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.binary(max_size=10),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
incident_ids = st.one_of(
    st.none(),
    st.text(alphabet=INCIDENT_CHARS, max_size=40),
    st.text(alphabet=INCIDENT_CHARS, min_size=1020, max_size=1030),
    st.text(max_size=30),
    junk,
)
tokens = st.one_of(
    st.none(),
    st.just(""),
    st.text(alphabet=TOKEN_CHARS, max_size=40),
    st.text(alphabet=TOKEN_CHARS, min_size=2040, max_size=2050),
    st.text(max_size=30),
    junk,
)
json_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers()),
)
ints = st.one_of(st.none(), st.integers(-5, 1100), st.integers(), junk)
time_ranges = st.one_of(
    st.none(),
    st.tuples(st.one_of(st.none(), datetimes), st.one_of(st.none(), datetimes)),
    junk,
)


def _time_range(spec: Any) -> Any:
    """A (start, end) tuple becomes a TimeRange (which may itself refuse); else as is."""
    if isinstance(spec, tuple):
        return TimeRange(start_time=spec[0], end_time=spec[1])
    return spec


def _sdk_token(inner: Any) -> str:
    raw = json.dumps(inner, separators=(",", ":")).encode()
    return "sse1." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


starting_tokens = st.one_of(
    tokens,
    st.builds(
        _sdk_token,
        st.one_of(
            st.tuples(st.none(), st.one_of(st.none(), st.integers(-2, 1030)), st.integers(-2, 40)),
            st.tuples(st.text(alphabet=TOKEN_CHARS, max_size=8), json_junk, json_junk),
            json_junk,
        ),
    ),
    st.text(alphabet="sse1.abcXYZ09-_=", max_size=30).map(lambda t: "sse1." + t),
    st.just("sse1." + base64.urlsafe_b64encode(b"[" * 3000).decode()),
)


def _accepted_or_token_unknown(exc: ValidationException, token: Any) -> None:
    """The emulator only refuses what the SDK let through when the token is not its own."""
    assert token, exc
    assert {f.name for f in exc.fields} == {"NextToken"}, exc


@fixtures_ok
@given(incident_id=incident_ids, max_results=ints, next_token=tokens, time_range=time_ranges)
def test_list_engagements_arguments(
    emu: Emulator,
    client: EngagementsClient,
    incident_id: Any,
    max_results: Any,
    next_token: Any,
    time_range: Any,
) -> None:
    sent = len(emu.requests)
    try:
        page = client.list_engagements(
            incident_id=incident_id,
            max_results=max_results,
            next_token=next_token,
            time_range=_time_range(time_range),
        )
    except ParamValidationError as exc:
        assert len(emu.requests) == sent, "a request was sent despite a bad argument"
        assert exc.param  # noqa: PT017
        return
    except ValidationException as exc:
        _accepted_or_token_unknown(exc, next_token)
    else:
        assert isinstance(page.engagements, tuple)
    assert len(emu.requests) == sent + 1


@fixtures_ok
@given(
    pages=st.booleans(),
    incident_id=incident_ids,
    time_range=time_ranges,
    page_size=ints,
    max_items=ints,
    starting_token=starting_tokens,
)
def test_iterator_arguments(
    emu: Emulator,
    client: EngagementsClient,
    pages: bool,
    incident_id: Any,
    time_range: Any,
    page_size: Any,
    max_items: Any,
    starting_token: Any,
) -> None:
    sent = len(emu.requests)
    make = client.iter_pages if pages else client.iter_engagements
    try:
        iterator: Iterator[Any] = make(
            incident_id=incident_id,
            time_range=_time_range(time_range),
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
        )
    except ParamValidationError as exc:
        assert len(emu.requests) == sent, "a request was sent despite a bad argument"
        assert exc.param  # noqa: PT017
        return
    assert len(emu.requests) == sent, "iterators are lazy"
    try:
        next(iterator, None)
    except ValidationException as exc:
        _accepted_or_token_unknown(exc, starting_token)
    assert len(emu.requests) == sent + 1


@given(start=datetimes, end=datetimes)
def test_time_range_refuses_only_with_param_validation_error(
    start: datetime, end: datetime
) -> None:
    try:
        window = TimeRange(start_time=start, end_time=end)
    except ParamValidationError as exc:
        assert exc.param.startswith("time_range")  # noqa: PT017
        return
    for value in (window.start_time, window.end_time):
        assert value is not None and value.tzinfo is timezone.utc
