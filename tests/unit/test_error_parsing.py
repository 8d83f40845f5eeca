"""awsJson1.1 error parsing: the Smithy AwsJson11FooError* compliance cases and more."""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest

from ssm_engagements import (
    AccessDeniedException,
    InternalServerException,
    ServiceError,
    SSMContactsError,
    ThrottlingException,
    ValidationException,
    ValidationExceptionField,
)
from ssm_engagements._protocol import parse_error

NS = "aws.protocoltests.restjson"
URI = "http://internal.amazon.com/coral/com.amazon.coral.validate/"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        # AwsJson11FooErrorUsingXAmznErrorType
        ({"X-Amzn-ErrorType": "FooError"}, {}),
        # ...WithUri
        ({"X-Amzn-ErrorType": f"FooError:{URI}"}, {}),
        # ...WithUriAndNamespace
        ({"X-Amzn-ErrorType": f"{NS}#FooError:{URI}"}, {}),
        # AwsJson11FooErrorUsingCode
        ({}, {"code": "FooError"}),
        # ...UsingCodeAndNamespace
        ({}, {"code": f"{NS}#FooError"}),
        # ...UsingCodeUriAndNamespace
        ({}, {"code": f"{NS}#FooError:{URI}"}),
        # AwsJson11FooErrorWithDunderType
        ({}, {"__type": "FooError"}),
        # ...WithDunderTypeAndNamespace
        ({}, {"__type": f"{NS}#FooError"}),
        # ...WithDunderTypeUriAndNamespace
        ({}, {"__type": f"{NS}#FooError:{URI}"}),
        # header wins over body, code wins over __type
        ({"x-amzn-errortype": "FooError"}, {"code": "Other", "__type": "Other"}),
        ({}, {"code": "FooError", "__type": "Other"}),
    ],
)
def test_error_code_compliance_cases(headers: dict[str, str], body: dict[str, Any]) -> None:
    from botocore.awsrequest import HeadersDict

    err = parse_error(500, HeadersDict(headers), json.dumps(body).encode())
    assert err.code == "FooError"
    assert type(err) is ServiceError


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("AccessDeniedException", AccessDeniedException),
        ("InternalServerException", InternalServerException),
        ("ThrottlingException", ThrottlingException),
        ("ValidationException", ValidationException),
        ("SomethingNew", ServiceError),
    ],
)
def test_codes_map_to_classes(code: str, cls: type[ServiceError]) -> None:
    err = parse_error(
        400, {"x-amzn-RequestId": "r-1"}, json.dumps({"__type": code, "message": "m"}).encode()
    )
    assert type(err) is cls
    assert isinstance(err, SSMContactsError)
    assert (err.code, err.message, err.status_code, err.request_id) == (code, "m", 400, "r-1")
    assert str(err) == f"{code}: m (HTTP 400, request id r-1)"


def test_no_code_falls_back_to_the_status() -> None:
    err = parse_error(503, {}, b"")
    assert err.code == "503" and err.message == "" and err.request_id is None


def test_capitalised_message_and_non_json_excerpt() -> None:
    assert parse_error(400, {}, b'{"__type":"X","Message":"big M"}').message == "big M"
    err = parse_error(502, {}, b"<html><body>Bad Gateway</body></html>")
    assert err.code == "502" and "Bad Gateway" in err.message
    long = parse_error(502, {}, b"x" * 5000)
    assert len(long.message) < 300


def test_throttling_members_and_body_hint() -> None:
    body = {
        "__type": "ThrottlingException",
        "message": "slow down",
        "QuotaCode": "L-123",
        "ServiceCode": "ssm-contacts",
        "RetryAfterSeconds": 3,
    }
    err = parse_error(400, {}, json.dumps(body).encode())
    assert isinstance(err, ThrottlingException)
    assert (err.quota_code, err.service_code, err.retry_after_seconds) == (
        "L-123",
        "ssm-contacts",
        3,
    )


def test_absent_members_are_none() -> None:
    err = parse_error(400, {}, b'{"__type":"ThrottlingException","message":"m"}')
    assert isinstance(err, ThrottlingException)
    assert (err.quota_code, err.service_code, err.retry_after_seconds) == (None, None, None)
    ve = parse_error(400, {}, b'{"__type":"ValidationException","message":"m"}')
    assert isinstance(ve, ValidationException)
    assert ve.reason is None and ve.fields == ()


def test_validation_fields() -> None:
    body = {
        "__type": "ValidationException",
        "message": "bad",
        "Reason": "FIELD_VALIDATION_FAILED",
        "Fields": [{"Name": "MaxResults", "Message": "too big"}, {"junk": 1}],
    }
    err = parse_error(400, {}, json.dumps(body).encode())
    assert isinstance(err, ValidationException)
    assert err.reason == "FIELD_VALIDATION_FAILED"
    assert err.fields == (ValidationExceptionField(name="MaxResults", message="too big"),)


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"x-amz-retry-after": "1500"}, {}, 1.5),
        ({"Retry-After": "7"}, {}, 7.0),
        ({"x-amz-retry-after": "1500", "Retry-After": "7"}, {}, 1.5),
        ({"x-amz-retry-after": "1500"}, {"RetryAfterSeconds": 2}, 2.0),
        ({"Retry-After": "garbage"}, {}, None),
        ({}, {"RetryAfterSeconds": "2"}, None),
    ],
)
def test_retry_hint_precedence(
    headers: dict[str, str], body: dict[str, Any], expected: float | None
) -> None:
    payload = json.dumps({"__type": "InternalServerException", "message": "m", **body}).encode()
    assert parse_error(500, headers, payload).retry_after_seconds == expected


def test_retry_after_http_date() -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    err = parse_error(503, {"Retry-After": format_datetime(when, usegmt=True)}, b"")
    assert err.retry_after_seconds is not None and 25 <= err.retry_after_seconds <= 31


def test_errors_pickle_with_their_attributes() -> None:
    body = {
        "__type": "ValidationException",
        "message": "m",
        "Reason": "R",
        "Fields": [{"Name": "N", "Message": "M"}],
    }
    err = parse_error(400, {"x-amzn-RequestId": "r"}, json.dumps(body).encode())
    err.resume_token = "tok"
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is ValidationException
    assert (copy.code, copy.request_id, copy.reason, copy.fields, copy.resume_token) == (
        "ValidationException",
        "r",
        "R",
        err.fields,
        "tok",
    )
    assert str(copy) == str(err)
