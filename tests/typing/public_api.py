"""Type-checked (never run by pytest): the public API as users write it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import ssm_engagements as se
from ssm_engagements.errors import ServiceError, ValidationExceptionField


def list_all(client: se.EngagementsClient, incident: str) -> list[tuple[str, datetime | None]]:
    window = se.TimeRange(start_time=datetime(2026, 1, 1, tzinfo=timezone.utc))
    items: Iterator[se.Engagement] = client.iter_engagements(
        incident_id=incident, time_range=window
    )
    return [(e.contact_arn, e.start_time) for e in items]


def one_page(client: se.EngagementsClient) -> tuple[tuple[se.Engagement, ...], str | None]:
    page: se.ListEngagementsResponse = client.list_engagements(max_results=50)
    return page.engagements, page.next_token


def resume(client: se.EngagementsClient, token: str | None) -> str | None:
    pages = client.iter_pages(page_size=100, max_items=500, starting_token=token)
    try:
        for page in pages:
            print(page.request_id, len(page.engagements))
    except se.ThrottlingException as err:
        hint: float | None = err.retry_after_seconds
        print(err.quota_code, err.service_code, hint, err.resume_token)
    except se.ValidationException as err:
        fields: tuple[ValidationExceptionField, ...] = err.fields
        print(err.reason, [f.name for f in fields])
    except ServiceError as err:
        print(err.code, err.message, err.status_code, err.request_id)
    except se.SSMContactsError as err:
        return err.resume_token
    return pages.resume_token


def configure() -> se.EngagementsClient:
    with se.EngagementsClient(
        "us-east-2", max_attempts=5, max_backoff=10.0, connect_timeout=5, read_timeout=10
    ) as client:
        region: str = client.region_name
        url: str = client.endpoint_url
        print(region, url, se.__version__)
    return client


async def async_usage(incident: str) -> str | None:
    from collections.abc import AsyncIterator

    async with se.AsyncEngagementsClient(
        "us-east-2", retry_mode="adaptive", max_pool_connections=16
    ) as client:
        page: se.ListEngagementsResponse = await client.list_engagements(incident_id=incident)
        metadata: se.ResponseMetadata | None = page.response_metadata
        if metadata is not None:
            status: int = metadata.http_status_code
            retries: int = metadata.retry_attempts
            slept: float = metadata.retry_delay_seconds
            content_type: str | None = metadata.http_headers.get("content-type")
            print(status, retries, slept, content_type, metadata.request_id)
        items: AsyncIterator[se.Engagement] = client.iter_engagements(incident_id=incident)
        async for engagement in items:
            print(engagement.contact_arn)
        pages = client.iter_pages(page_size=100, max_items=200)
        async for one in pages:
            print(len(one.engagements))
        return pages.resume_token


def follow(client: se.EngagementsClient) -> list[str]:
    said: list[str] = []
    feed: se.EngagementFeed = client.follow_engagements(
        incident_id="arn:aws:ssm-incidents::111122223333:incident-record/x/1",
        poll_interval=5,
        lookback=60.0,
        checkpoint=Path("pager.json"),
    )
    with feed:
        where: str | None = feed.checkpoint
        for event in feed:
            kind: Literal["started", "stopped"] = event.kind
            said.append(f"{kind} {event.engagement.contact_arn} {where}")
            break
    return said


async def follow_async(client: se.AsyncEngagementsClient) -> se.EngagementEvent | None:
    feed: se.AsyncEngagementFeed = client.follow_engagements(since=datetime.now(timezone.utc))
    async with feed:
        async for event in feed:
            return event
    await feed.aclose()
    return None
