"""``ssm-engagements follow``: print engagements as they start and stop, a line per event."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable, Generator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

from . import _cli_time
from ._cli_base import (
    PROG,
    add_client_options,
    check_demo_options,
    note,
    open_client,
    positive_number,
)
from ._cli_output import resource_name, to_wire

if TYPE_CHECKING:
    from ._client import EngagementsClient
    from ._models import EngagementEvent

__all__ = ["add_parser"]

DEMO_POLL_INTERVAL = 2.0
"""Seconds between polls under ``--demo`` (unless ``--poll-interval`` says otherwise)."""

_EXAMPLES = f"""\
Examples:
  {PROG} follow --demo                     # a live incident on a local emulator
  {PROG} follow --output jsonl | jq -c 'select(.event == "stopped")'
  {PROG} follow --incident-id arn:aws:ssm-incidents::111122223333:incident-record/x/1 \\
      --since=-1h --checkpoint follow.json

Prints a line per event as it happens: "started" the first time an engagement is seen,
"stopped" when it gains a stop time; never ends by itself. --since takes ISO-8601 (no
offset means UTC) or a time relative to now (now, -30m, -2h); default: now.
--checkpoint FILE remembers the place: run the same command again after a crash or a
restart and it continues after the last line printed (at most that line is printed
again, nothing is lost); --since is then ignored.
Exit status: 1 service or network error (after retries; throttling and 5xx only
delay the next poll), 2 bad usage or configuration (also: FILE is another incident's,
unreadable, or in use by another follow), 130 Ctrl-C."""


def add_parser(commands: Any) -> None:
    """Add the ``follow`` command to the subparsers action ``commands``."""
    fo = commands.add_parser(
        "follow", help="print engagements as they start and stop, until interrupted",
        epilog=_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Poll for engagements and print one line per start and stop.",
    )  # fmt: skip
    fo.set_defaults(run=run)
    fo.add_argument("--incident-id", metavar="ARN", help="only this incident's engagements")
    fo.add_argument(
        "--since", type=_cli_time.when, metavar="WHEN",
        help="report engagements that started at/after (default: now)",
    )  # fmt: skip
    fo.add_argument(
        "--poll-interval", type=_seconds, metavar="S",
        help=f"seconds between polls (default: 30; {DEMO_POLL_INTERVAL:g} with --demo)",
    )  # fmt: skip
    fo.add_argument(
        "--checkpoint", metavar="FILE",
        help="keep the place in FILE; run again to continue after the last line",
    )  # fmt: skip
    fo.add_argument(
        "--output", choices=("table", "jsonl"), default="table",
        help="output format (default: table)",
    )  # fmt: skip
    add_client_options(fo, demo_help="follow a live incident played by a local emulator")


def run(args: argparse.Namespace) -> int:
    since = _cli_time.resolve(args.since, datetime.now(timezone.utc))
    check_demo_options(args)
    interval = args.poll_interval
    if interval is None:
        interval = DEMO_POLL_INTERVAL if args.demo else 30.0
    write = _jsonl if args.output == "jsonl" else _table
    with contextlib.ExitStack() as stack:
        client, play = _demo(stack) if args.demo else (open_client(args, stack, "following"), None)
        feed = client.follow_engagements(
            incident_id=args.incident_id, since=since, poll_interval=interval,
            checkpoint=args.checkpoint,
        )  # fmt: skip
        stack.enter_context(feed)
        stack.enter_context(_warnings_on_stderr())
        if play is not None:
            play()  # after the feed took its "now": the first pages are news
        note(f"following engagements, polling every {interval:g} s; press Ctrl-C to stop")
        # Each event goes out (flushed) before the feed is asked for the next, which is
        # when the checkpoint counts it as delivered.
        for event in feed:
            write(event, sys.stdout)
            sys.stdout.flush()
    return 0  # not reached: the feed never ends by itself


class _NoteHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        note(f"warning: {' '.join(record.getMessage().split())}")  # one line, as errors are


@contextlib.contextmanager
def _warnings_on_stderr() -> Generator[None, None, None]:
    """Show the feed's warnings (a poll failed; when it polls again) as notes on stderr,
    unless ``SSM_ENGAGEMENTS_LOG`` already logs there: a follower must not look idle
    while it cannot reach the service."""
    from ._log import logger

    if any(getattr(h, "_ssm_engagements", False) for h in logger.handlers):
        yield
        return
    handler = _NoteHandler(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _demo(stack: contextlib.ExitStack) -> tuple[EngagementsClient, Callable[[], object]]:
    """A client on an emulator started here, and what starts playing the live incident
    into it (stopped, then the emulator, when ``stack`` closes)."""
    from ._demo_data import DEMO_REGION
    from .emulator import Emulator
    from .emulator._live import LivePlayer, live_script

    emu = stack.enter_context(Emulator(region=DEMO_REGION))
    player = LivePlayer(emu, live_script())
    stack.callback(player.stop)
    note(f"demo: a live incident played by a local emulator at {emu.url}")
    return stack.enter_context(emu.client(user_agent_extra="cli")), player.start


def _jsonl(event: EngagementEvent, stream: TextIO) -> None:
    """``{"event": "started", ...}`` and the engagement's members as ``list`` prints them."""
    line = json.dumps({"event": event.kind, **to_wire(event.engagement)}, separators=(",", ":"))
    stream.write(line + "\n")


def _table(event: EngagementEvent, stream: TextIO) -> None:
    """``<time> UTC  started  <contact>  by <sender>  incident <id>  engagement <id>``;
    a stop says ``after <h:mm:ss>`` instead of the sender."""
    item = event.engagement
    start, stop = item.start_time, item.stop_time
    when = start if event.kind == "started" else stop
    if event.kind == "started":
        detail = f"by {item.sender or '-'}"
    else:
        detail = f"after {str(stop - start).split('.')[0]}" if start and stop else "-"
    engagement = resource_name(item.engagement_arn).rsplit("/", 1)[-1]
    cells = (
        f"{when:%Y-%m-%d %H:%M:%S} UTC" if when else "-".ljust(23),
        event.kind,
        resource_name(item.contact_arn).ljust(20),
        detail.ljust(17),
        f"incident {resource_name(item.incident_id)}",
        f"engagement {engagement}",
    )
    stream.write("  ".join(cells) + "\n")


def _seconds(text: str) -> float:
    """--poll-interval: seconds, a finite number > 0."""
    return positive_number(text, "seconds")
