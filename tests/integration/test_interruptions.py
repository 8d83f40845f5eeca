"""Interruptions at the drivers: a cancelled or interrupted wait ends the call with that
interruption (nothing more is sent, no page comes back), and one task's cancellation
does not cancel work other tasks share."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from botocore.credentials import RefreshableCredentials

from ssm_engagements.emulator import Emulator
from ssm_engagements.testing import FakeClock, controls
from tests.reliability._raw import wire_engagement


def _frozen_now() -> FakeClock:
    """A clock stopped at the real time (the emulator checks signature times)."""
    return FakeClock(start=datetime.now(timezone.utc).timestamp())


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=[wire_engagement(n) for n in range(5)]) as emulator:
        yield emulator


def test_an_interrupt_while_waiting_for_a_token_ends_the_call(emu: Emulator) -> None:
    client = emu.client(retry_mode="adaptive")
    knobs = controls(client)
    knobs.clock = _frozen_now()  # after the throttle, no token is ever due
    knobs.random = lambda: 0.0
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        assert len(waits) <= 2, "the client waited again after the interrupt"
        if len(waits) == 2:  # the first wait is the back-off, the second the token's
            raise KeyboardInterrupt

    knobs.sleep = sleep
    emu.inject("throttle")
    with pytest.raises(KeyboardInterrupt):
        client.list_engagements()
    assert waits[0] == 0.0 and waits[1] > 0
    assert len(emu.requests) == 1  # the throttled one: nothing was sent after the wait
    client.close()


@pytest.mark.asyncio
async def test_a_task_cancelled_while_waiting_for_a_token_ends_cancelled(emu: Emulator) -> None:
    async with emu.async_client(retry_mode="adaptive") as client:
        knobs = controls(client)
        knobs.clock = _frozen_now()
        knobs.random = lambda: 0.0
        waiting = asyncio.Event()

        async def sleep(seconds: float) -> None:
            if seconds > 0:  # the token's wait (the back-off is 0 without jitter)
                assert not waiting.is_set(), "the client waited again after the cancel"
                waiting.set()
                await asyncio.sleep(3600)

        knobs.sleep = sleep
        emu.inject("throttle")
        task = asyncio.ensure_future(client.list_engagements())
        await asyncio.wait_for(waiting.wait(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert len(emu.requests) == 1
        # The client stays usable: waits now pass on the fake clock.
        knobs.record_sleeps()
        assert len((await client.list_engagements()).engagements) == 5


@pytest.mark.asyncio
async def test_cancelling_one_task_leaves_the_shared_credential_load_to_the_others(
    emu: Emulator,
) -> None:
    gate, started = threading.Event(), threading.Event()
    keys = emu.credentials

    def metadata(hours: float) -> dict[str, object]:
        expiry = datetime.now(timezone.utc) + timedelta(hours=hours)
        return {
            "access_key": keys.access_key, "secret_key": keys.secret_key,
            "token": keys.token, "expiry_time": expiry.isoformat(),
        }  # fmt: skip

    def refresh() -> dict[str, object]:  # runs in a worker thread, once for all tasks
        started.set()
        gate.wait(30)
        return metadata(1)

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=metadata(-1), refresh_using=refresh, method="test"
    )
    async with emu.async_client(credentials=credentials) as client:
        tasks = [asyncio.ensure_future(client.list_engagements()) for _ in range(3)]
        assert await asyncio.to_thread(started.wait, 30)
        for _ in range(20):  # every task reaches the load and waits on it
            await asyncio.sleep(0)
        tasks[0].cancel()
        await asyncio.sleep(0)
        gate.set()
        pages = await asyncio.wait_for(asyncio.gather(*tasks[1:]), 30)
        assert tasks[0].cancelled()
        assert [len(page.engagements) for page in pages] == [5, 5]
        assert len(emu.requests) == 2
