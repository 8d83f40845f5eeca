"""Each rule of the emulator's SigV4 check, at its boundary: a request signed by botocore
passes, and the smallest change past the rule fails with the error AWS sends."""

from __future__ import annotations

import re
from email.utils import formatdate
from urllib.parse import quote, urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ssm_engagements.emulator._sigv4 import (
    MAX_EXPIRES_SECONDS,
    MAX_SKEW_SECONDS,
    AuthFailure,
    check_signature,
)
from tests.emulator._helpers import SIGNED_AT as NOW
from tests.emulator._helpers import SIGNED_HEADERS as HEADERS
from tests.emulator._helpers import SIGV4_CREDS as CREDS
from tests.emulator._helpers import SIGV4_REGION as REGION
from tests.emulator._helpers import sign_at

BODY = b'{"MaxResults": 5}'
INVALID = ("InvalidSignatureException", 400)
INCOMPLETE = ("IncompleteSignatureException", 400)
UNRECOGNIZED = ("UnrecognizedClientException", 400)


def _sign(
    signer: SigV4Auth,
    headers: list[tuple[str, str]],
    *,
    body: bytes = BODY,
    at: float = NOW,
    path: str = "/",
    drop_from_url: str | None = None,
) -> AWSRequest:
    request = AWSRequest(method="POST", url="http://127.0.0.1:8080" + path, data=body)
    for name, value in headers:
        request.headers[name] = value  # a repeated name is a second header line
    return sign_at(signer, request, at, drop_from_url=drop_from_url)


def _header_signed(
    *,
    extra: list[tuple[str, str]] | None = None,
    creds: Credentials = CREDS,
    region: str = REGION,
    service: str = "ssm-contacts",
    at: float = NOW,
) -> list[tuple[str, str]]:
    signer = SigV4Auth(creds, service, region)
    return list(_sign(signer, [*HEADERS.items(), *(extra or [])], at=at).headers.items())


def _presigned(
    *, expires: int | None = 900, at: float = NOW, creds: Credentials = CREDS
) -> tuple[str, list[tuple[str, str]]]:
    """The request target (path and query) and headers of a presigned request; with
    ``expires`` None, one without X-Amz-Expires."""
    signer = SigV4QueryAuth(
        creds, "ssm-contacts", REGION, expires=1 if expires is None else expires
    )
    # botocore always sends X-Amz-Expires; without it, drop it before the signature.
    drop = None if expires is not None else r"X-Amz-Expires=\d+&"
    request = _sign(signer, list(HEADERS.items()), body=b"", at=at, drop_from_url=drop)
    parts = urlsplit(request.url)
    return f"{parts.path}?{parts.query}", list(request.headers.items())


def _check(
    headers: list[tuple[str, str]] | dict[str, str],
    *,
    path: str = "/",
    body: bytes = BODY,
    now: float = NOW,
    creds: Credentials = CREDS,
) -> tuple[str, int] | None:
    failure = check_signature(
        "POST", path, headers, body, credentials=creds, region=REGION, now=now
    )
    return None if failure is None else (failure.code, failure.status)


def _failure(
    headers: list[tuple[str, str]], *, path: str = "/", body: bytes = BODY, now: float = NOW
) -> AuthFailure:
    failure = check_signature(
        "POST", path, headers, body, credentials=CREDS, region=REGION, now=now
    )
    assert failure is not None
    return failure


def _replace(headers: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(k, value if k.lower() == name.lower() else v) for k, v in headers]


# -- the two forms, and neither ----------------------------------------------------------


def test_signed_requests_of_both_forms_pass() -> None:
    assert _check(_header_signed()) is None
    target, headers = _presigned()
    assert _check(headers, path=target, body=b"") is None


