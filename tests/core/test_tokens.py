"""Resume tokens: every spelling a starting_token may take, and every way one can be
damaged, decided without a request. botocore's own TokenEncoder writes the boto3 / AWS
CLI tokens, so the format is the tool's, not a copy of it."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.paginate import TokenDecoder, TokenEncoder

from ssm_engagements._tokens import Position, decode_token, encode_token
from ssm_engagements.errors import ParamValidationError

LONGEST = "a/b+c=-_" * 256  # 2,048 characters, every character class the API allows


def sdk(raw: str, *, pad: bool = False) -> str:
    """An ``sse1.`` token around a JSON text of the test's own."""
    body = base64.urlsafe_b64encode(raw.encode()).decode()
    return "sse1." + (body if pad else body.rstrip("="))


def boto(payload: object) -> str:
    return TokenEncoder().encode(payload)


@pytest.mark.parametrize("token", [None, "", "abc", LONGEST])
def test_offset_zero_is_the_bare_service_token(token: str | None) -> None:
    assert encode_token(token, 50, 0) == token


def test_the_mid_page_format_is_versioned_unpadded_base64url_json() -> None:
    assert encode_token("t", 2, 1) == "sse1." + "WyJ0IiwyLDFd"  # ["t",2,1]
    assert encode_token(None, None, 3) == "sse1.W251bGwsbnVsbCwzXQ"  # [null,null,3]


@pytest.mark.parametrize(
    ("token", "max_results", "offset"),
    [
        (None, None, 1),  # inside the first page, fetched without MaxResults
        (None, 25, 24),
        ("abc", 2, 1),
        ("a+b/c=", 0, 1),  # MaxResults 0 is in the API's range
        ("a", 1024, 1023),
        (LONGEST, 1024, 10**6),
        ("ab" * 3, 3, 2),  # payload lengths giving each base64 padding
        ("abcd", 3, 2),
        ("abcde", 3, 2),
    ],
)
def test_mid_page_tokens_round_trip(
    token: str | None, max_results: int | None, offset: int
) -> None:
    encoded = encode_token(token, max_results, offset)
    assert encoded is not None and encoded.startswith("sse1.")
    assert "=" not in encoded and "." not in encoded[5:]
    assert decode_token(encoded) == Position(token, max_results, offset)
    assert decode_token(encoded).page_size_from_call is False
    assert decode_token(encoded + "=" * 2) == Position(token, max_results, offset)


@pytest.mark.parametrize(
    ("value", "position"),
    [
        (None, Position(None, None)),
        ("", Position(None, None)),
        ("abc", Position("abc", None)),
        (LONGEST, Position(LONGEST, None)),
        ("sse1", Position("sse1", None)),  # the prefix needs its dot
        ("sse2abc", Position("sse2abc", None)),
        ("WyJhIl0=", Position("WyJhIl0=", None)),  # base64 of a JSON list: not botocore's
    ],
)
def test_service_tokens_start_the_page_they_name(value: object, position: Position) -> None:
    assert decode_token(value) == position
    assert decode_token(value).offset == 0


@pytest.mark.parametrize(
    ("payload", "position"),
    [
        ({"NextToken": "abc"}, Position("abc", None, 0, page_size_from_call=False)),
        ({"NextToken": "abc", "boto_truncate_amount": 0}, Position("abc", None, 0)),
        ({"NextToken": "abc", "boto_truncate_amount": None}, Position("abc", None, 0)),
        (
            {"NextToken": "abc", "boto_truncate_amount": 2},
            Position("abc", None, 2, page_size_from_call=True),
        ),
        # Inside the first page: no NextToken yet, boto3 writes null.
        (
            {"NextToken": None, "boto_truncate_amount": 3},
            Position(None, None, 3, page_size_from_call=True),
        ),
        ({"NextToken": ""}, Position(None, None)),
        ({"NextToken": LONGEST}, Position(LONGEST, None)),
    ],
)
def test_boto3_and_aws_cli_tokens(payload: dict[str, object], position: Position) -> None:
    token = boto(payload)
    assert token.startswith("eyJ")
    assert TokenDecoder().decode(token) == payload  # what botocore itself reads back
    assert decode_token(token) == position
    assert decode_token(token.rstrip("=")) == position  # a copy that lost its padding


def rejects(value: object, match: str) -> ParamValidationError:
    with pytest.raises(ParamValidationError, match=match) as info:
        decode_token(value)
    assert info.value.param == "starting_token"
    return info.value


