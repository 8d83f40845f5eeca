"""What an idle poll of follow_engagements costs, with a 1,000-engagement window.

    nox -s bench_follow            # or: python tests/benchmarks/bench_follow.py [--polls N]

An emulator (in this process, on loopback) holds ENGAGEMENTS open engagements that
started in the last minutes, so every poll's window holds all of them: ENGAGEMENTS /
100 pages. A blocking EngagementsClient follows them; once every "started" event is
taken, POLLS polls find nothing new. For each idle poll it measures the time spent in
the feed's own logic (the sans-I/O Follow: window, de-duplication, pruning; pure
Python, so its time is CPU time) and the rest of the poll (requesting, receiving and
parsing the pages), and prints medians and their ratio. The feed does not sleep
between polls here (its poll interval is a microsecond).

Not part of the test suite (pytest does not collect these files).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import statistics
import time
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from ssm_engagements import Engagement
from ssm_engagements._feed import EngagementFeed
from ssm_engagements._follow import Follow
from ssm_engagements.emulator import Emulator


class Done(Exception):
    pass


class TimedFollow(Follow):
    """A Follow that times its own methods and, once ``armed``, records each poll as
    (seconds in its methods, seconds in all) and raises Done after ``polls`` of them."""

    def __init__(self, *, polls: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.polls = polls
        self.armed = False
        self.spent = 0.0
        self.per_poll: list[tuple[float, float]] = []
        self.mark = (time.perf_counter(), 0.0)

    def _timed(self, method: Any, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return method(*args)
        finally:
            self.spent += time.perf_counter() - start

    def next_step(self, now: float) -> Any:
        return self._timed(super().next_step, now)

    def accept(self, engagements: Iterable[Engagement]) -> None:
        self._timed(super().accept, engagements)

    def take(self) -> bool:
        return bool(self._timed(super().take))

    def poll_succeeded(self, now: float) -> None:
        self._timed(super().poll_succeeded, now)
        wall, spent = time.perf_counter(), self.spent
        if self.armed:
            self.per_poll.append((spent - self.mark[1], wall - self.mark[0]))
            if len(self.per_poll) >= self.polls:
                raise Done
        self.mark = (wall, spent)


def run(engagements: int, polls: int) -> dict[str, float]:
    with Emulator() as emu:
        now = datetime.fromtimestamp(emu.now(), timezone.utc)
        since = now - timedelta(minutes=5)
        emu.add_engagements(
            *(
                {
                    "EngagementArn": f"arn:aws:ssm-contacts:us-east-1:111122223333:engagement/c/{n:05d}",
                    "ContactArn": "arn:aws:ssm-contacts:us-east-1:111122223333:contact/c",
                    "Sender": "bench",
                    "StartTime": since + timedelta(milliseconds=n * 200),
                }
                for n in range(engagements)
            )
        )
        client = emu.client()
        state = TimedFollow(
            polls=polls,
            incident_id=None,
            since_us=round(since.timestamp() * 1e6),
            lookback=600.0,
            track_open_for=86400.0,
            poll_interval=1e-6,  # each poll due at once: the benchmark does not sleep
        )
        feed = EngagementFeed(state, functools.partial(client.iter_pages, incident_id=None), None)
        for _ in range(engagements):
            next(feed)  # every "started"; now the window holds them all
        state.armed = True
        requests_before = len(emu.requests)
        with contextlib.suppress(Done):
            next(feed)
        requests = len(emu.requests) - requests_before
        client.close()
    logic = [spent for spent, _ in state.per_poll]
    fetch = [wall - spent for spent, wall in state.per_poll]
    return {
        "polls": len(state.per_poll),
        "requests_per_poll": requests / len(state.per_poll),
        "logic_us": statistics.median(logic) * 1e6,
        "logic_us_max": max(logic) * 1e6,
        "fetch_ms": statistics.median(fetch) * 1e3,
        "ratio": statistics.median(logic) / statistics.median(fetch),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engagements", type=int, default=1000)
    parser.add_argument("--polls", type=int, default=50)
    args = parser.parse_args()
    result = run(args.engagements, args.polls)
    print(
        f"follow_engagements, idle polls of a {args.engagements}-engagement window "
        f"({result['polls']:.0f} polls, {result['requests_per_poll']:.1f} requests per poll)"
    )
    print(
        f"  follow logic per poll (CPU):   {result['logic_us']:8.1f} us median, "
        f"{result['logic_us_max']:.1f} us max"
    )
    print(f"  page fetching per poll:        {result['fetch_ms']:8.2f} ms median")
    print(f"  follow logic / page fetching:  {result['ratio'] * 100:8.2f} %")


if __name__ == "__main__":
    main()
