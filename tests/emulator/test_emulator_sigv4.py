"""check_signature on its own: requests signed by botocore, then altered."""

from __future__ import annotations

from email.utils import formatdate

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from ssm_engagements.emulator._sigv4 import AuthFailure, check_signature
from tests.emulator._helpers import SIGNED_AT as NOW
from tests.emulator._helpers import SIGV4_CREDS as CREDS
from tests.emulator._helpers import SIGV4_REGION as REGION
from tests.emulator._helpers import sign_at

BODY = b'{"MaxResults": 5}'


class _SignsEveryHeader(SigV4Auth):  # type: ignore[misc]
    """A signer like some non-botocore clients: it signs User-Agent too."""

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        out = HTTPHeaders()
        for name, value in request.headers.items():
            out[name.lower()] = value
        return out


def _signed(
    *,
    signer_class: type[SigV4Auth] = SigV4Auth,
    creds: Credentials = CREDS,
    body: bytes = BODY,
    extra: dict[str, str] | None = None,
    at: float = NOW,
    path: str = "/",
) -> dict[str, str]:
    headers = {
        "X-Amz-Target": "SSMContacts.ListEngagements",
        "Content-Type": "application/x-amz-json-1.1",
        "Host": "127.0.0.1:8080",
        **(extra or {}),
    }
    request = AWSRequest(
        method="POST", url="http://127.0.0.1:8080" + path, data=body, headers=headers
    )
    signer = signer_class(creds, "ssm-contacts", REGION)
    return dict(sign_at(signer, request, at).headers.items())


def _check(
    headers: dict[str, str] | list[tuple[str, str]],
    *,
    body: bytes = BODY,
    creds: Credentials = CREDS,
    now: float = NOW,
    path: str = "/",
) -> AuthFailure | None:
    return check_signature("POST", path, headers, body, credentials=creds, region=REGION, now=now)


def test_valid_signature_passes_with_a_mapping_or_pairs() -> None:
    headers = _signed()
    assert _check(headers) is None
    assert _check([(k.upper(), v) for k, v in headers.items()]) is None


def test_signed_user_agent_and_query_are_honoured() -> None:
    headers = _signed(
        extra={"User-Agent": "custom/1.0"}, path="/base?b=2&a=1", signer_class=_SignsEveryHeader
    )
    assert "user-agent" in headers["Authorization"]
    assert _check(headers, path="/base?b=2&a=1") is None
    assert _check(headers, path="/base?b=3&a=1") is not None
    assert _check({**headers, "User-Agent": "custom/2.0"}, path="/base?b=2&a=1") is not None


def test_altered_body_header_or_secret_fails() -> None:
    headers = _signed()
    assert _code(_check(headers, body=b"{}")) == ("InvalidSignatureException", 400)
    assert _code(_check({**headers, "X-Amz-Target": "SSMContacts.Other"})) == (
        "InvalidSignatureException",
        400,
    )
    other = Credentials(CREDS.access_key, "another")
    assert _code(_check(headers, creds=other)) == ("InvalidSignatureException", 400)


def _code(failure: AuthFailure | None) -> tuple[str, int] | None:
    return None if failure is None else (failure.code, failure.status)


def test_missing_and_malformed_authorization() -> None:
    headers = _signed()
    del headers["Authorization"]
    failure = _check(headers)
    assert _code(failure) == ("MissingAuthenticationTokenException", 400)
    assert str(failure) == "Missing Authentication Token"
    for bad in ("Bearer abc", "AWS4-HMAC-SHA256 Credential=AKIDTEST/x", "AWS4-HMAC-SHA256 "):
        assert _code(_check({**headers, "Authorization": bad})) == (
            "IncompleteSignatureException",
            400,
        ), bad


def test_unknown_key_and_session_tokens() -> None:
    stranger = Credentials("AKIDOTHER", CREDS.secret_key)
    assert _code(_check(_signed(creds=stranger))) == ("UnrecognizedClientException", 400)
    with_token = Credentials(CREDS.access_key, CREDS.secret_key, "tok")
    assert _check(_signed(creds=with_token), creds=with_token) is None
    assert _code(_check(_signed(), creds=with_token)) == ("UnrecognizedClientException", 400)
    assert _code(_check(_signed(creds=with_token))) == ("UnrecognizedClientException", 400)


@pytest.mark.parametrize(
    ("offset", "ok", "start"),
    [
        (0, True, ""),
        (299, True, ""),
        (-299, True, ""),
        (301, False, "Signature expired: 20240229T115459Z is now earlier than 20240229T115500Z"),
        (-301, False, "Signature not yet current: 20240229T120501Z is still later than"),
    ],
)
def test_five_minute_window(offset: int, ok: bool, start: str) -> None:
    failure = _check(_signed(at=NOW - offset))
    if ok:
        assert failure is None
    else:
        assert failure is not None and failure.status == 400
        assert failure.message.startswith(start)


def test_expired_message_format() -> None:
    failure = _check(_signed(at=NOW - 900))
    assert str(failure) == (
        "Signature expired: 20240229T114500Z is now earlier than 20240229T115500Z "
        "(20240229T120000Z - 5 min.)"
    )


def test_date_header_may_replace_x_amz_date() -> None:
    headers = _signed(extra={"Date": formatdate(NOW, usegmt=True)})
    assert "X-Amz-Date" not in headers
    assert _check(headers) is None
    assert _code(_check({k: v for k, v in headers.items() if k != "Date"})) == (
        "IncompleteSignatureException",
        400,
    )


def test_host_must_be_signed_and_signed_headers_present() -> None:
    headers = _signed()
    auth = headers["Authorization"].replace("content-type;host;", "content-type;")
    assert _code(_check({**headers, "Authorization": auth})) == ("InvalidSignatureException", 400)
    without_target = {k: v for k, v in headers.items() if k != "X-Amz-Target"}
    assert _code(_check(without_target)) == ("InvalidSignatureException", 400)


def test_payload_hash_header_must_match_the_body() -> None:
    headers = _signed(extra={"X-Amz-Content-SHA256": "0" * 64})
    assert _code(_check(headers)) == ("InvalidSignatureException", 400)
