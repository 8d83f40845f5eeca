"""What the command-line modules share: the program's name, usage errors, notes on stderr."""

from __future__ import annotations

import sys

__all__ = ["PROG", "UsageError", "note"]

PROG = "ssm-engagements"


class UsageError(Exception):
    """A bad combination of options, found after parsing (exit status 2)."""


def note(message: str) -> None:
    """A line for the person at the terminal, on stderr, prefixed with the program's name."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)