def test_no_authentication_at_all_is_a_missing_token() -> None:
    headers = [(k, v) for k, v in _header_signed() if k != "Authorization"]
    failure = _failure(headers)
    assert (failure.code, failure.status, failure.message) == (
        "MissingAuthenticationTokenException",
        400,
        "Missing Authentication Token",
    )
    # A query that merely mentions signing is not a presigned request.
    assert _failure(headers, path="/?X-Amz-Signature=abc").code == (
        "MissingAuthenticationTokenException"
    )


# -- the Authorization header ------------------------------------------------------------


@pytest.mark.parametrize("part", ["Credential", "SignedHeaders", "Signature"])
def test_each_authorization_part_is_required(part: str) -> None:
    headers = _header_signed()
    auth = dict(headers)["Authorization"]
    kept = [p for p in auth.split(" ", 1)[1].split(", ") if not p.startswith(part + "=")]
    failure = _failure(_replace(headers, "Authorization", "AWS4-HMAC-SHA256 " + ", ".join(kept)))
    assert (failure.code, failure.status) == INCOMPLETE
    assert f"Authorization header requires '{part}' parameter." in failure.message
    # An empty value is as good as none.
    emptied = auth.replace(part + "=", part + "=,Ignored=")
    assert _check(_replace(headers, "Authorization", emptied)) == INCOMPLETE


def test_authorization_parts_may_be_spaced_or_not() -> None:
    headers = _header_signed()
    auth = dict(headers)["Authorization"]
    assert _check(_replace(headers, "Authorization", auth.replace(", ", ","))) is None
    assert _check(_replace(headers, "Authorization", auth.replace("=", " = ", 1))) is None


# An Authorization header signed by botocore, then one part of it changed: (what, into,
# the error AWS sends). Each is checked before the signature is, so each says why.
ALTERED_AUTHORIZATION = [
    ("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", "IncompleteSignatureException",
     "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."),
    ("/aws4_request", "", "IncompleteSignatureException",
     "Credential should be scoped to a valid region. Credential=AKIDTEST/20240229/us-west-2/ssm-contacts"),
    ("/aws4_request", "/aws4_requests", "InvalidSignatureException",
     "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requests'."),
    ("/20240229/", "/20240228/", "InvalidSignatureException",
     "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
     "HTTP: '20240228' != '20240229', from '20240229T120000Z'."),
    (";host;", ";", "InvalidSignatureException",
     "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
    # A part's value runs from its first "=": this scope ends "aws4_request=x".
    ("/aws4_request,", "/aws4_request=x,", "InvalidSignatureException",
     "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_request=x'."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "code", "message"),
    ALTERED_AUTHORIZATION,
    ids=["algorithm", "scope-parts", "terminator", "scope-day", "host-unsigned", "first-equals"],
)
def test_an_altered_authorization_fails_saying_why(
    old: str, new: str, code: str, message: str
) -> None:
    headers = _header_signed()
    auth = dict(headers)["Authorization"]
    assert old in auth
    failure = _failure(_replace(headers, "Authorization", auth.replace(old, new)))
    assert (failure.code, failure.status, failure.message) == (code, 400, message)


# -- the credential scope ----------------------------------------------------------------


def test_an_unknown_access_key_is_unrecognized() -> None:
    stranger = Credentials("AKIDTESX", CREDS.secret_key)
    failure = _failure(_header_signed(creds=stranger))
    assert (failure.code, failure.status) == UNRECOGNIZED
    assert failure.message == "The security token included in the request is invalid."


@pytest.mark.parametrize(
    ("token_signed", "token_expected", "outcome"),
    [
        (None, None, None),
        ("tok", "tok", None),
        ("tok", None, UNRECOGNIZED),
        (None, "tok", UNRECOGNIZED),
        ("tok", "tok2", UNRECOGNIZED),
    ],
)
def test_the_session_token_must_be_the_credentials_one(
    token_signed: str | None, token_expected: str | None, outcome: tuple[str, int] | None
) -> None:
    signing = Credentials(CREDS.access_key, CREDS.secret_key, token_signed)
    expected = Credentials(CREDS.access_key, CREDS.secret_key, token_expected)
    assert _check(_header_signed(creds=signing), creds=expected) == outcome
    target, headers = _presigned(creds=signing)
    assert _check(headers, path=target, body=b"", creds=expected) == outcome


def test_an_empty_session_token_header_counts_as_none() -> None:
    assert _check(_header_signed(extra=[("X-Amz-Security-Token", "")])) is None


@pytest.mark.parametrize(
    ("region", "service", "message"),
    [
        (
            "us-east-1",
            "ssm-contacts",
            "Credential should be scoped to a valid region, not 'us-east-1'.",
        ),
        (REGION, "ssm", "Credential should be scoped to correct service: 'ssm-contacts'."),
    ],
)
def test_the_scope_must_be_this_region_and_service(region: str, service: str, message: str) -> None:
    failure = _failure(_header_signed(region=region, service=service))
    assert (failure.code, failure.status, failure.message) == (*INVALID, message)


# -- the signing time --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "outcome"),
    [
        (-MAX_SKEW_SECONDS - 1, INVALID),
        (-MAX_SKEW_SECONDS, None),
        (0, None),
        (MAX_SKEW_SECONDS, None),
        (MAX_SKEW_SECONDS + 1, INVALID),
    ],
)
def test_a_header_signature_is_good_five_minutes_either_way(
    age: float, outcome: tuple[str, int] | None
) -> None:
    assert MAX_SKEW_SECONDS == 300
    assert _check(_header_signed(), now=NOW + age) == outcome


