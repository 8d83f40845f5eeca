"""Hooks: what each client tells them, in what order, redacted; and what happens when
one raises."""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

import pytest
from botocore.credentials import Credentials

from ssm_engagements import (
    AsyncEngagementsClient,
    ConfigurationError,
    EngagementsClient,
    NoCredentialsError,
    ThrottlingException,
)
from ssm_engagements.emulator import Emulator
from ssm_engagements.hooks import AttemptEnd, CallEnd, CallStart, Hook, RetryDecision
from tests import _clients as clients
from tests._server import Reply, Seen, scripted_server
from tests.observability.conftest import MakeClient, Recorder
from tests.reliability._raw import wire_engagement
from tests.reliability.test_security import KEY_ID, SECRET, TOKEN, assert_clean


def test_events_of_a_retried_call_in_order(emu: Emulator, make_client: MakeClient) -> None:
    recorder = Recorder()
    client = make_client(hooks=[recorder])
    emu.inject("throttle")
    page = client.list_engagements(max_results=5, incident_id="inc-1")
    assert recorder.names() == [
        "on_call_start", "on_attempt", "on_retry", "on_attempt", "on_call_end",
    ]  # fmt: skip
    start: CallStart = recorder.of("on_call_start")[0]
    first, second = recorder.of("on_attempt")
    retry: RetryDecision = recorder.of("on_retry")[0]
    end: CallEnd = recorder.of("on_call_end")[0]
    assert start.operation == "ListEngagements"
    assert dict(start.params) == {"MaxResults": 5, "IncidentId": "inc-1"}
    assert start.region_name == client.region_name
    assert start.endpoint_url == client.endpoint_url + "/"
    assert (first.attempt, first.status_code, first.error.code) == (1, 400, "ThrottlingException")
    assert first.request_id == first.response_headers["X-AMZN-REQUESTID"] == first.error.request_id
    assert (second.attempt, second.status_code, second.error) == (2, 200, None)
    assert second.request_id == page.request_id
    assert first.elapsed_seconds > 0 and second.elapsed_seconds > 0
    assert second.request_headers["X-Amz-Target"] == "SSMContacts.ListEngagements"
    assert (retry.attempt, retry.reason, retry.error) == (1, "ThrottlingException", first.error)
    assert retry.delay_seconds == client.sleeps[0]
    assert retry.quota_left == 495  # 500 less a retry's 5
    assert end.response is page and end.error is None
    assert end.attempts == 2 and end.retry_delay_seconds == pytest.approx(client.sleeps[0])
    assert end.elapsed_seconds >= first.elapsed_seconds + second.elapsed_seconds
    # One scratch dict per call, the same in all of its events.
    assert len({id(event.state) for _, event in recorder.events}) == 1
    client.list_engagements()
    assert recorder.of("on_call_start")[1].state is not start.state


def test_each_page_an_iterator_fetches_is_a_call(make_client: MakeClient) -> None:
    recorder = Recorder()
    client = make_client(hooks=[recorder])
    assert len(list(client.iter_engagements(page_size=100))) == 250
    starts = recorder.of("on_call_start")
    assert [s.params.get("MaxResults") for s in starts] == [100, 100, 100]
    assert "NextToken" not in starts[0].params and "NextToken" in starts[1].params
    assert recorder.names() == ["on_call_start", "on_attempt", "on_call_end"] * 3


def test_one_hook_object_serves_both_clients_at_once(emu: Emulator) -> None:
    class Counter(Hook):
        def __init__(self) -> None:
            self.ends: list[CallEnd] = []

        def on_call_end(self, event: CallEnd) -> None:
            self.ends.append(event)

    counter = Counter()
    sync = emu.client(hooks=[counter])

    async def both() -> None:
        async with emu.async_client(hooks=[counter]) as aclient:
            await asyncio.gather(
                aclient.list_engagements(max_results=3),
                asyncio.to_thread(sync.list_engagements, max_results=4),
            )

    asyncio.run(both())
    assert sorted(len(end.response.engagements) for end in counter.ends) == [3, 4]  # type: ignore[union-attr]


