"""The emulator driven by this SDK's own client: listing, filters, errors, faults, skew."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests import _clients as clients
from tests.emulator._helpers import engagement

UTC = timezone.utc
INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/outage/1"


@pytest.fixture
def seeded() -> Iterator[Emulator]:
    with Emulator() as emu:
        emu.add_engagements(*[engagement(i) for i in range(250)])
        yield emu


@pytest.fixture
def ours(seeded: Emulator, client_kind: str) -> Iterator[se.EngagementsClient]:
    with clients.from_emulator(seeded, client_kind, max_backoff=0.01) as client:
        yield client


def test_walks_every_page_newest_first(seeded: Emulator, ours: se.EngagementsClient) -> None:
    items = list(ours.iter_engagements(page_size=40))
    assert len(items) == 250
    assert len({e.engagement_arn for e in items}) == 250
    starts = [e.start_time for e in items]
    assert all(s is not None and s.tzinfo is UTC for s in starts)
    assert starts == sorted(starts, reverse=True)  # type: ignore[type-var]
    assert len(seeded.requests) == 7
    assert all(r.target == "SSMContacts.ListEngagements" for r in seeded.requests)


def test_default_page_size_when_max_results_absent(
    seeded: Emulator, ours: se.EngagementsClient
) -> None:
    page = ours.list_engagements()
    assert len(page.engagements) == Emulator.DEFAULT_PAGE_SIZE
    assert page.next_token and page.request_id


def test_filters_reach_the_service(seeded: Emulator, ours: se.EngagementsClient) -> None:
    seeded.add_engagements(
        {"EngagementArn": "arn:aws:ssm-contacts:us-east-1:111122223333:engagement/p/x",
         "ContactArn": "arn:aws:ssm-contacts:us-east-1:111122223333:contact/p", "Sender": "ops",
         "IncidentId": INCIDENT, "StartTime": "2030-01-01T00:00:00Z"}
    )  # fmt: skip
    only = list(ours.iter_engagements(incident_id=INCIDENT))
    assert [e.incident_id for e in only] == [INCIDENT]
    window = se.TimeRange(
        start_time=datetime(2030, 1, 1, tzinfo=UTC), end_time=datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert [e.sender for e in ours.iter_engagements(time_range=window)] == ["ops"]


def test_resume_token_round_trip(ours: se.EngagementsClient) -> None:
    everything = [e.engagement_arn for e in ours.iter_engagements(page_size=30)]
    it = ours.iter_engagements(page_size=30)
    head = [next(it).engagement_arn for _ in range(45)]
    rest = [
        e.engagement_arn
        for e in ours.iter_engagements(page_size=30, starting_token=it.resume_token)
    ]
    assert head + rest == everything


def test_tampered_token_is_a_validation_exception(ours: se.EngagementsClient) -> None:
    token = ours.list_engagements(max_results=5).next_token
    assert token
    bad = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(se.ValidationException) as info:
        ours.list_engagements(next_token=bad)
    assert info.value.status_code == 400 and info.value.request_id


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("throttle", se.ThrottlingException),
        ("internal", se.InternalServerException),
        ("http429", se.ServiceError),
        ("http502", se.ServiceError),
        ("http503", se.ServiceError),
        ("http504", se.ServiceError),
        ("reset", se.TransportError),
        ("truncate", se.TransportError),
    ],
)
def test_faults_are_retried_then_surface_typed(
    seeded: Emulator, ours: se.EngagementsClient, fault: str, error: type[se.SSMContactsError]
) -> None:
    seeded.inject(fault, times=1)
    assert len(ours.list_engagements(max_results=3).engagements) == 3
    seeded.inject(fault, times=3)
    with pytest.raises(error):
        ours.list_engagements(max_results=3)


def test_malformed_body_is_a_parse_error_not_retried(
    seeded: Emulator, ours: se.EngagementsClient
) -> None:
    seeded.inject("malformed")
    before = len(seeded.requests)
    with pytest.raises(se.ResponseParseError) as info:
        ours.list_engagements()
    assert len(seeded.requests) == before + 1
    assert info.value.request_id


def test_wrong_secret_is_an_invalid_signature(seeded: Emulator, client_kind: str) -> None:
    from botocore.credentials import Credentials

    wrong = Credentials(seeded.credentials.access_key, "wrong-secret")
    client = clients.from_emulator(seeded, client_kind, credentials=wrong)
    with pytest.raises(se.ServiceError) as info:
        client.list_engagements()
    assert (info.value.code, info.value.status_code) == ("InvalidSignatureException", 400)


def test_unknown_key_is_unrecognized(seeded: Emulator, client_kind: str) -> None:
    from botocore.credentials import Credentials

    client = clients.from_emulator(seeded, client_kind, credentials=Credentials("AKIDUNKNOWN", "x"))
    with pytest.raises(se.ServiceError) as info:
        client.list_engagements()
    assert info.value.code == "UnrecognizedClientException"


def test_clock_skew_of_15_minutes_is_corrected(
    seeded: Emulator, ours: se.EngagementsClient
) -> None:
    seeded.clock_offset = 900
    before = len(seeded.requests)
    assert ours.list_engagements(max_results=1).engagements
    assert len(seeded.requests) == before + 2
    assert ours.list_engagements(max_results=1).engagements
    assert len(seeded.requests) == before + 3


def test_pytest_fixture_gives_a_started_emulator(ssm_contacts_emulator: Emulator) -> None:
    ssm_contacts_emulator.add_engagements(engagement(1))
    with ssm_contacts_emulator.client() as client:
        assert len(client.list_engagements().engagements) == 1
