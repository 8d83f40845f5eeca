"""``--start`` / ``--end`` values: ISO-8601, or relative to one "now" (``now``, ``-2h``).

argparse converts each value with :func:`when`; a command then resolves relative
values with :func:`resolve` against the single "now" it took for the run, so
``--start=-2h --end now`` is exactly two hours wide.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

__all__ = ["join_relative", "resolve", "timestamp", "when"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_RELATIVE = re.compile(r"-(?:\d+[smhdw])+", re.ASCII)
_PART = re.compile(r"(\d+)([smhdw])", re.ASCII)
_MAX_BACK = timedelta(days=100 * 366)  # keeps now - offset inside datetime's range
_OPTIONS = ("--start", "--end", "--now", "--since")


def timestamp(text: str) -> datetime:
    """ISO-8601 with ``Z`` or an offset; a naive value means UTC."""
    value = text.strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    # Python 3.10's fromisoformat wants "+hh:mm" and 3 or 6 fraction digits.
    value = re.sub(r"\.(\d+)", lambda m: "." + m[1][:6].ljust(6, "0"), value)
    value = re.sub(r"([Tt ].*[+-]\d{2})(\d{2})$", r"\1:\2", value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 date/time or a relative time: {text!r} "
            "(e.g. 2024-05-01, 2024-05-01T12:30:00Z, now, -2h, -30m, -7d)"
        ) from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def when(text: str) -> datetime | timedelta:
    """An absolute time, or a relative one as its offset from now (``now`` is 0, ``-2h`` is
    minus two hours)."""
    value = text.strip()
    if value.lower() == "now":
        return timedelta(0)
    if _RELATIVE.fullmatch(value):
        seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(value))
        if seconds > _MAX_BACK.total_seconds():
            raise argparse.ArgumentTypeError(f"too far back: {text!r} (at most 100 years)")
        return timedelta(seconds=-seconds)
    return timestamp(text)


def resolve(value: datetime | timedelta | None, now: datetime) -> datetime | None:
    """The absolute time of a :func:`when` value, relative ones counted from ``now``."""
    return now + value if isinstance(value, timedelta) else value


def join_relative(argv: Sequence[str]) -> list[str]:
    """``--start -2h`` as ``--start=-2h``: argparse would read ``-2h`` as an unknown option."""
    joined: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            return [*joined, *argv[index:]]
        following = argv[index + 1] if index + 1 < len(argv) else ""
        if arg in _OPTIONS and _RELATIVE.fullmatch(following):
            joined.append(f"{arg}={following}")
            index += 2
            continue
        joined.append(arg)
        index += 1
    return joined