def test_no_credentials_means_no_attempt(client_kind: str, emu: Emulator) -> None:
    recorder = Recorder()
    client = clients.make(
        client_kind, region_name="us-east-1", endpoint_url=emu.url, hooks=[recorder]
    )
    with pytest.raises(NoCredentialsError) as info:
        client.list_engagements()
    assert recorder.names() == ["on_call_start", "on_call_end"]
    end = recorder.of("on_call_end")[0]
    assert end.error is info.value and end.attempts == 0
    assert emu.requests == []


class Boom(Exception):
    pass


class RaisesIn(Hook):
    def __init__(self, method: str) -> None:
        self.method = method
        setattr(self, method, self._raise)

    def _raise(self, event: object) -> None:
        raise Boom(f"hook failed in {self.method}")

    def __repr__(self) -> str:
        return f"RaisesIn({self.method!r})"


def test_a_hook_error_ends_the_call_unretried(emu: Emulator, make_client: MakeClient) -> None:
    before, after = Recorder(), Recorder()
    client = make_client(hooks=[before, RaisesIn("on_attempt"), after])
    emu.inject("throttle")  # the attempt would be retried
    with pytest.raises(Boom) as info:
        client.list_engagements()
    assert len(emu.requests) == 1 and client.sleeps == []
    assert any("RaisesIn('on_attempt')" in note for note in info.value.__notes__)
    assert "RaisesIn('on_attempt')" in "".join(traceback.format_exception(info.value))
    # Later hooks miss the event; every hook that saw the start sees the end.
    assert before.names() == ["on_call_start", "on_attempt", "on_call_end"]
    assert after.names() == ["on_call_start", "on_call_end"]
    for recorder in (before, after):
        assert recorder.of("on_call_end")[0].error is info.value
    assert emu.pending_faults == []  # the throttle was used: nothing else was sent


def test_a_hook_error_at_the_start_sends_nothing(emu: Emulator, make_client: MakeClient) -> None:
    before, after = Recorder(), Recorder()
    client = make_client(hooks=[before, RaisesIn("on_call_start"), after])
    with pytest.raises(Boom):
        client.list_engagements()
    assert emu.requests == []
    assert before.names() == ["on_call_start", "on_call_end"]
    assert after.names() == []


def test_a_hook_error_at_the_end_reaches_the_caller_after_every_hook(
    emu: Emulator, make_client: MakeClient
) -> None:
    after = Recorder()
    client = make_client(hooks=[RaisesIn("on_call_end"), after])
    with pytest.raises(Boom):
        client.list_engagements()
    assert after.of("on_call_end")[0].response is not None
    emu.inject("throttle", times=3)
    with pytest.raises(Boom) as info:
        client.list_engagements()
    assert isinstance(info.value.__cause__, ThrottlingException)  # the call's own error


def test_an_iteration_a_hook_stopped_resumes_without_loss(
    emu: Emulator, make_client: MakeClient
) -> None:
    class FailsOnce(Hook):
        failed = False

        def on_retry(self, event: RetryDecision) -> None:
            if not self.failed:
                self.failed = True
                raise Boom("once")

    client = make_client(hooks=[FailsOnce()])
    items = client.iter_engagements(page_size=100)
    got = [next(items) for _ in range(150)]
    emu.inject("throttle")  # the third page's first attempt
    with pytest.raises(Boom):
        got.extend(items)
    assert len(got) == 200
    got.extend(client.iter_engagements(page_size=100, starting_token=items.resume_token))
    assert len({e.engagement_arn for e in got}) == len(got) == 250


def test_bad_hooks_are_refused_at_construction(client_kind: str, emu: Emulator) -> None:
    def log_it(event: object) -> None: ...

    for bad, named in (
        ([log_it], "log_it"),
        (Recorder(), "sequence"),
        ("on_call_end", "sequence"),
        (42, "sequence"),
    ):
        with pytest.raises(ConfigurationError, match=named):
            clients.from_emulator(emu, client_kind, hooks=bad)


# -- redaction -----------------------------------------------------------------------


