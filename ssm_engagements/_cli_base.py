"""What the command-line modules share: the program's name, usage errors, notes on stderr."""

from __future__ import annotations

import argparse
import contextlib
import sys

from ._client import EngagementsClient

__all__ = ["PROG", "UsageError", "check_demo_options", "note", "open_client"]

PROG = "ssm-engagements"


class UsageError(Exception):
    """A bad combination of options, found after parsing (exit status 2)."""


def note(message: str) -> None:
    """A line for the person at the terminal, on stderr, prefixed with the program's name."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


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