SDK_DAMAGED = [
    ("sse1.!!!", "not a valid ssm-engagements resume token"),
    ("sse1.W", "not a valid ssm-engagements resume token"),  # bad base64 length
    (sdk("{}"), "not a valid ssm-engagements resume token"),  # not three members
    (sdk("[1, 2]"), "not a valid ssm-engagements resume token"),
    (sdk('["t", 2, 1, 4]'), "not a valid ssm-engagements resume token"),
    (sdk("5"), "not a valid ssm-engagements resume token"),
    (sdk("not json"), "not a valid ssm-engagements resume token"),
    ("sse1." + base64.urlsafe_b64encode(b"\xff\xfe[").decode(), "resume token"),  # not UTF-8
    (sdk("[" * 100_000 + "]" * 100_000), "resume token"),  # nested too deep to decode
    (sdk('["t", 2, 0]'), "must be >= 1"),  # offset 0 is never written
    (sdk('["t", 2, -1]'), "must be >= 1"),
    (sdk('["t", 2, 1.5]'), "must be an integer"),
    (sdk('["t", 2, true]'), "must be an integer"),
    (sdk('["t", 2, "1"]'), "must be an integer"),
    (sdk('["t", 1025, 1]'), "must be from 0 to 1024"),
    (sdk('["t", -1, 1]'), "must be from 0 to 1024"),
    (sdk('["t", false, 1]'), "must be an integer"),
    (sdk('["bad token!", 2, 1]'), "must match"),
    (sdk(json.dumps(["x" * 2049, 2, 1])), "at most 2048"),
    (sdk("[5, 2, 1]"), "must be a string"),
    (sdk('"abc"'), "must be an integer"),  # a 3-character string unpacks; "b" is no int
]


@pytest.mark.parametrize(("value", "match"), SDK_DAMAGED)
def test_damaged_mid_page_tokens_are_refused(value: str, match: str) -> None:
    rejects(value, match)


def test_the_error_quotes_the_token_it_could_not_read() -> None:
    error = rejects("sse1.!!!", "resume token")
    assert error.value == "sse1.!!!"


BOTO_DAMAGED = [
    ("eyJ!!", "not base64 of JSON"),
    ("eyJhYmM", "not base64 of JSON"),  # base64 of '{"abc': not JSON
    ("eyJ" + "A" * 5, "not base64 of JSON"),
    (boto({"Marker": "x"}), "no NextToken member"),
    (boto({"NextToken": "a", "Marker": "x"}), r"unknown keys \['Marker'\]"),
    (boto({"NextToken": "a", "boto_truncate_amount": 1, "b": 1, "a": 2}), r"\['a', 'b'\]"),
    (boto({"NextToken": 5}), "NextToken must be a string or null"),
    (boto({"NextToken": ["a"]}), "NextToken must be a string or null"),
    (boto({"NextToken": "bad token!"}), "must match"),
    (boto({"NextToken": "x" * 2049}), "at most 2048"),
    (boto({"NextToken": "a", "boto_truncate_amount": -1}), "must be >= 0"),
    (boto({"NextToken": "a", "boto_truncate_amount": "2"}), "must be an integer >= 0"),
    (boto({"NextToken": "a", "boto_truncate_amount": True}), "must be an integer >= 0"),
    (boto({"NextToken": "a", "boto_truncate_amount": 1.5}), "must be an integer >= 0"),
]


@pytest.mark.parametrize(("value", "match"), BOTO_DAMAGED)
def test_damaged_boto3_tokens_are_refused(value: str, match: str) -> None:
    rejects(value, match)


SDK_RULE = "is not a valid ssm-engagements resume token"
BOTO_RULE = "is not a valid boto3 / AWS CLI paginator token"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("sse1.!!!", SDK_RULE),
        (sdk("[1, 2]"), SDK_RULE),
        ("eyJhYmM", BOTO_RULE + " (not base64 of JSON)"),
        # A urlsafe character in a botocore token (standard base64): a damaged copy.
        ("eyJOZXh0VG9r-ZW4iOiAiYWJjIn0=", BOTO_RULE + " (not base64 of JSON)"),
        (boto({"Marker": "x"}), BOTO_RULE + " (no NextToken member)"),
        (
            boto({"NextToken": "a", "Marker": "x"}),
            "is not a valid paginator token for ListEngagements (unknown keys ['Marker'])",
        ),
        (
            boto({"NextToken": 5}),
            "is not a valid paginator token (NextToken must be a string or null)",
        ),
    ],
)
def test_an_unreadable_token_is_quoted_whole_with_the_rule(value: str, rule: str) -> None:
    with pytest.raises(ParamValidationError) as info:
        decode_token(value)
    assert (info.value.param, info.value.rule, info.value.value) == ("starting_token", rule, value)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (5, "must be a string"),
        (b"abc", "must be a string"),
        (["abc"], "must be a string"),
        ("a b", "must match"),
        ("tok.en", "must match"),  # a dot only ever follows this SDK's prefix
        ("x" * 2049, "at most 2048"),
    ],
)
def test_other_bad_starting_tokens(value: object, match: str) -> None:
    rejects(value, match)
