"""The timeline's words: names from ARNs, times, durations, and how wide a text may be."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["cut", "duration", "short", "span", "text_width", "when"]


def short(arn: str) -> str:
    """A contact's or incident's name: ``...:contact/akuam`` -> ``akuam``; other text as is."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or "/" not in parts[5]:
        return arn
    kind, _, name = parts[5].partition("/")
    if kind == "incident-record" and name.count("/") >= 1:
        return name.split("/")[0] or name  # incident-record/<name>/<id>: the name says more
    return name or arn


def cut(text: str, limit: int) -> str:
    """Shortened in the middle: names often share a prefix and differ at the end."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2 + 1
    return text[:head] + "\u2026" + text[len(text) - (limit - 1 - head) :]


def when(moment: datetime) -> str:
    """``2024-03-14 16:00:00 UTC`` (``moment`` is UTC)."""
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def duration(delta: timedelta) -> str:
    """``2 d 3 h``, ``1 h 05 min``, ``4 min 09 s`` or ``7 s``."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def span(start: datetime, end: datetime) -> str:
    """``2024-03-14 09:26:53 to 15:25:26 UTC``, the date repeated only if it changes."""
    same_day = start.date() == end.date()
    tail = f"{end:%H:%M:%S}" if same_day else f"{end:%Y-%m-%d %H:%M:%S}"
    return f"{start:%Y-%m-%d %H:%M:%S} to {tail} UTC"


# Advance widths in em, rounded up from DejaVu Sans (Debian's default and one of the
# widest sans-serif fonts): a text laid out with these fits in narrower fonts too.
_NARROW = frozenset(" .,:;'!|()[]-/ijlftrI")  # at most 0.42 em
_WIDE = frozenset("mwMW@%\u2026")  # at most 1.0 em
_BOLD = 1.12  # DejaVu Sans Bold's digits are 1.094 times the regular ones


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """An upper bound of ``text``'s width in pixels at ``size`` px in a common sans-serif."""
    ems = sum(
        0.42 if c in _NARROW else 1.0 if c in _WIDE else 0.8 if c.isupper() else 0.66 for c in text
    )
    return ems * size * (_BOLD if bold else 1.0)
