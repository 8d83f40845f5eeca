"""Any response (body, status, headers) -> a model or a documented SSMContactsError.

Never KeyError, TypeError, ValueError (or anything else) leaking out. Most examples
call the protocol layer directly, for speed; fewer go over HTTP through a real client.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3 import HTTPHeaderDict

from ssm_engagements import (
    EngagementsClient,
    ListEngagementsResponse,
    ResponseParseError,
    ServiceError,
    SSMContactsError,
    TransportError,
)
from ssm_engagements._protocol import parse_error, parse_success
from tests import _clients as clients
from tests._server import Reply, ScriptedServer
from tests.integration.conftest import ACCESS_KEY, SECRET_KEY

fixtures_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

ARN = "arn:aws:ssm-contacts:us-east-1:111122223333:engagement/plan/x"

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
odd_timestamps = st.one_of(
    st.integers(),
    st.floats(),
    st.sampled_from(
        [
            "2022-08-16T18:48:50.153Z",
            "2022-08-16T18:48:50+05:30",
            "2022-08-16T18:48:50",
            "2022-13-45T25:61:61Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999-23:59",
            "0001-01-01T00:00:00+23:59",
            "Tue, 16 Aug 2022 18:48:50 GMT",
            "Tue, 16 Aug 2022 18:48:50.5 GMT",
            "1e400",
            "-1e20",
            "NaN",
            "Infinity",
            "1660675730.153",
            " 1660675730 ",
            "",
            "now",
            "1" * 5000,
        ]
    ),
    st.text(max_size=30),
    json_values,
)
field_values = st.one_of(st.just(ARN), st.text(max_size=20), json_values)


@st.composite
def near_valid_engagements(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for key in ("EngagementArn", "ContactArn", "Sender", "IncidentId"):
        if draw(st.integers(0, 9)):  # usually present
            item[key] = draw(st.one_of(st.just(ARN), field_values))
    for key in ("StartTime", "StopTime"):
        if draw(st.booleans()):
            item[key] = draw(odd_timestamps)
    if draw(st.integers(0, 4)) == 0:
        item[draw(st.text(max_size=10))] = draw(json_values)
    return item


near_valid_bodies = st.builds(
    lambda items, token, extra: {
        "Engagements": items,
        **({"NextToken": token} if token else {}),
        **extra,
    },
    st.one_of(st.lists(near_valid_engagements(), max_size=5), json_values),
    st.one_of(st.none(), st.text(max_size=10), json_values),
    st.dictionaries(st.text(max_size=8), json_values, max_size=2),
)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(_dumps),
    near_valid_bodies.map(_dumps),
    st.sampled_from(
        [
            b"",
            b"   ",
            b"null",
            b'{"Engagements": null}',
            b'{"Engagements": []}',
            b"[" * 5000 + b"]" * 5000,
            b'{"Engagements": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            b'{"Engagements": [], "NextToken": NaN}',
            b'{"RetryAfterSeconds": 1' + b"0" * 400 + b"}",
            b"<html><body>502 Bad Gateway</body></html>",
            '{"message": "caf\u00e9"}'.encode(),
            b"\xff\xfe\x00",
        ]
    ),
)
header_names = st.sampled_from(
    [
        "x-amzn-RequestId",
        "X-Amzn-ErrorType",
        "x-amz-retry-after",
        "Retry-After",
        "Date",
        "Content-Type",
        "X-Other",
    ]
)
header_values = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    st.sampled_from(
        [
            "2",
            "-1",
            "nan",
            "inf",
            "\u00b2",
            "9" * 400,
            "Tue, 16 Aug 2022 18:48:50 GMT",
            "Mon, 01 Jan 99999 00:00:00 GMT",
            "ThrottlingException:http://internal.amazon.com/",
            "#",
            ":",
        ]
    ),
)
headers = st.dictionaries(header_names, header_values, max_size=4)


def _check_model(page: ListEngagementsResponse) -> None:
    assert isinstance(page.engagements, tuple)
    assert page.next_token is None or isinstance(page.next_token, str)
    for item in page.engagements:
        for text in (item.engagement_arn, item.contact_arn, item.sender):
            assert type(text) is str
        assert item.incident_id is None or type(item.incident_id) is str
        for when in (item.start_time, item.stop_time):
            assert when is None or when.tzinfo is timezone.utc


def _check_service_error(error: ServiceError, status: int) -> None:
    assert isinstance(error.code, str) and error.code
    assert isinstance(error.message, str)
    assert error.status_code == status
    hint = error.retry_after_seconds
    assert hint is None or (isinstance(hint, float) and (hint >= 0 or math.isinf(hint)))
    str(error), repr(error)


@given(status=st.integers(200, 299), headers=headers, body=bodies)
def test_success_bodies_parse_or_raise_response_parse_error(
    status: int, headers: dict[str, str], body: bytes
) -> None:
    try:
        page = parse_success(status, HTTPHeaderDict(headers), body)
    except ResponseParseError as exc:
        str(exc), repr(exc)
        return
    _check_model(page)


@given(status=st.integers(100, 999), headers=headers, body=bodies)
def test_error_bodies_always_give_a_service_error(
    status: int, headers: dict[str, str], body: bytes
) -> None:
    _check_service_error(parse_error(status, HTTPHeaderDict(headers), body), status)


@given(body=near_valid_bodies)
def test_near_valid_bodies(body: dict[str, Any]) -> None:
    try:
        page = parse_success(200, HTTPHeaderDict(), _dumps(body))
    except ResponseParseError:
        return
    _check_model(page)


# -- over HTTP, through a real client ---------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.close()


@pytest.fixture(scope="module", params=clients.KINDS)
def http_client(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> Iterator[EngagementsClient]:
    from botocore.credentials import Credentials

    client = clients.make(
        request.param,
        "us-east-1",
        track=False,
        endpoint_url=server.url,
        credentials=Credentials(ACCESS_KEY, SECRET_KEY),
        max_attempts=2,
        max_backoff=0.0,
        read_timeout=5,
    )
    clients.set_sleep(client, lambda seconds: None)
    yield client
    client.close()


# Header names the scripted server writes itself, or that would break HTTP framing.
_FRAMING = {"content-length", "transfer-encoding", "connection"}


@settings(
    max_examples=max(10, (settings.default or settings()).max_examples // 5),  # a fifth
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(status=st.integers(200, 599), headers=headers, body=bodies)
def test_any_response_over_http(
    server: ScriptedServer,
    http_client: EngagementsClient,
    status: int,
    headers: dict[str, str],
    body: bytes,
) -> None:
    wire_headers = {k: v for k, v in headers.items() if k.lower() not in _FRAMING}
    server.script(*[Reply(status, body, wire_headers)] * 2)
    try:
        page = http_client.list_engagements()
    except (ServiceError, ResponseParseError, TransportError) as exc:
        if isinstance(exc, ServiceError):
            _check_service_error(exc, status)
        str(exc), repr(exc)
    except SSMContactsError as exc:  # pragma: no cover - a documented error of another kind
        pytest.fail(f"unexpected SSMContactsError subclass: {exc!r}")
    else:
        assert 200 <= status < 300
        _check_model(page)
    finally:
        with server._lock:
            server._queue.clear()