def test_not_yet_current_message() -> None:
    failure = _failure(_header_signed(), now=NOW - 301)
    assert failure.message == (
        "Signature not yet current: 20240229T120000Z is still later than 20240229T115959Z "
        "(20240229T115459Z + 5 min.)"
    )


def test_x_amz_date_wins_over_date_and_must_be_basic_iso8601() -> None:
    signed = _header_signed()
    # An unsigned Date an hour off does not matter: X-Amz-Date dates the signature.
    assert _check([*signed, ("Date", formatdate(NOW - 3600, usegmt=True))]) is None
    for bad in ("2024-02-29T12:00:00Z", "20240229T120000", " "):
        failure = _failure(_replace(signed, "X-Amz-Date", bad))
        assert (failure.code, failure.status) == INCOMPLETE, bad
        assert failure.message == f"Date must be in ISO-8601 'basic format'. Got '{bad}'."


def test_a_date_header_alone_dates_the_signature() -> None:
    headers = list(
        _sign(
            SigV4Auth(CREDS, "ssm-contacts", REGION),
            [*HEADERS.items(), ("Date", formatdate(NOW, usegmt=True))],
        ).headers.items()
    )
    headers = [(k, v) for k, v in headers if k != "X-Amz-Date"]
    assert _check(headers) is None
    assert _check(headers, now=NOW + 301) == INVALID
    failure = _failure(_replace(headers, "Date", "yesterday"))
    assert (failure.code, failure.message) == (
        "IncompleteSignatureException",
        "Date must be in RFC 7231 format. Got 'yesterday'.",
    )
    failure = _failure([(k, v) for k, v in headers if k != "Date"])
    assert (failure.code, failure.status) == INCOMPLETE
    assert "'X-Amz-Date' or a 'Date' header" in failure.message


# -- what the signature covers -----------------------------------------------------------


def test_a_signed_header_that_is_absent_fails() -> None:
    headers = [(k, v) for k, v in _header_signed() if k != "Content-Type"]
    assert _check(headers) == INVALID


def test_signed_header_names_are_case_insensitive() -> None:
    headers = _header_signed()
    auth = dict(headers)["Authorization"].replace(
        "SignedHeaders=content-type", "SignedHeaders=Content-Type"
    )
    assert _check(_replace(headers, "Authorization", auth)) is None
    assert _check([(k.upper(), v) for k, v in headers]) is None


