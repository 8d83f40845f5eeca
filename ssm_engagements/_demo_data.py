"""The engagements ``ssm-engagements list --demo`` serves: real samples plus one generated incident.

The samples are copied here as literal data (the API page's sample response and
botocore's ``examples-1.json`` ListEngagements output), so nothing reads botocore's
data files at run time. Everything is in the service's wire shape (PascalCase keys).
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone

__all__ = [
    "BOTOCORE_EXAMPLE",
    "DEMO_INCIDENT_ID",
    "DEMO_NOW",
    "DEMO_REGION",
    "DEMO_TOKEN_KEY",
    "DOCUMENTED_SAMPLE",
    "demo_engagements",
    "incident_engagements",
]

DEMO_REGION = "us-east-2"
"""The region of every sample ARN; the demo emulator (``--demo``, ``emulator --demo-data``)
serves it, and the README's example uses it."""

DEMO_TOKEN_KEY = "ssm-engagements-demo"
"""The demo emulator's NextToken key: fixed, so a token one demo prints, the next accepts."""

_ACCOUNT = "111122223333"
_CONTACTS = f"arn:aws:ssm-contacts:{DEMO_REGION}:{_ACCOUNT}"

DOCUMENTED_SAMPLE: tuple[dict[str, str], ...] = (
    {
        "EngagementArn": f"{_CONTACTS}:engagement/test_escalation_plan/"
        "27bd86cf-6d50-49d2-a9ab-da39bEXAMPLE",
        "ContactArn": f"{_CONTACTS}:contact/test_escalation_plan",
        "Sender": "cli",
        "StartTime": "2022-08-16T18:48:50.153000+00:00",
    },
)
"""The sample response of the ListEngagements API reference page."""

BOTOCORE_EXAMPLE: tuple[dict[str, str], ...] = (
    {
        "ContactArn": f"{_CONTACTS}:contact/akuam",
        "EngagementArn": f"{_CONTACTS}:engagement/akuam/91792571-0b53-4821-9f73-d25d13d9e529",
        "Sender": "cli",
        "StartTime": "2021-05-18T20:37:50.300000+00:00",
    },
    {
        "ContactArn": f"{_CONTACTS}:contact/akuam",
        "EngagementArn": f"{_CONTACTS}:engagement/akuam/78a29753-3674-4ac5-9f83-0468563567f0",
        "Sender": "cli",
        "StartTime": "2021-05-18T18:40:26.666000+00:00",
    },
    {
        "ContactArn": f"{_CONTACTS}:contact/example_escalation",
        "EngagementArn": f"{_CONTACTS}:engagement/example_escalation/"
        "69e40ce1-8dbb-4d57-8962-5fbe7fc53356",
        "Sender": "cli",
        "StartTime": "2021-05-18T18:25:41.151000+00:00",
    },
    {
        "ContactArn": f"{_CONTACTS}:contact/akuam",
        "EngagementArn": f"{_CONTACTS}:engagement/akuam/607ced0e-e8fa-4ea7-8958-a237b8803f8f",
        "Sender": "cli",
        "StartTime": "2021-05-18T18:20:58.093000+00:00",
    },
)
"""The ListEngagements example output in botocore's ssm-contacts ``examples-1.json``."""

DEMO_INCIDENT_ID = (
    f"arn:aws:ssm-incidents::{_ACCOUNT}:incident-record/demo-outage/"
    "4c1d2e6a-9b7f-4e0a-8d3c-5f6a7b8c9d0e"
)
"""The generated incident's IncidentId (use it with ``--incident-id``)."""

_INCIDENT_START = datetime(2024, 3, 14, 9, 26, 53, 417000, tzinfo=timezone.utc)

DEMO_NOW = datetime(2024, 3, 14, 16, 0, tzinfo=timezone.utc)
""""Now" for ``--demo``: after the incident's last page, with a tenth of its engagements
still open. Fixed, so ``list --demo`` and ``timeline --demo`` print the same on every run,
their relative times (``--start=-2h``) counted from it. ``emulator --demo-data`` serves
the incident as of the moment it starts instead (see ``demo_engagements``)."""
_PLANS = ("payments-oncall", "platform-escalation", "database-oncall", "sre-primary", "sre-backup")
_PEOPLE = ("akuam", "jdoe", "mmiller", "rpatel", "lchen", "sgarcia", "okim")
_SENDERS = ("ssm-incidents", "ssm-incidents", "ssm-incidents", "cli", "console")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def incident_engagements(
    count: int = 250, *, seed: int = 20240314, now: datetime = DEMO_NOW
) -> list[dict[str, str]]:
    """``count`` engagements of the demo incident, the same for the same seed.

    They start over the incident's first six hours; all but the most recent
    tenth have a StopTime (the contact acknowledged), the rest are still active.
    The incident is placed as it stands at ``now`` (aware; kept to the millisecond):
    its times are those at DEMO_NOW moved by ``now - DEMO_NOW``.
    """
    shift = now.replace(microsecond=now.microsecond // 1000 * 1000) - DEMO_NOW
    rng = random.Random(seed)
    offsets = sorted(rng.uniform(0, 6 * 3600) for _ in range(count))
    active_from = count - count // 10
    items: list[dict[str, str]] = []
    for index, offset in enumerate(offsets):
        contact = rng.choice(_PLANS if rng.random() < 0.4 else _PEOPLE)
        engagement_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        start = _INCIDENT_START + shift + timedelta(seconds=offset)
        item = {
            "EngagementArn": f"{_CONTACTS}:engagement/{contact}/{engagement_id}",
            "ContactArn": f"{_CONTACTS}:contact/{contact}",
            "Sender": rng.choice(_SENDERS),
            "IncidentId": DEMO_INCIDENT_ID,
            "StartTime": _iso(start),
        }
        if index < active_from:
            item["StopTime"] = _iso(start + timedelta(seconds=rng.uniform(30, 1800)))
        items.append(item)
    return items


def demo_engagements(now: datetime = DEMO_NOW) -> list[dict[str, str]]:
    """Every demo engagement: the documented sample, botocore's example (2021-2022, no
    incident: as published), and the incident as it stands at ``now``."""
    return [*DOCUMENTED_SAMPLE, *BOTOCORE_EXAMPLE, *incident_engagements(now=now)]
