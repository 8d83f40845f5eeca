"""The emulator's SigV4 check beyond the plain Authorization header: query-string
canonicalisation (AWS SigV4 test-suite vectors), unsigned payloads, presigned requests."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ssm_engagements.emulator import Emulator
from ssm_engagements.emulator._sigv4 import (
    AuthFailure,
    _expected_signature,
    _query_pairs,
    canonical_query,
    check_signature,
)
from tests.emulator._helpers import SIGNED_AT as NOW
from tests.emulator._helpers import SIGNED_HEADERS as HEADERS
from tests.emulator._helpers import SIGV4_CREDS as CREDS
from tests.emulator._helpers import SIGV4_REGION as REGION
from tests.emulator._helpers import engagement, sign_at


def _stamp(epoch: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


def _sign(
    signer: SigV4Auth, url: str, body: bytes, headers: dict[str, str], at: float
) -> AWSRequest:
    return sign_at(signer, AWSRequest(method="POST", url=url, data=body, headers=headers), at)


def _code(failure: AuthFailure | None) -> tuple[str, int] | None:
    return None if failure is None else (failure.code, failure.status)


def _check(
    path: str,
    headers: dict[str, str],
    body: bytes = b"{}",
    *,
    now: float = NOW,
    creds: Credentials = CREDS,
) -> AuthFailure | None:
    return check_signature("POST", path, headers, body, credentials=creds, region=REGION, now=now)


# -- the query string, canonicalised as the SigV4 spec says ----------------------------------

# Cases of the AWS SigV4 test suite (aws-sig-v4-test-suite, as published in the AWS
# General Reference and vendored by the AWS SDKs): GET requests to example.amazonaws.com
# with only host and x-amz-date signed, at 20150830T123600Z, credentials AKIDEXAMPLE /
# wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, scope us-east-1/service. The query is given
# as a client sends it; the signature is the suite's.
UNRESERVED = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SUITE = [
    ("get-vanilla", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    (
        "get-vanilla-query-order-key-case",
        "Param2=value2&Param1=value1",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ),
    (
        "get-vanilla-query-order-value",
        "Param1=value2&Param1=value1",
        "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694",
    ),
    (
        "get-vanilla-query-unreserved",
        f"{UNRESERVED}={UNRESERVED}",
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    ),
    (
        "get-vanilla-utf8-query",
        "%E1%88%B4=bar",
        "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    ),
]


@pytest.mark.parametrize(("query", "signature"), [c[1:] for c in SUITE], ids=[c[0] for c in SUITE])
def test_sigv4_test_suite_signatures(query: str, signature: str) -> None:
    pairs = [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")]
    expected = _expected_signature(
        "GET",
        "/?" + canonical_query(_query_pairs(query)),
        pairs,
        ["host", "x-amz-date"],
        b"",
        Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        ["AKIDEXAMPLE", "20150830", "us-east-1", "service", "aws4_request"],
        "20150830T123600Z",
    )
    assert expected == signature


@pytest.mark.parametrize(
    ("sent", "canonical"),
    [
        ("p=a,b", "p=a%2Cb"),
        ("p=%7E", "p=~"),
        ("b=2&a=1", "a=1&b=2"),
        ("p=%e1%88%b4&q", "p=%E1%88%B4&q="),
    ],
)
def test_a_query_is_canonicalised_before_it_is_hashed(sent: str, canonical: str) -> None:
    """A spec-following signer signs the canonical query, whatever spelling it sends."""
    assert canonical_query(_query_pairs(sent)) == canonical
    # botocore hashes the query it is given as it is: give it the canonical one.
    request = _sign(
        SigV4Auth(CREDS, "ssm-contacts", REGION),
        f"http://127.0.0.1:8080/?{canonical}",
        b"{}",
        dict(HEADERS),
        NOW,
    )
    headers = dict(request.headers.items())
    assert _check(f"/?{sent}", headers) is None
    assert _code(_check(f"/?{sent}x", headers)) == ("InvalidSignatureException", 400)


# -- the payload is always signed ------------------------------------------------------------


def test_unsigned_payload_is_rejected() -> None:
    request = _sign(
        SigV4Auth(CREDS, "ssm-contacts", REGION),
        "http://127.0.0.1:8080/",
        b"{}",
        {**HEADERS, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
        NOW,
    )
    headers = dict(request.headers.items())
    assert "x-amz-content-sha256" in headers["Authorization"]
    for body in (b"{}", b'{"MaxResults": 1}'):
        failure = _check("/", headers, body)
        assert _code(failure) == ("InvalidSignatureException", 400)
        assert "does not match" in str(failure)


# -- presigned (query-string) requests, as botocore's SigV4QueryAuth makes them ---------------


def _presigned(
    *, expires: int = 900, at: float = NOW, creds: Credentials = CREDS
) -> tuple[str, dict[str, str]]:
    """The request target (path and query) and headers of a presigned ListEngagements."""
    signer = SigV4QueryAuth(creds, "ssm-contacts", REGION, expires=expires)
    request = _sign(signer, "http://127.0.0.1:8080/", b"", dict(HEADERS), at)
    parts = urlsplit(request.url)
    return f"{parts.path}?{parts.query}", dict(request.headers.items())


def test_presigned_request_is_verified() -> None:
    target, headers = _presigned()
    assert "X-Amz-Signature=" in target and "Authorization" not in headers
    assert _check(target, headers, b"") is None
    # Within X-Amz-Expires, though older than the 5 minutes a header signature gets.
    assert _check(target, headers, b"", now=NOW + 899) is None
    tampered = target.replace("X-Amz-Expires=900", "X-Amz-Expires=901")
    assert _code(_check(tampered, headers, b"")) == ("InvalidSignatureException", 400)
    assert _code(_check(target, headers, b'{"MaxResults": 1}')) == (
        "InvalidSignatureException",
        400,
    )
    other = Credentials(CREDS.access_key, "another")
    assert _code(_check(target, headers, b"", creds=other)) == ("InvalidSignatureException", 400)


def test_presigned_request_expires_after_x_amz_expires() -> None:
    target, headers = _presigned(expires=900)
    failure = _check(target, headers, b"", now=NOW + 901)
    assert _code(failure) == ("InvalidSignatureException", 400)
    assert str(failure) == (
        "Signature expired: 20240229T120000Z is now earlier than 20240229T120001Z "
        "(20240229T121501Z - 15 min.)"
    )
    failure = _check(target, headers, b"", now=NOW - 301)
    assert _code(failure) == ("InvalidSignatureException", 400)
    assert str(failure).startswith("Signature not yet current: 20240229T120000Z is still later")


def test_presigned_session_token_travels_in_the_query() -> None:
    with_token = Credentials(CREDS.access_key, CREDS.secret_key, "session/token+1")
    target, headers = _presigned(creds=with_token)
    assert "X-Amz-Security-Token=session%2Ftoken%2B1" in target
    assert _check(target, headers, b"", creds=with_token) is None
    assert _code(_check(target, headers, b"")) == ("UnrecognizedClientException", 400)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.split("&X-Amz-Signature=")[0], "must include 'X-Amz-Signature'"),
        (lambda t: t.replace("X-Amz-Expires=900", "X-Amz-Expires=604801"), "X-Amz-Expires"),
        (lambda t: t.replace("X-Amz-Expires=900", "X-Amz-Expires=soon"), "X-Amz-Expires"),
        (lambda t: t.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"), "Unsupported"),
    ],
    ids=["no-signature", "expires-over-a-week", "expires-not-a-number", "algorithm"],
)
def test_malformed_presigned_request_is_incomplete(change: object, message: str) -> None:
    target, headers = _presigned()
    assert callable(change)
    failure = _check(change(target), headers, b"")
    assert _code(failure) == ("IncompleteSignatureException", 400)
    assert message in str(failure)


def test_header_and_query_authentication_at_once_is_rejected() -> None:
    target, headers = _presigned()
    signed = _sign(
        SigV4Auth(CREDS, "ssm-contacts", REGION), "http://127.0.0.1:8080/", b"", dict(HEADERS), NOW
    )
    both = {**headers, "Authorization": signed.headers["Authorization"]}
    assert _code(_check(target, both, b"")) == ("IncompleteSignatureException", 400)


def test_presigned_request_over_http_lists_engagements() -> None:
    with Emulator(engagements=[engagement(i) for i in range(3)]) as emu:
        request = AWSRequest(
            method="POST",
            url=emu.url + "/",
            data=b"",
            headers={k: v for k, v in HEADERS.items() if k != "Host"},
        )
        SigV4QueryAuth(emu.credentials, "ssm-contacts", emu.region, expires=60).add_auth(request)
        parts = urlsplit(request.url)
        conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
        try:
            conn.request(
                "POST",
                f"{parts.path}?{parts.query}",
                body=b"",
                headers=dict(request.headers.items()),
            )
            response = conn.getresponse()
            status, body = response.status, response.read()
        finally:
            conn.close()
    assert status == 200, body
    assert len(json.loads(body)["Engagements"]) == 3