def test_the_payload_hash_header_must_be_the_bodys() -> None:
    from hashlib import sha256

    good = _header_signed(extra=[("X-Amz-Content-SHA256", sha256(BODY).hexdigest())])
    assert _check(good) is None
    assert _check(good, body=b"{}") == INVALID
    bad = _header_signed(extra=[("X-Amz-Content-SHA256", sha256(b"{}").hexdigest())])
    assert _check(bad) == INVALID


def test_the_body_is_signed() -> None:
    assert _check(_header_signed(), body=BODY + b" ") == INVALID


def test_a_repeated_signed_header_is_signed_as_its_values_joined() -> None:
    twice = _header_signed(extra=[("X-Team", "a"), ("X-Team", "b")])
    assert _check(twice) is None
    once = _header_signed(extra=[("X-Team", "a")])
    # A second X-Amz-Target line the signature did not cover.
    assert _check([*once, ("X-Amz-Target", "SSMContacts.ListEngagements")]) == INVALID
    assert _check([*once, ("X-Team", "b")]) == INVALID
    assert _check([(k, v) for k, v in twice if (k, v) != ("X-Team", "b")]) == INVALID


def test_the_path_is_signed_and_an_empty_one_is_slash() -> None:
    headers = _header_signed()
    assert _check(headers, path="") is None
    assert _check(headers, path="/other") == INVALID


# -- presigned requests ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"],
)
def test_each_query_auth_parameter_is_required(name: str) -> None:
    target, headers = _presigned()
    if name == "X-Amz-Algorithm":  # without it, the request is not presigned at all
        emptied = re.sub(rf"{name}=[^&]*", f"{name}=", target)
    else:
        emptied = re.sub(rf"&?{name}=[^&]*", "", target)
    failure = _failure(headers, path=emptied, body=b"")
    assert (failure.code, failure.status) == INCOMPLETE
    assert failure.message == (
        f"AWS query-string parameters must include '{name}'. "
        "Re-examine the query-string parameters."
    )


