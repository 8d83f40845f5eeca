"""What only the async feed has: ``async for``/``async with``, cancellation, the loop
kept free of file I/O."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests.follow.conftest import SAFETY_NET_SECONDS, after, emu_now, polls, wire


async def wait_for_polls(emu: Emulator, count: int) -> None:
    async def counted() -> None:
        while polls(emu) < count:
            await asyncio.sleep(0.001)

    await asyncio.wait_for(counted(), SAFETY_NET_SECONDS)


def test_async_for_with_cancellation_and_checkpoint_off_the_loop(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    since = emu_now(emu)
    path = tmp_path / "feed.json"
    fsync_threads: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        fsync_threads.append(threading.current_thread().name)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)

    async def main() -> list[str]:
        loop_thread = threading.current_thread().name
        got: list[str] = []
        async with emu.async_client() as client:
            feed = client.follow_engagements(since=since, poll_interval=0.005, checkpoint=path)
            assert isinstance(feed, se.AsyncEngagementFeed)
            async with feed:
                waiting = asyncio.ensure_future(feed.__anext__())
                await wait_for_polls(emu, 2)
                waiting.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiting
                assert not feed.closed  # a cancelled wait leaves the feed usable
                emu.add_engagements(wire("a", after(since, 1)), wire("b", after(since, 2)))
                async for event in feed:
                    got.append(f"{event.kind}:{event.engagement.engagement_arn[-1]}")
                    if len(got) == 2:
                        break
            assert feed.closed
        assert fsync_threads and loop_thread not in fsync_threads
        return got

    assert asyncio.run(main()) == ["started:a", "started:b"]
