"""kill -9 the follower at random moments, restart it with its checkpoint, and compare
everything it printed with what happened: nothing lost, and a line printed twice only
when it was the last line before a kill (the event in the follower's hands).

The kill moments are random (seeded; the seed is printed, and ``FOLLOW_KILL_SEED=<seed>``
replays a run's choices), but the assertions hold for every moment, so the outcome does
not depend on the machine's speed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ssm_engagements.emulator import Emulator
from tests.cli._helpers import cli_env
from tests.follow_cli._helpers import Follower, engagement, utc_now_ms

KILLS = 20
SEED_ENV = "FOLLOW_KILL_SEED"

Event = tuple[str, str]
"""("started" or "stopped", EngagementArn)."""


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


class Incident:
    """Adds and stops engagements in the emulator, and keeps the truth: every event a
    follower must report, in the order they happened."""

    def __init__(self, emu: Emulator, rng: random.Random) -> None:
        self.emu, self.rng = emu, rng
        self.origin = utc_now_ms() - timedelta(seconds=1)
        self.truth: list[Event] = []
        self.open: list[str] = []
        self.serial = 0
        self.lock = threading.Lock()

    def act(self) -> None:
        """Start an engagement, or (two times in five) stop an open one."""
        with self.lock:
            if self.open and self.rng.random() < 0.4:
                arn = self.open.pop(self.rng.randrange(len(self.open)))
                self.emu.stop_engagement(arn)
                self.truth.append(("stopped", arn))
                return
            self.serial += 1
            item = engagement(self.serial, self.origin + timedelta(milliseconds=self.serial))
            self.emu.add_engagements(item)
            self.open.append(item["EngagementArn"])
            self.truth.append(("started", item["EngagementArn"]))

    def act_later(self, count: int) -> threading.Thread:
        """``count`` actions in a thread, each after a random pause of up to 0.2 s."""
        pauses = [self.rng.uniform(0.0, 0.2) for _ in range(count)]

        def run() -> None:
            for pause in pauses:
                time.sleep(pause)
                self.act()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


def _event(line: str) -> Event:
    item = json.loads(line)
    return item["event"], item["EngagementArn"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_kill_9_at_random_moments_loses_nothing_and_repeats_only_the_event_in_hand(
    emu: Emulator, tmp_path: Path
) -> None:
    seed = int(os.environ.get(SEED_ENV) or random.SystemRandom().randrange(2**32))
    print(f"kill test seed {seed} (replay with {SEED_ENV}={seed})")
    rng = random.Random(seed)
    incident = Incident(emu, random.Random(seed + 1))
    args = (
        "--endpoint-url", emu.url, "--output", "jsonl", "--poll-interval", "0.05",
        "--since", incident.origin.isoformat(), "--checkpoint", str(tmp_path / "follow.json"),
    )  # fmt: skip
    env = cli_env(emu)
    runs: list[list[Event]] = []
    delivered: set[Event] = set()
    began = time.monotonic()

    for _ in range(KILLS):
        for _ in range(rng.randint(1, 3)):
            incident.act()
        with incident.lock:
            pending = len(set(incident.truth) - delivered)
        with Follower(*args, env=env) as follower:
            meanwhile = incident.act_later(rng.randint(0, 3))
            if pending and rng.random() < 0.6:
                # Right after the k-th line: the follower is writing its checkpoint,
                # polling, or already holding the next event.
                for _ in range(rng.randint(1, min(3, pending))):
                    follower.next_line()
                time.sleep(rng.uniform(0.0, 0.03))
            else:  # any moment: starting up, polling, waiting, printing
                time.sleep(rng.uniform(0.0, 0.8))
            follower.kill()
            meanwhile.join()
            runs.append([_event(line) for line in follower.lines])
        delivered.update(runs[-1])

    incident.act()  # one more event: the last follower is surely running when it shows
    truth = set(incident.truth)
    with Follower(*args, env=env) as follower:  # the last one runs until it has caught up
        while not truth <= delivered:
            try:
                delivered.add(_event(follower.next_line()))
            except AssertionError as exc:
                missing = sorted(truth - delivered)
                raise AssertionError(f"seed {seed}: never printed {missing}") from exc
        assert follower.finish(signal.SIGINT) == 130
        runs.append([_event(line) for line in follower.lines])

    everything = [event for run in runs for event in run]
    short = [[f"{kind} {arn[-40:-28]}" for kind, arn in run] for run in runs]
    context = f"seed {seed}; runs (kind, engagement number): {short}"
    assert set(everything) == truth, context  # nothing lost, nothing invented
    assert len(truth) == len(incident.truth)  # the truth itself has no repeats
    # A line is counted as delivered when the follower asks for the next event, so
    # only the last line before a kill can be printed again, by any later run, in the
    # order of its poll. `in_hand` holds those lines, one per kill at most.
    before: set[Event] = set()
    in_hand: set[Event] = set()
    repeats = 0
    for run in runs:
        assert len(set(run)) == len(run), context  # no repeat within one run
        again = [event for event in run if event in before]
        assert set(again) <= in_hand, context  # only the last line before a kill
        repeats += len(again)
        in_hand -= set(run[:-1])  # asked for the next: delivered
        in_hand.update(run[-1:])
        before.update(run)
    assert repeats <= KILLS, context
    for event, arn in set(everything):
        if event == "stopped":  # each stop after its start
            assert everything.index(("started", arn)) < everything.index(("stopped", arn))
    print(
        f"{KILLS} kills, {len(truth)} events, {repeats} repeated, "
        f"{sum(not run for run in runs)} runs printed nothing, "
        f"{time.monotonic() - began:.1f} s"
    )
