"""Errors the emulator sends, shaped as AWS sends them, seen by boto3 and raw HTTP."""

from __future__ import annotations

import base64
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from ssm_engagements.emulator import Emulator
from tests.emulator._helpers import RawPost, RawResponse, boto3_client, engagement, raw_post


def _boto3_error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response: dict[str, Any] = info.value.response
    return response


def _assert_aws_error(response: RawResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status == status
    assert response.headers["x-amzn-errortype"].split(":")[0] == code
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert len(response.headers["x-amzn-requestid"]) == 36
    assert "date" in response.headers
    body: dict[str, Any] = response.json
    assert body["__type"].rsplit("#", 1)[-1] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_wrong_secret_is_invalid_signature(emu: Emulator) -> None:
    client = boto3.client(
        "ssm-contacts",
        region_name=emu.region,
        endpoint_url=emu.url,
        aws_access_key_id=emu.credentials.access_key,
        aws_secret_access_key="not-the-emulator-secret",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )
    error = _boto3_error(client.list_engagements)
    assert error["Error"]["Code"] == "InvalidSignatureException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "does not match" in error["Error"]["Message"]


def test_unknown_access_key_is_unrecognized_client(emu: Emulator) -> None:
    client = boto3.client(
        "ssm-contacts",
        region_name=emu.region,
        endpoint_url=emu.url,
        aws_access_key_id="AKIDSTRANGER",
        aws_secret_access_key="whatever",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )
    error = _boto3_error(client.list_engagements)
    assert error["Error"]["Code"] == "UnrecognizedClientException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    body = _assert_aws_error(
        raw_post(emu, credentials=Credentials("AKIDX", "y")), 400, error["Error"]["Code"]
    )
    assert body["message"] == "The security token included in the request is invalid."


def test_missing_authentication(post: RawPost) -> None:
    body = _assert_aws_error(post({}, sign=False), 400, "MissingAuthenticationTokenException")
    assert body["message"] == "Missing Authentication Token"


def test_expired_date_is_invalid_signature_with_server_date() -> None:
    with Emulator(clock_offset=900) as emu:
        error = _boto3_error(boto3_client(emu).list_engagements)
        assert error["Error"]["Code"] == "InvalidSignatureException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["Error"]["Message"].startswith("Signature expired: ")
        assert "is now earlier than" in error["Error"]["Message"]
        server_date = parsedate_to_datetime(error["ResponseMetadata"]["HTTPHeaders"]["date"])
        assert abs(server_date.timestamp() - emu.now()) < 5
        # The offset is an attribute: set it back and the same client succeeds.
        emu.clock_offset = 0
        assert boto3_client(emu).list_engagements()["Engagements"] == []


def test_future_date_is_invalid_signature() -> None:
    with Emulator(clock_offset=-900) as emu:
        error = _boto3_error(boto3_client(emu).list_engagements)
    assert error["Error"]["Code"] == "InvalidSignatureException"
    assert error["Error"]["Message"].startswith("Signature not yet current: ")


def test_wrong_region_in_scope_is_rejected(emu: Emulator) -> None:
    body = _assert_aws_error(raw_post(emu, region="eu-west-1"), 400, "InvalidSignatureException")
    assert "region" in body["message"]


def test_wrong_service_in_scope_is_rejected(emu: Emulator) -> None:
    body = _assert_aws_error(raw_post(emu, service="ssm"), 400, "InvalidSignatureException")
    assert "ssm-contacts" in body["message"]


def test_session_token_required_when_configured() -> None:
    with Emulator(session_token="session-token-value") as emu:
        assert boto3_client(emu).list_engagements()["Engagements"] == []
        without = raw_post(emu, credentials=Credentials(emu.credentials.access_key, "x"))
        _assert_aws_error(without, 400, "UnrecognizedClientException")


def test_unknown_target(post: RawPost) -> None:
    _assert_aws_error(post({}, target="SSMContacts.ListContacts"), 400, "UnknownOperationException")
    _assert_aws_error(post({}, target=None, sign=False), 400, "UnknownOperationException")


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"MaxResults": 1', b"\xff\xfe", b"NaN"])
def test_non_json_body_is_serialization_exception(post: RawPost, body: bytes) -> None:
    _assert_aws_error(post(body), 400, "SerializationException")


