"""Engagements the timeline tests draw: a small incident with one of everything."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ssm_engagements import Engagement

UTC = timezone.utc
T0 = datetime(2026, 1, 18, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
ACCOUNT = "arn:aws:ssm-contacts:us-east-2:111122223333"
INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/outage/0123abcd"


def engagement(
    n: int,
    contact: str,
    start: timedelta | None,
    stop: timedelta | None = None,
    *,
    sender: str = "ssm-incidents",
    incident: str = INCIDENT,
) -> Engagement:
    return Engagement(
        engagement_arn=f"{ACCOUNT}:engagement/{contact}/{n:08x}-1f2e-4d3c-8b7a-0123456789ab",
        contact_arn=f"{ACCOUNT}:contact/{contact}",
        sender=sender,
        incident_id=incident,
        start_time=None if start is None else T0 + start,
        stop_time=None if stop is None else T0 + stop,
    )


def minutes(m: float) -> timedelta:
    return timedelta(minutes=m)


SAMPLE = [
    engagement(1, "oncall-primary", minutes(0), minutes(15)),
    engagement(2, "db-escalation", minutes(5), minutes(50), sender="cli"),
    engagement(3, "oncall-primary", minutes(30), None),  # still open
    engagement(4, "oncall-secondary", minutes(45), minutes(46), sender="console"),
    engagement(5, "db-escalation", minutes(20), minutes(25)),  # inside #2: its own lane
]
