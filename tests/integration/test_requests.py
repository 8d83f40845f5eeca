"""What the client sends and how it reads answers, over real HTTP on loopback."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from botocore.credentials import Credentials

import ssm_engagements as se
from ssm_engagements.emulator._sigv4 import check_signature
from tests._server import Reply, ScriptedServer, engagement, error, page
from tests.integration.conftest import ACCESS_KEY, SECRET_KEY, MakeClient

UTC = timezone.utc


def assert_signed(server: ScriptedServer, index: int = 0, token: str | None = None) -> None:
    seen = server.requests[index]
    failure = check_signature(
        seen.method, seen.path, seen.headers, seen.body,
        credentials=Credentials(ACCESS_KEY, SECRET_KEY, token), region="us-east-1", now=time.time(),
    )  # fmt: skip
    assert failure is None, failure


def test_request_is_signed_awsjson11(server: ScriptedServer, client: se.EngagementsClient) -> None:
    server.script(page(engagement(1)))
    client.list_engagements()
    seen = server.requests[0]
    assert (seen.method, seen.path) == ("POST", "/")
    assert seen.header("X-Amz-Target") == "SSMContacts.ListEngagements"
    assert seen.header("Content-Type") == "application/x-amz-json-1.1"
    assert (seen.header("User-Agent") or "").startswith(f"ssm-engagements/{se.__version__}")
    assert seen.header("X-Amz-Security-Token") is None
    auth = seen.header("Authorization") or ""
    assert auth.startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
    assert "/us-east-1/ssm-contacts/aws4_request" in auth
    assert seen.json == {}
    assert_signed(server)


def test_session_token_is_sent_and_signed(server: ScriptedServer, make_client: MakeClient) -> None:
    client = make_client(credentials=Credentials(ACCESS_KEY, SECRET_KEY, "TOKEN-xyz"))
    server.script(page())
    client.list_engagements()
    assert server.requests[0].header("X-Amz-Security-Token") == "TOKEN-xyz"
    assert_signed(server, token="TOKEN-xyz")


def test_body_holds_only_given_parameters(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(page(), page())
    window = se.TimeRange(start_time=datetime(2026, 1, 1, 0, 0, 0, 250999, tzinfo=UTC))
    client.list_engagements(
        incident_id="arn:inc", max_results=10, next_token="abc", time_range=window
    )
    client.list_engagements(next_token="")
    assert server.requests[0].json == {
        "IncidentId": "arn:inc",
        "MaxResults": 10,
        "NextToken": "abc",
        "TimeRangeValue": {"StartTime": 1767225600.25},
    }
    assert server.requests[1].json == {}


@pytest.mark.parametrize(
    ("path", "sent"),
    [("/proxy/ssm", "/proxy/ssm/"), ("/proxy/ssm/", "/proxy/ssm/"), ("", "/"), ("/", "/")],
)
def test_endpoint_path_is_kept_with_a_slash_appended(
    server: ScriptedServer, make_client: MakeClient, path: str, sent: str
) -> None:
    # awsJson1.1 posts to the endpoint's path with "/" appended (Smithy's
    # AwsJson11HostWithPath case); the signature covers that path.
    client = make_client(endpoint_url=server.url + path)
    server.script(page())
    client.list_engagements()
    assert server.requests[0].path == sent
    assert_signed(server)


def test_response_becomes_models_with_request_id(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(
        Reply(
            200,
            {"Engagements": [engagement(1, StopTime="2023-11-14T22:15:00Z")], "NextToken": "n1"},
            {"X-AMZN-REQUESTID": "rid-42"},
        )
    )
    result = client.list_engagements()
    assert result.request_id == "rid-42"
    assert result.next_token == "n1"
    (item,) = result.engagements
    assert item.start_time == datetime(2023, 11, 14, 22, 13, 21, tzinfo=UTC)
    assert item.stop_time == datetime(2023, 11, 14, 22, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max_results": 1025}, "max_results"),
        ({"max_results": -1}, "max_results"),
        ({"max_results": True}, "max_results"),
        ({"max_results": "10"}, "max_results"),
        ({"incident_id": "x" * 1025}, "incident_id"),
        ({"incident_id": "bad<char>"}, "incident_id"),
        ({"incident_id": 5}, "incident_id"),
        ({"next_token": "has space"}, "next_token"),
        ({"next_token": "a" * 2049}, "next_token"),
        ({"time_range": (1, 2)}, "time_range"),
    ],
)
def test_bad_arguments_raise_before_any_request(
    server: ScriptedServer, client: se.EngagementsClient, kwargs: dict[str, object], param: str
) -> None:
    with pytest.raises(se.ParamValidationError) as info:
        client.list_engagements(**kwargs)  # type: ignore[arg-type]
    assert info.value.param == param
    assert param in str(info.value)
    assert server.requests == []


def test_long_values_are_shortened_in_messages(client: se.EngagementsClient) -> None:
    with pytest.raises(se.ParamValidationError) as info:
        client.list_engagements(incident_id="y" * 1025)
    assert len(str(info.value)) < 400


def test_no_credentials_raises_before_sending(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(credentials=None)
    with pytest.raises(se.NoCredentialsError):
        client.list_engagements()
    assert server.requests == []


def test_credentials_from_the_environment_are_used_lazily(
    server: ScriptedServer, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(credentials=None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    server.script(page())
    client.list_engagements()
    assert_signed(server)


def test_service_errors_are_typed_and_not_retried(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(error(400, "AccessDeniedException", "nope"))
    with pytest.raises(se.AccessDeniedException) as info:
        client.list_engagements()
    err = info.value
    assert (err.code, err.message, err.status_code, err.request_id) == (
        "AccessDeniedException",
        "nope",
        400,
        "req-AccessDeniedException",
    )
    assert len(server.requests) == 1


def test_parse_errors_are_not_retried(server: ScriptedServer, client: se.EngagementsClient) -> None:
    server.script(Reply(200, b"<html>oops</html>", {"x-amzn-RequestId": "r9"}))
    with pytest.raises(se.ResponseParseError) as info:
        client.list_engagements()
    assert info.value.request_id == "r9"
    assert "oops" in info.value.body_excerpt
    assert len(server.requests) == 1


def test_client_properties_repr_and_context_manager(server: ScriptedServer) -> None:
    with se.EngagementsClient(
        "eu-west-1", endpoint_url=server.url, credentials=Credentials(ACCESS_KEY, SECRET_KEY)
    ) as client:
        assert client.region_name == "eu-west-1"
        assert client.endpoint_url == server.url
        assert SECRET_KEY not in repr(client)
    server.script(page())
    client.list_engagements()  # usable after close: it reconnects
    assert json.loads(server.requests[0].body) == {}


@pytest.mark.parametrize("value", ["inc\xa01", "inc\u20031", "inc\u30001"])
def test_unicode_whitespace_is_not_whitespace_to_the_service(
    server: ScriptedServer, client: se.EngagementsClient, value: str
) -> None:
    with pytest.raises(se.ParamValidationError) as info:
        client.list_engagements(incident_id=value)
    assert info.value.param == "incident_id"
    assert server.requests == []


def test_ascii_whitespace_is_allowed_in_incident_ids(
    server: ScriptedServer, client: se.EngagementsClient
) -> None:
    server.script(page())
    client.list_engagements(incident_id="a b\tc")
    assert server.requests[0].json == {"IncidentId": "a b\tc"}