def _texts(recorder: Recorder) -> str:
    """Everything a hook could print of what it was given."""
    parts: list[str] = []
    for _, event in recorder.events:
        parts.append(repr(event))
        for value in vars(event).values() if hasattr(event, "__dict__") else ():
            parts.append(repr(value))
        for name in ("request_headers", "response_headers", "params"):
            parts.extend(f"{k}: {v}" for k, v in dict(getattr(event, name, {})).items())
        error = getattr(event, "error", None)
        if error is not None:
            parts.append(str(error) + "".join(traceback.format_exception(error)))
        response = getattr(event, "response", None)
        if response is not None:
            parts.append(repr(response.response_metadata))
    return "\n".join(parts)


def test_hooks_never_see_credentials(emu: Emulator, make_client: MakeClient) -> None:
    recorder = Recorder()
    client = make_client(hooks=[recorder])
    for fault in ("throttle", "http503", "reset", "truncate", "malformed"):
        emu.inject(fault)
    for _ in range(3):
        try:
            list(client.iter_pages(page_size=100))
        except Exception:
            continue
    wrong = make_client(hooks=[recorder], credentials=Credentials(KEY_ID, SECRET + "x", TOKEN))
    with pytest.raises(Exception, match=r"InvalidSignature|SignatureDoesNotMatch"):
        wrong.list_engagements()
    attempts: list[AttemptEnd] = recorder.of("on_attempt")
    assert {type(a.error).__name__ for a in attempts} >= {
        "NoneType", "ThrottlingException", "ServiceError", "TransportError",
        "ResponseParseError",
    }  # fmt: skip
    for attempt in attempts:
        headers = attempt.request_headers
        assert headers["Authorization"] == "<redacted>"
        assert headers["X-Amz-Security-Token"] == "<redacted>"
    text = _texts(recorder)
    assert_clean(text, "what hooks see")
    assert "Signature=" not in text


def test_echoed_secrets_are_blanked_from_response_headers(client_kind: str) -> None:
    def echo(seen: Seen) -> Reply:
        return Reply(
            200,
            {"Engagements": [wire_engagement(1)]},
            {
                "x-amzn-RequestId": "req-echo",
                "X-Echo-Token": f"token={seen.header('X-Amz-Security-Token')}",
                "X-Echo-Auth": seen.header("Authorization") or "",
            },
        )

    recorder = Recorder()
    with scripted_server() as server:
        server.script(echo)
        client = clients.make(
            client_kind, "us-east-1", endpoint_url=server.url,
            credentials=Credentials(KEY_ID, SECRET, TOKEN), hooks=[recorder],
        )  # fmt: skip
        page = client.list_engagements()
        client.close()
        signature = (server.requests[0].header("Authorization") or "").rpartition("=")[2]
    assert page.response_metadata is not None
    headers = page.response_metadata.http_headers
    assert headers["x-echo-token"] == "token=<redacted>"
    assert headers["x-amzn-requestid"] == "req-echo"
    text = _texts(recorder) + repr(headers) + repr(page)
    assert_clean(text, "echoed response headers")
    assert signature and signature not in text


@pytest.mark.asyncio
async def test_async_hooks_run_on_the_calling_task(emu: Emulator) -> None:
    seen: list[Any] = []

    class WhereAmI(Hook):
        def on_call_start(self, event: CallStart) -> None:
            seen.append(asyncio.current_task())

        def on_call_end(self, event: CallEnd) -> None:
            seen.append(asyncio.current_task())

    async with emu.async_client(hooks=[WhereAmI()]) as client:
        assert isinstance(client, AsyncEngagementsClient)
        await client.list_engagements()
    assert seen == [asyncio.current_task()] * 2


@pytest.mark.asyncio
async def test_a_cancelled_call_still_ends(emu: Emulator) -> None:
    recorder = Recorder()
    emu.inject("delay", seconds=5)
    async with emu.async_client(hooks=[recorder]) as client:
        task = asyncio.ensure_future(client.list_engagements())
        while not emu.requests:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert recorder.names() == ["on_call_start", "on_call_end"]
    assert isinstance(recorder.of("on_call_end")[0].error, asyncio.CancelledError)


def test_sync_client_type(emu: Emulator) -> None:
    assert isinstance(emu.client(hooks=()), EngagementsClient)