def test_the_query_algorithm_must_be_aws4_hmac_sha256() -> None:
    target, headers = _presigned()
    failure = _failure(headers, path=target.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"), body=b"")
    assert failure.message == "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'."


def test_the_query_date_must_be_basic_iso8601() -> None:
    target, headers = _presigned()
    failure = _failure(headers, path=target.replace("T120000Z", "T1200Z"), body=b"")
    assert (failure.code, failure.message) == (
        "IncompleteSignatureException",
        "Date must be in ISO-8601 'basic format'. Got '20240229T1200Z'.",
    )


@pytest.mark.parametrize(
    ("expires", "ok"),
    [(0, False), (1, True), (MAX_EXPIRES_SECONDS, True), (MAX_EXPIRES_SECONDS + 1, False)],
)
def test_x_amz_expires_is_one_second_to_a_week(expires: int, ok: bool) -> None:
    assert MAX_EXPIRES_SECONDS == 7 * 24 * 3600
    target, headers = _presigned(expires=expires)
    if ok:
        assert _check(headers, path=target, body=b"") is None
    else:
        failure = _failure(headers, path=target, body=b"")
        assert (failure.code, failure.status) == INCOMPLETE
        assert failure.message == (
            "X-Amz-Expires must be a whole number of seconds from 1 to 604800 (a week); "
            f"got '{expires}'."
        )


@pytest.mark.parametrize("spelling", ["+60", "-60", "60.0", "\uff16\uff10", "0x3c", ""])
def test_x_amz_expires_is_plain_ascii_digits(spelling: str) -> None:
    target, headers = _presigned(expires=60)
    changed = target.replace("X-Amz-Expires=60", "X-Amz-Expires=" + quote(spelling))
    assert _check(headers, path=changed, body=b"") == INCOMPLETE


@pytest.mark.parametrize(
    ("expires", "age", "outcome"),
    [
        (60, 59, None),
        (60, 60, None),
        (60, 61, INVALID),
        (900, 899, None),
        (900, 901, INVALID),
        (None, 300, None),  # no X-Amz-Expires: 5 minutes
        (None, 301, INVALID),
        (MAX_EXPIRES_SECONDS, MAX_EXPIRES_SECONDS, None),
        (60, -300, None),
        (60, -301, INVALID),  # signed in the future: 5 minutes' grace, whatever expires
    ],
)
def test_a_presigned_request_is_good_for_exactly_x_amz_expires(
    expires: int | None, age: float, outcome: tuple[str, int] | None
) -> None:
    target, headers = _presigned(expires=expires)
    assert ("X-Amz-Expires=" in target) is (expires is not None)
    assert _check(headers, path=target, body=b"", now=NOW + age) == outcome


def test_a_presigned_expiry_message_counts_its_own_minutes() -> None:
    target, headers = _presigned(expires=60)
    failure = _failure(headers, path=target, body=b"", now=NOW + 61)
    assert failure.message == (
        "Signature expired: 20240229T120000Z is now earlier than 20240229T120001Z "
        "(20240229T120101Z - 1 min.)"
    )


def test_the_presigned_signature_covers_the_other_parameters_not_itself() -> None:
    target, headers = _presigned()
    assert _check(headers, path=target + "&extra=1", body=b"") == INVALID
    assert (
        _check(headers, path=target.replace("X-Amz-Expires=900", "X-Amz-Expires=901"), body=b"")
        == INVALID
    )
    # Parameter order and empty items do not matter: the query is canonicalised.
    query = target.split("?", 1)[1].split("&")
    assert _check(headers, path="/?" + "&&".join(reversed(query)), body=b"") is None


def test_the_presigned_session_token_is_read_from_the_query() -> None:
    with_token = Credentials(CREDS.access_key, CREDS.secret_key, "tok")
    target, headers = _presigned(creds=with_token)
    # A header token does not stand in for the query's.
    without = re.sub(r"&X-Amz-Security-Token=[^&]*", "", target)
    assert (
        _check(
            [*headers, ("X-Amz-Security-Token", "tok")], path=without, body=b"", creds=with_token
        )
        == UNRECOGNIZED
    )


def test_header_and_query_authentication_together_are_refused() -> None:
    target, headers = _presigned()
    auth = dict(_header_signed())["Authorization"]
    failure = _failure([*headers, ("Authorization", auth)], path=target, body=b"")
    assert (failure.code, failure.status) == INCOMPLETE
    assert failure.message.startswith("Only one auth mechanism allowed")


def test_incomplete_authorization_messages_are_awss() -> None:
    headers = _header_signed()
    bare = _replace(headers, "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/x")
    assert _failure(bare).message == (
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256"
    )
    undated = [(k, v) for k, v in headers if k != "X-Amz-Date"]
    assert _failure(undated).message == (
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    )


def test_failure_messages_are_awss() -> None:
    stranger = Credentials(CREDS.access_key, CREDS.secret_key, "tok")
    assert _failure(_header_signed(creds=stranger)).message == (
        "The security token included in the request is invalid."
    )
    assert _failure(_header_signed(), body=b"{}").message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )
    target, headers = _presigned()
    auth = dict(_header_signed())["Authorization"]
    assert _failure([*headers, ("Authorization", auth)], path=target, body=b"").message == (
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the "
        "Authorization header should be specified."
    )


def test_a_request_target_without_a_slash_is_its_path_with_one() -> None:
    signed_for_other = list(
        _sign(
            SigV4Auth(CREDS, "ssm-contacts", REGION), list(HEADERS.items()), path="/other"
        ).headers.items()
    )
    assert _check(signed_for_other, path="other") is None
    assert _check(signed_for_other, path="/other") is None
    assert _check(_header_signed(), path="other") == INVALID


def test_query_names_and_values_are_encoded_slashes_and_all() -> None:
    from ssm_engagements.emulator._sigv4 import canonical_query

    assert canonical_query([("a/b", "c/d"), ("~k", "v~")]) == "a%2Fb=c%2Fd&~k=v~"
