"""The live incident that ``follow --demo`` watches: its script, and the player that puts
it into an emulator as time goes by (here on a fake clock: no real waiting)."""

from __future__ import annotations

from datetime import datetime, timezone
from itertools import islice

import pytest

from ssm_engagements._demo_data import incident_engagements
from ssm_engagements.emulator import Emulator
from ssm_engagements.emulator._live import LivePlayer, Step, live_script

DEMO_CONTACTS = {item["ContactArn"] for item in incident_engagements(60)}


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_script_is_a_paging_story_in_time_order() -> None:
    steps = list(islice(live_script(seed=5), 200))
    assert steps == list(islice(live_script(seed=5), 200))  # the same for the same seed
    assert steps != list(islice(live_script(seed=6), 200))
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    started: dict[str, Step] = {}
    stopped: set[str] = set()
    for step in steps:
        arn = step.engagement["EngagementArn"]
        assert "StartTime" not in step.engagement and "StopTime" not in step.engagement
        if step.action == "start":
            assert arn not in started
            started[arn] = step
            assert step.engagement["ContactArn"] in DEMO_CONTACTS
            contact = step.engagement["ContactArn"].split(":contact/", 1)[1]
            assert f":engagement/{contact}/" in arn
        else:
            assert arn in started and arn not in stopped  # stops once, after its start
            stopped.add(arn)
            assert 3.0 <= step.at - started[arn].at <= 12.0
    # The first two pages go out together, early: a newcomer sees the feed move at once.
    assert steps[0].at == steps[1].at == 0.5
    # Most engagements stop; some stay open.
    assert 0.5 < len(stopped) / len(started) < 1.0
    # Within 30 seconds: several starts and stops, and more than one incident.
    early = [s for s in steps if s.at <= 30.0]
    assert sum(s.action == "start" for s in early) >= 8
    assert sum(s.action == "stop" for s in early) >= 3
    incidents = {started[a].engagement["IncidentId"] for a in started}
    assert len(incidents) > 1


def _listed(emu: Emulator) -> dict[str, tuple[datetime | None, datetime | None]]:
    with emu.client() as client:
        return {e.engagement_arn: (e.start_time, e.stop_time) for e in client.iter_engagements()}


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


@pytest.mark.parametrize("speed", [1.0, 4.0])
def test_the_player_applies_each_step_when_its_time_comes(speed: float) -> None:
    script = list(islice(live_script(seed=11), 40))
    fake = FakeTime()
    origin = fake.now
    with Emulator() as emu:
        player = LivePlayer(emu, script, speed=speed, clock=fake.clock, sleep=fake.sleep)
        assert player.play(steps=25) == 25
        listed = _listed(emu)
        assert player.play() == 15  # continues where it stopped, to the script's end
        everything = _listed(emu)
    for step in script[:25]:
        arn = step.engagement["EngagementArn"]
        when = _utc(origin + step.at / speed)
        start, stop = listed[arn]
        if step.action == "start":
            assert start is not None and abs((start - when).total_seconds()) < 0.002
        else:
            assert stop is not None and abs((stop - when).total_seconds()) < 0.002
    assert len(everything) == sum(s.action == "start" for s in script)
    # It slept exactly up to each step, never ahead of it.
    assert sum(fake.sleeps) == pytest.approx(script[-1].at / speed)


def test_stop_interrupts_a_wait_and_applies_nothing_more() -> None:
    far = Step(3600.0, "start", dict(next(live_script(seed=1)).engagement))
    with Emulator() as emu:
        player = LivePlayer(emu, [far]).start()
        player.stop()  # the hour-long wait is interrupted
        assert player.wait(0)
        assert len(emu) == 0


def test_the_player_plays_in_its_own_thread() -> None:
    fake = FakeTime()
    script = list(islice(live_script(seed=2), 6))
    with Emulator() as emu:
        player = LivePlayer(emu, script, clock=fake.clock, sleep=fake.sleep).start()
        assert player.wait(30)  # the script ends, and so does the thread
        assert len(emu) == sum(s.action == "start" for s in script)


def test_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="speed"):
        LivePlayer(Emulator(), [], speed=0)
