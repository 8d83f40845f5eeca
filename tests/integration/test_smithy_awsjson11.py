"""Smithy's awsJson1_1 protocol compliance cases that apply to ListEngagements.

Source: smithy-lang/smithy, ``smithy-aws-protocol-tests/model/awsJson1_1/`` (files named
per case below), with the values upstream has now (the kitchen-sink timestamps without
the ``.000`` fractions upstream dropped). Each test id is the case's Smithy id. The cases
are written for the test service's shapes; here each is carried onto the ListEngagements
member of the same kind (a string -> IncidentId, a timestamp -> TimeRangeValue.StartTime
or an engagement's StartTime, a structure -> TimeRangeValue; an output structure gets the
required ``Engagements`` added), keeping the case's wire values. Server cases run against
the emulator.

Not carried over: cases for shapes this operation has no counterpart of (blobs, maps,
lists, documents, unions, booleans, floats; in null.smithy the sparse map and list cases);
the endpoint-trait host prefixes (this operation has no endpoint trait);
``handles_empty_output_shape`` and ``parses_operations_with_empty_json_bodies`` (the
output's ``Engagements`` is required, so ``{}`` is a ResponseParseError by the contract);
``json_1_1_service_responds_with_no_payload`` (written for an operation without output:
an empty 200 body; ListEngagements has an output whose ``Engagements`` is required, so
an empty body is a ResponseParseError by the contract, and the service always sends one).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests._server import Reply, ScriptedServer, page
from tests.emulator._helpers import raw_post
from tests.integration.conftest import MakeClient

UTC = timezone.utc
ARN = "arn:aws:ssm-contacts:us-east-1:111122223333:engagement/x/1"
CONTACT = "arn:aws:ssm-contacts:us-east-1:111122223333:contact/x"
URI_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.coral.validate/"

# -- errors.smithy: httpResponseTests of InvalidGreeting, ComplexError, FooError -------------
# (id, status, headers, body, expected code, expected message)
ERROR_CASES: list[tuple[str, int, dict[str, str], str, str, str | None]] = [
    ("AwsJson11InvalidGreetingError", 400, {}, '{"__type": "InvalidGreeting", "Message": "Hi"}', "InvalidGreeting", "Hi"),
    ("AwsJson11ComplexError", 400, {}, '{"__type": "ComplexError", "TopLevel": "Top level", "Nested": {"Foo": "bar"}}', "ComplexError", None),
    ("AwsJson11EmptyComplexError", 400, {}, '{"__type": "ComplexError"}', "ComplexError", None),
    ("AwsJson11FooErrorUsingXAmznErrorType", 500, {"X-Amzn-Errortype": "FooError"}, "", "FooError", None),
    ("AwsJson11FooErrorUsingXAmznErrorTypeWithUri", 500, {"X-Amzn-Errortype": "FooError" + URI_SUFFIX}, "", "FooError", None),
    ("AwsJson11FooErrorUsingXAmznErrorTypeWithUriAndNamespace", 500, {"X-Amzn-Errortype": "aws.protocoltests.json#FooError" + URI_SUFFIX}, "", "FooError", None),
    ("AwsJson11FooErrorUsingCode", 500, {}, '{"code": "FooError"}', "FooError", None),
    ("AwsJson11FooErrorUsingCodeAndNamespace", 500, {}, '{"code": "aws.protocoltests.json#FooError"}', "FooError", None),
    ("AwsJson11FooErrorUsingCodeUriAndNamespace", 500, {}, '{"code": "aws.protocoltests.json#FooError' + URI_SUFFIX + '"}', "FooError", None),
    ("AwsJson11FooErrorWithDunderType", 500, {}, '{"__type": "FooError"}', "FooError", None),
    ("AwsJson11FooErrorWithDunderTypeAndNamespace", 500, {}, '{"__type": "aws.protocoltests.json#FooError"}', "FooError", None),
    ("AwsJson11FooErrorWithDunderTypeAndDifferentNamespace", 500, {}, '{"__type": "aws.different.namespace#FooError"}', "FooError", None),
    ("AwsJson11FooErrorWithDunderTypeUriAndNamespace", 500, {}, '{"__type": "aws.protocoltests.json#FooError' + URI_SUFFIX + '"}', "FooError", None),
    ("AwsJson11FooErrorWithNestedTypeProperty", 500, {}, '{"__type": "aws.protocoltests.json#FooError", "ErrorDetails": [{"__type": "com.amazon.internal#ErrorDetails", "reason": "Some reason"}]}', "FooError", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "headers", "body", "code", "message"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_error_responses(
    server: ScriptedServer,
    make_client: MakeClient,
    status: int,
    headers: dict[str, str],
    body: str,
    code: str,
    message: str | None,
) -> None:
    all_headers = {"Content-Type": "application/x-amz-json-1.1", **headers} if body else headers
    server.script(Reply(status, body.encode(), all_headers))
    with pytest.raises(se.ServiceError) as info:
        make_client(max_attempts=1).list_engagements()
    assert type(info.value) is se.ServiceError  # not one of this operation's errors
    assert (info.value.code, info.value.status_code) == (code, status)
    if message is not None:
        assert info.value.message == message


# -- httpRequestTests: what the client sends ------------------------------------------------
# (id, source file, endpoint path, list_engagements kwargs, expected path, expected body)
REQUEST_CASES: list[tuple[str, str, str, dict[str, Any], str, dict[str, Any]]] = [
    ("sends_requests_to_slash", "empty-operation.smithy", "", {}, "/", {}),
    ("includes_x_amz_target_and_content_type", "empty-operation.smithy", "", {}, "/", {}),
    ("json_1_1_client_sends_empty_payload_for_no_input_shape", "empty-operation.smithy", "", {}, "/", {}),
    ("AwsJson11StructuresDontSerializeNullValues", "null.smithy", "", {"incident_id": None, "next_token": None, "time_range": None, "max_results": None}, "/", {}),
    ("AwsJson11HostWithPath", "endpoint-paths.smithy", "/custom", {}, "/custom/", {}),
    ("serializes_string_shapes", "kitchen-sink.smithy", "", {"incident_id": "abc xyz"}, "/", {"IncidentId": "abc xyz"}),
    ("serializes_timestamp_shapes", "kitchen-sink.smithy", "", {"time_range": se.TimeRange(start_time=datetime.fromtimestamp(946845296, UTC))}, "/", {"TimeRangeValue": {"StartTime": 946845296}}),
    ("serializes_empty_structure_shapes", "kitchen-sink.smithy", "", {"time_range": se.TimeRange()}, "/", {"TimeRangeValue": {}}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("endpoint_path", "kwargs", "path", "body"),
    [case[2:] for case in REQUEST_CASES],
    ids=[case[0] for case in REQUEST_CASES],
)
def test_requests(
    server: ScriptedServer,
    make_client: MakeClient,
    endpoint_path: str,
    kwargs: dict[str, Any],
    path: str,
    body: dict[str, Any],
) -> None:
    server.script(page())
    make_client(endpoint_url=server.url + endpoint_path).list_engagements(**kwargs)
    (seen,) = server.requests
    assert seen.method == "POST"
    assert seen.path == path
    assert seen.header("Content-Type") == "application/x-amz-json-1.1"
    assert seen.header("X-Amz-Target") == "SSMContacts.ListEngagements"
    assert seen.json == body
    # The body is exactly what the case sends, byte for byte where it spells it out.
    if body == {}:
        assert seen.body == b"{}"


# -- httpResponseTests: timestamps and the request id ---------------------------------------
# (id, source file, StartTime as sent, expected epoch seconds)
TIMESTAMP_CASES: list[tuple[str, str, object, float]] = [
    ("parses_timestamp_shapes", "kitchen-sink.smithy", 946845296, 946845296),
    ("parses_iso8601_timestamps", "kitchen-sink.smithy", "2000-01-02T20:34:56Z", 946845296),
    ("parses_httpdate_timestamps", "kitchen-sink.smithy", "Sun, 02 Jan 2000 20:34:56 GMT", 946845296),
    ("AwsJson11DateTimeWithFractionalSeconds", "fractional-seconds.smithy", "2000-01-02T20:34:56.123Z", 946845296.123),
    ("AwsJson11DateTimeWithNegativeOffset", "datetime-offsets.smithy", "2019-12-16T22:48:18-01:00", 1576540098),
    ("AwsJson11DateTimeWithPositiveOffset", "datetime-offsets.smithy", "2019-12-17T00:48:18+01:00", 1576540098),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sent", "epoch"),
    [case[2:] for case in TIMESTAMP_CASES],
    ids=[case[0] for case in TIMESTAMP_CASES],
)
def test_timestamp_responses(
    server: ScriptedServer, client: se.EngagementsClient, sent: object, epoch: float
) -> None:
    server.script(
        page({"EngagementArn": ARN, "ContactArn": CONTACT, "Sender": "cli", "StartTime": sent})
    )
    (item,) = client.list_engagements().engagements
    assert item.start_time is not None
    assert item.start_time.tzinfo is UTC
    expected = datetime.fromtimestamp(int(epoch), UTC).replace(
        microsecond=round((epoch - int(epoch)) * 1000) * 1000
    )
    assert item.start_time == expected


def test_parses_the_request_id_from_the_response(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    # kitchen-sink.smithy; the body carries the required Engagements member.
    server.script(Reply(200, {"Engagements": []}, {"X-Amzn-Requestid": "amazon-uniq-request-id"}))
    assert client.list_engagements().request_id == "amazon-uniq-request-id"


def test_handles_unexpected_json_output(  # empty-operation.smithy
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    # The case's {"foo": true}, with the required member: unknown members are ignored.
    server.script(Reply(200, {"Engagements": [], "foo": True}))
    page = client.list_engagements()
    assert page.engagements == () and page.next_token is None


def test_AwsJson11StructuresDontDeserializeNullValues(  # null.smithy; the Smithy id
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    # A null member reads as absent: the optional members of the output and of an engagement.
    item = {"EngagementArn": ARN, "ContactArn": CONTACT, "Sender": "cli", "IncidentId": None,
            "StartTime": None, "StopTime": None}  # fmt: skip
    server.script(Reply(200, {"Engagements": [item], "NextToken": None}))
    page = client.list_engagements()
    assert page.next_token is None
    (engagement,) = page.engagements
    assert engagement.incident_id is engagement.start_time is engagement.stop_time is None


# -- server cases, run against the emulator --------------------------------------------------


BARE = {"EngagementArn": ARN, "ContactArn": CONTACT, "Sender": "cli"}  # no optional member


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=[BARE]) as emulator:
        yield emulator


def test_json_1_1_service_supports_empty_payload_for_no_input_shape(emu: Emulator) -> None:
    # empty-operation.smithy: no body at all, but the Content-Type, is a request without input.
    with Emulator(
        engagements=[{"EngagementArn": ARN, "ContactArn": CONTACT, "Sender": "cli"}]
    ) as emu:
        response = raw_post(emu, b"")
    assert response.status == 200, response.body
    assert response.json == {"Engagements": [BARE]}


def test_AwsJson11ServersDontDeserializeNullStructureValues(emu: Emulator) -> None:  # null
    with Emulator(
        engagements=[{"EngagementArn": ARN, "ContactArn": CONTACT, "Sender": "cli"}]
    ) as emu:
        nulls = {"IncidentId": None, "NextToken": None, "MaxResults": None, "TimeRangeValue": None}
        response = raw_post(emu, nulls)
    assert response.status == 200, response.body
    assert len(response.json["Engagements"]) == 1


def test_AwsJson11ServersDontSerializeNullStructureValues(emu: Emulator) -> None:  # null
    with Emulator(
        engagements=[{"EngagementArn": ARN, "ContactArn": CONTACT, "Sender": "cli"}]
    ) as emu:
        response = raw_post(emu, {})
    assert response.status == 200, response.body
    assert b"null" not in response.body
    assert response.json == {
        "Engagements": [{"EngagementArn": ARN, "ContactArn": CONTACT, "Sender": "cli"}]
    }


# -- content-type.smithy: a server case, run against the emulator ----------------------------


def test_AwsJson11MustSupportParametersInContentType() -> None:  # the Smithy id
    with Emulator() as emu:
        response = raw_post(
            emu,
            {"MaxResults": 5},
            headers={"Content-Type": "application/x-amz-json-1.1; charset=utf-8"},
        )
    assert response.status == 200, response.body
    assert response.json == {"Engagements": []}
