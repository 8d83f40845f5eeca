"""Injected faults, as boto3 (one attempt per call) and raw HTTP see them."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, HTTPClientError

from ssm_engagements.emulator import FAULTS, Emulator
from tests.emulator._helpers import RawPost, engagement


def _error(client: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        client.list_engagements()
    response: dict[str, Any] = info.value.response
    return response


def test_throttle_is_a_modeled_throttling_exception(emu: Emulator, client: Any) -> None:
    emu.inject("throttle")
    error = _error(client)
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["RetryAfterSeconds"] == 0
    assert error["QuotaCode"] and error["ServiceCode"] == "ssm-contacts"


def test_throttle_seconds_sets_retry_after_seconds(emu: Emulator, post: RawPost) -> None:
    emu.inject("throttle", seconds=2.5)
    response = post()
    assert response.status == 400 and response.json["RetryAfterSeconds"] == 3
    assert response.headers["x-amzn-errortype"].startswith("ThrottlingException:")


def test_internal_is_http_500(emu: Emulator, client: Any, post: RawPost) -> None:
    emu.inject("internal")
    error = _error(client)
    assert error["Error"]["Code"] == "InternalServerException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    emu.inject("internal", seconds=1)
    assert post().json["RetryAfterSeconds"] == 1


def test_http429_is_a_bare_too_many_requests(emu: Emulator, client: Any, post: RawPost) -> None:
    emu.inject("http429")
    error = _error(client)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"]["Code"] == "429"
    emu.inject("http429", seconds=1)
    response = post()
    assert response.json == {"message": "Too Many Requests"}
    assert response.headers["retry-after"] == "1"
    assert "x-amzn-requestid" not in response.headers and "x-amzn-errortype" not in response.headers


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_html_pages(
    emu: Emulator, client: Any, post: RawPost, status: int
) -> None:
    emu.inject(f"http{status}", times=2)
    error = _error(client)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error["Error"]["Code"] == str(status)
    response = post()
    assert response.status == status and response.headers["content-type"] == "text/html"
    assert response.body.startswith(b"<html>") and str(status).encode() in response.body
    assert "date" in response.headers and "x-amzn-requestid" not in response.headers


def test_reset_closes_the_connection_without_a_response(emu: Emulator, client: Any) -> None:
    emu.inject("reset")
    with pytest.raises(ConnectionClosedError):
        client.list_engagements()
    assert client.list_engagements()["Engagements"] == []


def test_truncate_sends_half_the_declared_body(emu: Emulator, post: RawPost) -> None:
    emu.add_engagements(*(engagement(i) for i in range(3)))
    full = post().body
    emu.inject("truncate")
    with pytest.raises(http.client.IncompleteRead) as info:
        post()
    assert len(info.value.partial) == len(full) // 2
    assert info.value.expected == len(full) - len(full) // 2


def test_truncate_is_not_noticed_by_boto3(emu: Emulator, client: Any) -> None:
    # botocore reads with enforce_content_length=False, so a short body is parsed as
    # it is: the JSON parse fails quietly and the result has no "Engagements".
    emu.add_engagements(engagement(1))
    emu.inject("truncate")
    try:
        response = client.list_engagements()
    except HTTPClientError:
        return  # a botocore that checks Content-Length is fine too
    assert "Engagements" not in response


def test_malformed_is_200_with_a_body_that_is_not_json(
    emu: Emulator, client: Any, post: RawPost
) -> None:
    emu.inject("malformed")
    response = post()
    assert response.status == 200
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    with pytest.raises(json.JSONDecodeError):
        response.json  # noqa: B018
    # boto3 does not raise either: it falls back to {"message": body} and drops it.
    emu.inject("malformed")
    assert "Engagements" not in client.list_engagements()


def test_delay_waits_then_answers_normally(emu: Emulator, client: Any) -> None:
    emu.add_engagements(engagement(1))
    emu.inject("delay", seconds=0.3)
    started = time.monotonic()
    response = client.list_engagements()
    assert time.monotonic() - started >= 0.3
    assert len(response["Engagements"]) == 1


def test_times_applies_to_that_many_requests_then_normal(emu: Emulator, client: Any) -> None:
    emu.inject("throttle", times=2)
    emu.inject("internal")
    assert emu.pending_faults == [("throttle", 2), ("internal", 1)]
    codes = []
    for _ in range(4):
        try:
            client.list_engagements()
            codes.append("ok")
        except ClientError as exc:
            codes.append(exc.response["Error"]["Code"])
    assert codes == ["ThrottlingException", "ThrottlingException", "InternalServerException", "ok"]
    assert emu.pending_faults == []


def test_faults_apply_only_after_authentication(emu: Emulator, post: RawPost) -> None:
    emu.inject("throttle")
    assert post(sign=False).status == 400  # MissingAuthenticationToken, fault kept
    assert post(target="SSMContacts.Other").status == 400
    assert emu.pending_faults == [("throttle", 1)]
    assert post().json["__type"].endswith("#ThrottlingException")


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("nope",), {}, "unknown fault 'nope'"),
        (("throttle",), {"times": 0}, "times"),
        (("throttle",), {"times": True}, "times"),
        (("delay",), {"seconds": -1}, "seconds"),
        (("delay",), {"seconds": float("nan")}, "seconds"),
        (("reset",), {"seconds": 1}, "takes no seconds"),
    ],
)
def test_inject_rejects_bad_arguments(emu: Emulator, args: Any, kwargs: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        emu.inject(*args, **kwargs)
    assert emu.pending_faults == []


def test_fault_names() -> None:
    assert set(FAULTS) == {
        "throttle",
        "http429",
        "internal",
        "http502",
        "http503",
        "http504",
        "reset",
        "truncate",
        "delay",
        "malformed",
    }
