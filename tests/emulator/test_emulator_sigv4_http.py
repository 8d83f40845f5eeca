"""The emulator's SigV4 checks over real HTTP, judged by a clock the test controls:
repeated headers, and the exact end of a presigned URL's validity."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest

from ssm_engagements.emulator import Emulator
from tests.emulator._helpers import (
    SIGNED_AT,
    TARGET,
    RawResponse,
    engagement,
    raw_request,
    sign_at,
)

JSON = "application/x-amz-json-1.1"


class FakeClock:
    """The emulator's time source: epoch seconds the test sets."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SIGNED_AT)


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[Emulator]:
    with Emulator(clock=clock, engagements=[engagement(i) for i in range(2)]) as emulator:
        yield emulator


def _signed(
    emu: Emulator, signer: SigV4Auth, headers: list[tuple[str, str]], body: bytes
) -> AWSRequest:
    """A request to the emulator signed by botocore at SIGNED_AT; repeated headers are
    signed as SigV4 says (their values joined by commas)."""
    request = AWSRequest(method="POST", url=emu.url + "/", data=body)
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders adds: a repeat is a second line
    return sign_at(signer, request, SIGNED_AT)


def _send(
    emu: Emulator, request: AWSRequest, extra: tuple[tuple[str, str], ...] = ()
) -> RawResponse:
    parts = urlsplit(request.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    body = request.body if isinstance(request.body, bytes) else b""
    return raw_request(emu, target, [*request.headers.items(), *extra], body)


def _code(response: RawResponse) -> str:
    return str(response.json.get("__type", "")).rpartition("#")[2]


BASE = [("Content-Type", JSON), ("X-Amz-Target", TARGET)]


def _header_signer(emu: Emulator) -> SigV4Auth:
    return SigV4Auth(emu.credentials, "ssm-contacts", emu.region)


def test_a_signed_request_is_answered(emu: Emulator) -> None:
    response = _send(emu, _signed(emu, _header_signer(emu), BASE, b"{}"))
    assert response.status == 200, response.body
    assert len(response.json["Engagements"]) == 2


@pytest.mark.parametrize(
    "header", [("X-Amz-Target", TARGET), ("X-Team", "a"), ("Content-Type", JSON)]
)
def test_a_signed_header_repeated_with_an_unsigned_value_is_rejected(
    emu: Emulator, header: tuple[str, str]
) -> None:
    """SigV4 signs a repeated header as its values joined by commas: a second line the
    signature did not cover changes what was signed."""
    name, value = header
    headers = BASE if name in dict(BASE) else [*BASE, header]
    request = _signed(emu, _header_signer(emu), headers, b"{}")
    response = _send(emu, request, extra=((name, value),))
    assert response.status == 400
    assert _code(response) in ("InvalidSignatureException", "UnknownOperationException")
    if name != "X-Amz-Target":  # the doubled target is not the operation's any more
        assert _code(response) == "InvalidSignatureException", response.body


def test_a_repeated_header_whose_values_are_all_signed_is_accepted(emu: Emulator) -> None:
    headers = [*BASE, ("X-Team", "a"), ("X-Team", "b")]
    request = _signed(emu, _header_signer(emu), headers, b"{}")
    assert "x-team" in request.headers["Authorization"]
    assert _send(emu, request).status == 200
    # The same two values in the other order are another canonical request.
    swapped = [
        (k, {"a": "b", "b": "a"}.get(v, v) if k == "X-Team" else v)
        for k, v in request.headers.items()
    ]
    response = raw_request(emu, "/", swapped, b"{}")
    assert (response.status, _code(response)) == (400, "InvalidSignatureException")


@pytest.mark.parametrize(
    ("age", "status"), [(-300, 200), (-301, 400), (0, 200), (300, 200), (301, 400)]
)
def test_a_header_signature_is_valid_five_minutes_either_way(
    emu: Emulator, clock: FakeClock, age: float, status: int
) -> None:
    request = _signed(emu, _header_signer(emu), BASE, b"{}")
    clock.now = SIGNED_AT + age
    response = _send(emu, request)
    assert response.status == status, response.body
    if status == 400:
        assert _code(response) == "InvalidSignatureException"


@pytest.mark.parametrize(("age", "status"), [(0, 200), (59, 200), (60, 200), (61, 400), (299, 400)])
def test_a_presigned_url_expires_exactly_at_x_amz_expires(
    emu: Emulator, clock: FakeClock, age: float, status: int
) -> None:
    """A 60-second URL is good for 60 seconds, not for the 5 minutes a header signature gets."""
    signer = SigV4QueryAuth(emu.credentials, "ssm-contacts", emu.region, expires=60)
    request = _signed(emu, signer, BASE, b"")
    assert "X-Amz-Expires=60" in request.url
    clock.now = SIGNED_AT + age
    response = _send(emu, request)
    assert response.status == status, response.body
    if status == 400:
        assert _code(response) == "InvalidSignatureException"
        assert response.json["message"] == (
            f"Signature expired: 20240229T120000Z is now earlier than "
            f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(clock.now - 60))} "
            f"({time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(clock.now))} - 1 min.)"
        )


def test_the_clock_dates_the_answers(emu: Emulator, clock: FakeClock) -> None:
    clock.now = SIGNED_AT + 42
    assert emu.now() == SIGNED_AT + 42
    response = _send(emu, _signed(emu, _header_signer(emu), BASE, b"{}"))
    assert response.headers["date"] == "Thu, 29 Feb 2024 12:00:42 GMT"
    emu.clock_offset = 3600
    assert emu.now() == SIGNED_AT + 3642
