"""The emulator's request rate limit, as boto3 (one attempt per call) and raw HTTP see it."""

from __future__ import annotations

import math
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_engagements.emulator import Emulator
from ssm_engagements.emulator._ratelimit import RequestRateLimit
from tests.emulator._helpers import RawPost


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_requests_above_the_burst_are_throttled_as_the_service_does(
    emu: Emulator, client: Any, post: RawPost
) -> None:
    # A token every 1,000 s: none comes back during the test, however slow the machine.
    emu.set_rate_limit(0.001, burst=3)
    for _ in range(3):
        client.list_engagements()
    with pytest.raises(ClientError) as info:
        client.list_engagements()
    error: dict[str, Any] = info.value.response
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["Error"]["Message"] == "Rate exceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["QuotaCode"] and error["ServiceCode"] == "ssm-contacts"
    response = post()
    assert response.status == 400
    assert response.headers["x-amzn-errortype"].startswith("ThrottlingException:")
    assert response.json["__type"].endswith("#ThrottlingException")
    assert "RetryAfterSeconds" not in response.json  # the service gives no hint here


def test_none_switches_the_limit_off(emu: Emulator, client: Any) -> None:
    emu.set_rate_limit(0.001)
    assert emu.rate_limit == (0.001, 1)
    client.list_engagements()
    emu.set_rate_limit(None)
    assert emu.rate_limit is None
    for _ in range(5):
        client.list_engagements()


def test_throttled_requests_use_no_injected_fault(emu: Emulator, client: Any) -> None:
    emu.set_rate_limit(0.001)
    client.list_engagements()
    emu.inject("internal")
    with pytest.raises(ClientError, match="ThrottlingException"):
        client.list_engagements()
    assert emu.pending_faults == [("internal", 1)]


def test_a_bad_signature_is_rejected_before_the_rate_limit(emu: Emulator, post: RawPost) -> None:
    emu.set_rate_limit(0.001)
    assert post(sign=False).json["__type"].endswith("MissingAuthenticationTokenException")
    assert post().status == 200  # the unsigned request took no token


def test_bucket_refills_at_the_rate_up_to_the_burst() -> None:
    clock = FakeClock()
    limit = RequestRateLimit(8, burst=2, clock=clock)
    assert [limit.admit() for _ in range(3)] == [True, True, False]
    clock.now += 0.125  # one token
    assert [limit.admit() for _ in range(2)] == [True, False]
    clock.now += 60  # idle: still only the burst
    assert [limit.admit() for _ in range(3)] == [True, True, False]
    # A refused request takes nothing: 100 refusals, then a token 1/8 s later.
    assert not any(limit.admit() for _ in range(100))
    clock.now += 0.125
    assert limit.admit()


@pytest.mark.parametrize(
    ("rate", "burst", "match"),
    [
        (0, 1, "requests_per_second must be a finite number > 0"),
        (-1, 1, "requests_per_second"),
        (math.inf, 1, "requests_per_second"),
        (True, 1, "requests_per_second"),
        ("20", 1, "requests_per_second"),
        (20, 0, "burst must be an integer >= 1; got 0"),
        (20, 1.5, "burst"),
    ],
)
def test_bad_rate_limits_are_rejected(emu: Emulator, rate: Any, burst: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        emu.set_rate_limit(rate, burst=burst)
    assert emu.rate_limit is None
