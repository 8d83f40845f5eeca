"""Regression tests for the defects the fault matrix, the fuzzers and the load tests found.

Each test names the defect; docs/reliability.md lists them. (Two more live next to
their kind: tests/cassettes/test_kit.py for the retried cassette miss, and
tests/reliability/test_security.py for a session token echoed back by a server.)
"""

from __future__ import annotations

import base64
import math
import socket
from datetime import datetime, timedelta, timezone

import pytest
from botocore.credentials import Credentials
from urllib3 import HTTPHeaderDict

from ssm_engagements import (
    EngagementsClient,
    ParamValidationError,
    ResponseParseError,
    ThrottlingException,
    TimeRange,
)
from ssm_engagements._protocol import parse_error, parse_success
from ssm_engagements._timestamps import from_epoch, parse_timestamp
from ssm_engagements.emulator import Emulator
from ssm_engagements.emulator._server import EmulatorHTTPServer
from tests._server import Reply, scripted_server

UTC = timezone.utc
DEEP = b"[" * 100_000 + b"]" * 100_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _client(url: str) -> EngagementsClient:
    return EngagementsClient("us-east-1", endpoint_url=url, credentials=Credentials("a", "b"))


# RecursionError escaped parse_success / parse_error for deeply nested JSON.
@pytest.mark.parametrize("body", [DEEP, b'{"Engagements": ' + DEEP + b"}"])
def test_deeply_nested_json_is_a_response_parse_error(body: bytes) -> None:
    with pytest.raises(ResponseParseError, match="not JSON"):
        parse_success(200, HTTPHeaderDict(), body)
    error = parse_error(500, HTTPHeaderDict(), body)
    assert error.code == "500" and "[[[" in error.message


# "²".isdigit() is True, so a Retry-After of "²" reached float() and raised ValueError.
@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "\u2460"])
def test_retry_after_with_non_ascii_digits_is_ignored(value: str) -> None:
    error = parse_error(503, HTTPHeaderDict({"Retry-After": value}), b"")
    assert error.retry_after_seconds is None


# float(10**400) raised OverflowError for a huge RetryAfterSeconds.
def test_huge_retry_after_seconds_means_do_not_retry() -> None:
    body = b'{"__type": "ThrottlingException", "message": "slow", "RetryAfterSeconds": 1'
    body += b"0" * 400 + b"}"
    error = parse_error(400, HTTPHeaderDict(), body)
    assert isinstance(error, ThrottlingException) and error.retry_after_seconds == math.inf
    with scripted_server() as server:
        server.script(Reply(400, body))
        with pytest.raises(ThrottlingException) as info:
            _client(server.url).list_engagements()
    assert info.value.attempts == 1  # the hint is above max_backoff: not retried


# TimeRange raised OverflowError for an aware datetime that leaves datetime's range in UTC.
@pytest.mark.parametrize(
    "when",
    [
        datetime.min.replace(tzinfo=timezone(timedelta(hours=5))),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_time_range_out_of_range_in_utc_is_param_validation_error(when: datetime) -> None:
    for kwargs in ({"start_time": when}, {"end_time": when}):
        with pytest.raises(ParamValidationError, match="range"):
            TimeRange(**kwargs)


# A forged resume token with deeply nested JSON raised RecursionError.
def test_deeply_nested_resume_token_is_param_validation_error() -> None:
    token = "sse1." + base64.urlsafe_b64encode(b"[" * 5000).decode()
    with pytest.raises(ParamValidationError) as info:
        _client("http://127.0.0.1:9").iter_engagements(starting_token=token)
    assert info.value.param == "starting_token"


# Epoch floats beyond 2**32 s lost their milliseconds: round(float * 1e6) is off by a few us.
@pytest.mark.parametrize(
    "millis", [-34365427199996, 68994633600001, 253402300799999, 4294967296123, 1660675730153]
)
def test_far_timestamps_keep_their_milliseconds(millis: int) -> None:
    epoch = millis / 1000  # as the wire carries it, and as json.loads reads it back
    expected = EPOCH + timedelta(milliseconds=millis)
    assert from_epoch(epoch) == expected
    assert parse_timestamp(epoch) == expected
    body = b'{"Engagements": [{"EngagementArn": "a", "ContactArn": "c", "Sender": "s", '
    body += b'"StartTime": %r}]}' % epoch
    page = parse_success(200, HTTPHeaderDict(), body)
    assert page.engagements[0].start_time == expected


# The emulator wrote headers and body in two segments with Nagle on: each keep-alive
# request waited ~40 ms for a delayed ACK (20,000 requests took 15 minutes).
# Timing 50 requests showed the stall only on a fast, idle machine; the emulator's end of
# a live keep-alive connection is checked instead.
def test_emulator_answers_keep_alive_requests_without_a_delayed_ack_stall() -> None:
    with Emulator() as emu, emu.client() as client:
        client.list_engagements()
        client.list_engagements()  # the same connection, kept alive
        server = emu._server
        assert server is not None
        with server._lock:
            (connection,) = server._connections
        assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


# socketserver's backlog of 5 made the kernel reset connections when 32 clients connected
# at once; tests/reliability/test_load.py drives that case end to end.
def test_emulator_listen_backlog_fits_many_clients() -> None:
    assert EmulatorHTTPServer.request_queue_size >= 64
