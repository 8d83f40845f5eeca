"""A follower in its own process, for crash tests: prints each event it takes as a
line "kind arn", and after ``hold`` events keeps the last one in hand until killed.

Usage: python -m tests.follow._child URL CHECKPOINT SINCE_EPOCH HOLD
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from botocore.credentials import Credentials

from ssm_engagements import EngagementsClient
from ssm_engagements.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY


def main() -> None:
    url, checkpoint, since, hold = sys.argv[1:5]
    client = EngagementsClient(
        "us-east-1",
        endpoint_url=url,
        credentials=Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY),
    )
    feed = client.follow_engagements(
        since=datetime.fromtimestamp(float(since), timezone.utc),
        poll_interval=0.01,
        checkpoint=checkpoint,
    )
    for count, event in enumerate(feed, 1):
        print(event.kind, event.engagement.engagement_arn, flush=True)
        if count == int(hold):
            time.sleep(3600)  # the event stays in hand until the parent kills us


if __name__ == "__main__":
    main()
