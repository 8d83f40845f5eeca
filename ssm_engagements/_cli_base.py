"""What the command-line modules share: the program's name, usage errors, notes on
stderr, and the options that choose the client and the time window (with what reads them)."""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Callable
from datetime import datetime

from . import _cli_time
from ._client import EngagementsClient
from ._models import TimeRange

__all__ = [
    "PROG",
    "UsageError",
    "add_client_options",
    "add_window_options",
    "check_demo_options",
    "note",
    "open_client",
    "positive_number",
    "window",
]

PROG = "ssm-engagements"


class UsageError(Exception):
    """A bad combination of options, found after parsing (exit status 2)."""


def note(message: str) -> None:
    """A line for the person at the terminal, on stderr, prefixed with the program's name."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """``--incident-id``, ``--start`` and ``--end`` (absolute or relative; see window)."""
    parser.add_argument("--incident-id", metavar="ARN", help="only this incident's engagements")
    parser.add_argument("--start", type=_cli_time.when, metavar="WHEN", help="started at/after")
    parser.add_argument("--end", type=_cli_time.when, metavar="WHEN", help="started at/before")


def window(args: argparse.Namespace, now: datetime) -> TimeRange | None:
    """The ``--start``/``--end`` window, relative values counted from now (taken once per
    run); None when neither is given. Raises UsageError when start is after end."""
    start, end = _cli_time.resolve(args.start, now), _cli_time.resolve(args.end, now)
    if start and end and start > end:
        raise UsageError("argument --start: must not be after --end")
    return TimeRange(start_time=start, end_time=end) if start or end else None


def positive_number(unit: str) -> Callable[[str], float]:
    """An argparse ``type``: a finite number > 0, in ``unit`` (named in the error)."""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be a number > 0 ({unit}): {text!r}")
        return value

    return convert


def add_client_options(parser: argparse.ArgumentParser, demo_help: str) -> None:
    """``--region``, ``--profile``, ``--endpoint-url`` and ``--demo``, read by open_client."""
    parser.add_argument("--region", metavar="R", help="AWS region (default: AWS_REGION, profile)")
    parser.add_argument("--profile", metavar="P", help="shared config / credentials profile")
    parser.add_argument("--endpoint-url", metavar="URL", help="send requests to this endpoint")
    parser.add_argument("--demo", action="store_true", help=demo_help)


def check_demo_options(args: argparse.Namespace) -> None:
    """--demo talks to its own emulator: refuse the options that would choose another."""
    if args.demo and (args.region or args.profile or args.endpoint_url):
        raise UsageError("--demo cannot be combined with --region, --profile or --endpoint-url")


def open_client(
    args: argparse.Namespace, stack: contextlib.ExitStack, doing: str
) -> EngagementsClient:
    """The client a command's options ask for, closed with stack: with ``--demo``, one on
    a local emulator holding the demo data (fixed data and token key, so a NextToken one
    demo prints the next accepts); else one for ``--region``/``--profile``/
    ``--endpoint-url``. ``doing`` completes the demo's note ("listing", "drawing")."""
    if args.demo:
        from ._demo_data import DEMO_REGION, DEMO_TOKEN_KEY, demo_engagements
        from .emulator import Emulator

        demo = Emulator(
            region=DEMO_REGION, engagements=demo_engagements(), token_key=DEMO_TOKEN_KEY
        )
        emu = stack.enter_context(demo)
        note(f"demo: {doing} {len(emu)} sample engagements from a local emulator at {emu.url}")
        client = emu.client(user_agent_extra="cli")
    else:
        client = EngagementsClient(
            args.region, profile_name=args.profile, endpoint_url=args.endpoint_url,
            user_agent_extra="cli",
        )  # fmt: skip
    return stack.enter_context(client)