@pytest.mark.parametrize(
    ("body", "name", "rule"),
    [
        ({"MaxResults": 5000}, "MaxResults", "less than or equal to 1024"),
        ({"MaxResults": -1}, "MaxResults", "greater than or equal to 0"),
        ({"MaxResults": "5"}, "MaxResults", "Integer"),
        ({"MaxResults": 2.5}, "MaxResults", "Integer"),
        ({"MaxResults": True}, "MaxResults", "Integer"),
        ({"IncidentId": "x" * 1025}, "IncidentId", "length less than or equal to 1024"),
        ({"IncidentId": "bad<id>"}, "IncidentId", "regular expression pattern"),
        ({"IncidentId": 7}, "IncidentId", "String"),
        ({"NextToken": "a" * 2049}, "NextToken", "length less than or equal to 2048"),
        ({"NextToken": "has space"}, "NextToken", "regular expression pattern"),
        ({"TimeRangeValue": "today"}, "TimeRangeValue", "TimeRange"),
        ({"TimeRangeValue": {"StartTime": "2022-01-01"}}, "TimeRangeValue.StartTime", "Timestamp"),
    ],
)
def test_invalid_parameters_are_field_validation_errors(
    post: RawPost, body: dict[str, Any], name: str, rule: str
) -> None:
    error = _assert_aws_error(post(body), 400, "ValidationException")
    assert error["Reason"] == "FIELD_VALIDATION_FAILED"
    (field,) = error["Fields"]
    assert field["Name"] == name and rule in field["Message"]
    assert error["message"].startswith("1 validation error detected: ")


def test_several_invalid_fields_are_all_reported(post: RawPost) -> None:
    error = _assert_aws_error(
        post({"MaxResults": 5000, "IncidentId": "<>"}), 400, "ValidationException"
    )
    assert {f["Name"] for f in error["Fields"]} == {"MaxResults", "IncidentId"}
    assert error["message"].startswith("2 validation errors detected: ")


def test_validation_error_via_boto3_without_client_side_validation(emu: Emulator) -> None:
    client = boto3_client(emu, parameter_validation=False)
    error = _boto3_error(client.list_engagements, MaxResults=5000)
    assert error["Error"]["Code"] == "ValidationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Reason"] == "FIELD_VALIDATION_FAILED"
    assert error["Fields"] == [
        {"Name": "MaxResults", "Message": "Member must have value less than or equal to 1024"}
    ]


def test_tampered_next_token_is_rejected(emu: Emulator, client: Any) -> None:
    emu.add_engagements(*(engagement(i) for i in range(5)))
    token = client.list_engagements(MaxResults=2)["NextToken"]
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[4] ^= 0x01  # another offset, same length: only the MAC can tell
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode()
    for bad in (tampered, "AAAA", "not-a-token", token[:-4]):
        error = _boto3_error(client.list_engagements, MaxResults=2, NextToken=bad)
        assert error["Error"]["Code"] == "ValidationException", bad
        assert error["Fields"][0]["Name"] == "NextToken"


def test_next_token_with_other_filters_is_rejected(emu: Emulator, client: Any) -> None:
    emu.add_engagements(*(engagement(i) for i in range(5)))
    token = client.list_engagements(MaxResults=2)["NextToken"]
    error = _boto3_error(client.list_engagements, NextToken=token, IncidentId="other")
    assert error["Error"]["Code"] == "ValidationException"
    assert "other filters" in error["Error"]["Message"]


def test_next_token_from_another_emulator_is_rejected(emu: Emulator, client: Any) -> None:
    emu.add_engagements(*(engagement(i) for i in range(5)))
    with Emulator(engagements=[engagement(i) for i in range(5)]) as other:
        foreign = boto3_client(other).list_engagements(MaxResults=2)["NextToken"]
    error = _boto3_error(client.list_engagements, NextToken=foreign)
    assert error["Error"]["Code"] == "ValidationException"


def test_verify_signatures_false_accepts_unsigned_requests() -> None:
    with Emulator(verify_signatures=False, engagements=[engagement(1)]) as emu:
        response = raw_post(emu, sign=False)
    assert response.status == 200 and len(response.json["Engagements"]) == 1


def test_max_results_limits_are_the_ones_the_reference_page_states(post: RawPost) -> None:
    """The emulator accepts MaxResults 0 to 1024 (0, as absent, means its page size),
    as the service's model does, and its reference page says so."""
    for value, status in ((-1, 400), (0, 200), (1024, 200), (1025, 400)):
        assert post({"MaxResults": value}).status == status, value
    page = Path(__file__).resolve().parents[2] / "docs" / "reference" / "emulator.md"
    stated = re.search(r"`MaxResults` (\d+) to (\d+)", page.read_text(encoding="utf-8"))
    assert stated is not None
    assert (int(stated[1]), int(stated[2])) == (0, 1024)
