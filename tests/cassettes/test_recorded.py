"""Replays of real ListEngagements answers: the documented sample and botocore's example."""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ssm_engagements import EngagementsClient

UTC = timezone.utc
CASSETTES = Path(__file__).parent
INCIDENT = os.environ.get("SSM_ENGAGEMENTS_TEST_INCIDENT_ID")


@pytest.mark.vcr
def test_documented_sample_response(cassette_client: EngagementsClient, recording: bool) -> None:
    page = cassette_client.list_engagements()
    assert page.request_id
    if recording:
        return
    (item,) = page.engagements
    assert item.engagement_arn.endswith(
        "engagement/test_escalation_plan/27bd86cf-6d50-49d2-a9ab-da39bEXAMPLE"
    )
    assert (
        item.contact_arn
        == "arn:aws:ssm-contacts:us-east-2:111122223333:contact/test_escalation_plan"
    )
    assert item.sender == "cli"
    assert item.incident_id is None
    assert item.stop_time is None
    assert item.start_time == datetime(2022, 8, 16, 18, 48, 50, 153000, tzinfo=UTC)
    assert page.next_token is None


@pytest.mark.vcr
def test_botocore_example_output_in_two_pages(
    cassette_client: EngagementsClient, recording: bool
) -> None:
    it = cassette_client.iter_pages(page_size=2, incident_id=INCIDENT if recording else None)
    pages = list(it)
    assert it.resume_token is None
    if recording:
        return
    assert [len(p.engagements) for p in pages] == [2, 2]
    assert [p.request_id for p in pages] == [
        "8b6e3d5c-6a53-4c28-9b52-4bd0f2b3e002",
        "8b6e3d5c-6a53-4c28-9b52-4bd0f2b3e003",
    ]
    items = [e for p in pages for e in p.engagements]
    assert [e.start_time for e in items] == [
        datetime(2021, 5, 18, 20, 37, 50, 300000, tzinfo=UTC),
        datetime(2021, 5, 18, 18, 40, 26, 666000, tzinfo=UTC),
        datetime(2021, 5, 18, 18, 25, 41, 151000, tzinfo=UTC),
        datetime(2021, 5, 18, 18, 20, 58, 93000, tzinfo=UTC),
    ]
    assert {e.contact_arn.rsplit("/", 1)[1] for e in items} == {"akuam", "example_escalation"}


SECRETS = re.compile(
    r"AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|Signature=[0-9a-f]{64}|Authorization|X-Amz-Security-Token"
    r"|aws_secret_access_key|X-Amz-Date",
    re.IGNORECASE,
)


@pytest.mark.parametrize("cassette", sorted(CASSETTES.glob("*.yaml")), ids=lambda p: p.name)
def test_cassettes_hold_no_credentials_or_signatures(cassette: Path) -> None:
    assert SECRETS.search(cassette.read_text()) is None


def test_there_are_cassettes_to_check() -> None:
    assert len(list(CASSETTES.glob("*.yaml"))) >= 2
