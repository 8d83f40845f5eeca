"""The cassette kit as users meet it: a cassette miss fails fast, with a clear message."""

from __future__ import annotations

import logging

import pytest

from ssm_engagements import EngagementsClient, TransportError
from ssm_engagements._retry import is_retryable
from ssm_engagements.testing import CassetteMissError
from tests import _clients as clients


@pytest.mark.default_cassette("test_documented_sample_response.yaml")
@pytest.mark.vcr
def test_a_cassette_miss_fails_fast_with_one_attempt(
    cassette_client: EngagementsClient, recording: bool, caplog: pytest.LogCaptureFixture
) -> None:
    if recording:
        pytest.skip("a miss only exists when replaying")
    sleeps: list[float] = []
    clients.set_sleep(cassette_client, sleeps.append)
    assert cassette_client.list_engagements().engagements  # the recorded request: a hit
    caplog.set_level(logging.DEBUG, logger="ssm_engagements")
    with pytest.raises(CassetteMissError, match="cassette miss; not retried") as info:
        cassette_client.list_engagements(max_results=7)  # never recorded: a miss
    error = info.value
    assert isinstance(error, TransportError)
    assert error.attempts == 1
    assert sleeps == []
    assert not is_retryable(error)
    assert "--record-mode" in str(error)
    attempts = [r for r in caplog.records if "attempt" in r.getMessage()]
    assert len(attempts) == 1, [r.getMessage() for r in caplog.records]
    # vcrpy's own explanation stays reachable through the cause chain.
    chain: list[str] = []
    cause: BaseException | None = error
    while cause is not None:
        chain.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    assert "CannotOverwriteExistingCassetteException" in chain


def test_other_transport_errors_are_still_retried() -> None:
    assert is_retryable(TransportError("connection reset"))
    assert not is_retryable(CassetteMissError("miss"))


@pytest.mark.default_cassette("test_documented_sample_response.yaml")
@pytest.mark.vcr
def test_a_request_differing_only_in_its_json_body_misses(
    cassette_client: EngagementsClient, recording: bool
) -> None:
    """The body matcher at work: asked first, while the recorded interaction is still
    unplayed, a request that differs from it only in its body finds no answer."""
    if recording:
        pytest.skip("a miss only exists when replaying")
    with pytest.raises(CassetteMissError):
        cassette_client.list_engagements(max_results=7)
    # Same method, URL and target, body {}: the recorded answer, still there to play.
    assert cassette_client.list_engagements().engagements
