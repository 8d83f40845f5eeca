"""ResponseMetadata on every page both clients return, and errors that agree with it."""

from __future__ import annotations

import pytest

from ssm_engagements import (
    ListEngagementsResponse,
    ResponseMetadata,
    ResponseParseError,
    ThrottlingException,
    TransportError,
    ValidationException,
)
from ssm_engagements._models import Headers
from ssm_engagements.emulator import Emulator
from tests.observability.conftest import MakeClient, Recorder


def _check_first_try(page: ListEngagementsResponse) -> ResponseMetadata:
    meta = page.response_metadata
    assert meta is not None
    assert meta.request_id is not None and meta.request_id == page.request_id
    assert meta.http_status_code == 200
    assert meta.retry_attempts == 0 and meta.retry_delay_seconds == 0.0
    return meta


def test_list_engagements_page_carries_boto3s_metadata(make_client: MakeClient) -> None:
    page = make_client().list_engagements(max_results=10)
    meta = _check_first_try(page)
    headers = meta.http_headers
    # Case-insensitive, as boto3's lower-cased HTTPHeaders are read in any case.
    assert headers["X-Amzn-RequestId"] == headers["x-amzn-requestid"] == meta.request_id
    assert "CONTENT-TYPE" in headers and headers["content-type"].startswith("application/")
    assert {name.lower() for name in headers} >= {"x-amzn-requestid", "content-type"}
    with pytest.raises(TypeError):
        headers["x-amzn-requestid"] = "changed"  # type: ignore[index]


def test_retries_show_in_the_metadata(emu: Emulator, make_client: MakeClient) -> None:
    client = make_client()
    emu.inject("throttle", times=2)
    page = client.list_engagements(max_results=5)
    meta = page.response_metadata
    assert meta is not None
    assert meta.retry_attempts == 2
    assert len(client.sleeps) == 2
    assert meta.retry_delay_seconds == pytest.approx(sum(client.sleeps))
    # The next call starts from zero.
    assert _check_first_try(client.list_engagements(max_results=5))


def test_every_page_of_both_iterators_carries_metadata(
    emu: Emulator, make_client: MakeClient
) -> None:
    recorder = Recorder()
    client = make_client(hooks=[recorder])
    emu.inject("http503")
    pages = list(client.iter_pages(page_size=100))
    assert len(pages) == 3
    assert [p.response_metadata.retry_attempts for p in pages] == [1, 0, 0]  # type: ignore[union-attr]
    assert len({p.request_id for p in pages}) == 3
    # iter_engagements shows no pages; the hooks see the ones it fetched.
    items = list(client.iter_engagements(page_size=100, max_items=150))
    assert len(items) == 150
    fetched = [end.response for end in recorder.of("on_call_end")][3:]
    assert len(fetched) == 2
    for page in fetched:
        _check_first_try(page)
    # A page iter_pages cuts at max_items keeps the metadata of the response it came from.
    cut = list(client.iter_pages(page_size=100, max_items=30))
    assert len(cut) == 1 and len(cut[0].engagements) == 30
    _check_first_try(cut[0])


def test_errors_agree_with_what_the_attempts_saw(emu: Emulator, make_client: MakeClient) -> None:
    recorder = Recorder()
    client = make_client(hooks=[recorder], max_attempts=3)
    emu.inject("throttle", times=3)
    with pytest.raises(ThrottlingException) as throttled:
        client.list_engagements()
    last = recorder.of("on_attempt")[-1]
    assert throttled.value.attempts == 3 == last.attempt
    assert throttled.value.request_id == last.request_id is not None
    assert throttled.value.status_code == last.status_code == 400
    assert recorder.of("on_call_end")[-1].error is throttled.value

    with pytest.raises(ValidationException) as invalid:
        client.list_engagements(next_token="x" * 2048, incident_id="not an arn")
    last = recorder.of("on_attempt")[-1]
    assert (invalid.value.attempts, invalid.value.request_id) == (1, last.request_id)

    emu.inject("truncate")
    emu.inject("malformed")
    with pytest.raises(ResponseParseError) as malformed:
        client.list_engagements()
    last = recorder.of("on_attempt")[-1]
    assert malformed.value.attempts == 2 == last.attempt
    assert malformed.value.request_id == last.request_id is not None
    assert malformed.value.status_code == last.status_code == 200
    assert recorder.of("on_call_end")[-1].attempts == 2

    emu.inject("reset", times=3)
    with pytest.raises(TransportError) as reset:
        client.list_engagements()
    assert reset.value.attempts == 3 == recorder.of("on_call_end")[-1].attempts


def test_headers_join_repeated_values_for_either_transport() -> None:
    # urllib3/botocore join a repeated header; aiohttp's multidict keeps the values
    # apart. Headers reads both the same way.
    from multidict import CIMultiDict, CIMultiDictProxy
    from urllib3 import HTTPHeaderDict

    sync_raw = HTTPHeaderDict()
    async_raw = CIMultiDict[str]()
    for name, value in (("Vary", "Origin"), ("x-amzn-RequestId", "r-1"), ("vary", "Accept")):
        sync_raw.add(name, value)
        async_raw.add(name, value)
    for raw in (sync_raw, CIMultiDictProxy(async_raw)):
        headers = Headers(raw)
        assert headers["VARY"] == "Origin, Accept"
        assert headers["X-AMZN-REQUESTID"] == "r-1"
        assert len(headers) == 2 and list(headers) == ["vary", "x-amzn-requestid"]
        assert dict(headers.items()) == {"vary": "Origin, Accept", "x-amzn-requestid": "r-1"}
    plain = Headers({"Vary": "Origin", "x-amzn-RequestId": "r-1"})
    assert list(plain) == ["vary", "x-amzn-requestid"] and plain["VARY"] == "Origin"


def test_headers_iterate_lower_case_names_as_boto3s_do(
    emu: Emulator, make_client: MakeClient
) -> None:
    import boto3

    boto3_client = boto3.client(
        "ssm-contacts",
        region_name=emu.region,
        endpoint_url=emu.url,
        aws_access_key_id=emu.credentials.access_key,
        aws_secret_access_key=emu.credentials.secret_key,
        aws_session_token=emu.credentials.token,
    )
    theirs = boto3_client.list_engagements(MaxResults=1)["ResponseMetadata"]["HTTPHeaders"]
    meta = make_client().list_engagements(max_results=1).response_metadata
    assert meta is not None
    ours = dict(meta.http_headers)
    # The same names, all lower-case; values as boto3 shows them (bar the request's own).
    assert sorted(ours) == sorted(theirs)
    assert all(name == name.lower() for name in theirs)
    assert ours["x-amzn-requestid"] == meta.request_id
    assert theirs["x-amzn-requestid"]
    assert ours["content-type"] == theirs["content-type"]
    # Lookups still ignore case.
    assert meta.http_headers["X-Amzn-RequestId"] == meta.request_id
