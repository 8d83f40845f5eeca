"""How ``ssm-engagements list`` prints engagements: table, json, jsonl or csv, streaming."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from typing import TextIO

from ._models import Engagement

__all__ = ["FIELDS", "Output", "resource_name", "to_wire"]

FIELDS = ("EngagementArn", "ContactArn", "Sender", "IncidentId", "StartTime", "StopTime")
"""The AWS CLI's member names, in its order."""


def to_wire(item: Engagement) -> dict[str, str]:
    """The AWS CLI's shape: PascalCase keys, ISO-8601 UTC times, absent members left out."""
    values = (item.engagement_arn, item.contact_arn, item.sender, item.incident_id)
    times = tuple(t.isoformat() if t else None for t in (item.start_time, item.stop_time))
    return {k: v for k, v in zip(FIELDS, values + times, strict=True) if v is not None}


class Output:
    """Writes each page as it comes (a header first, one flush per page); json once, at the end.

    ``width``: fit the table to that many columns (a terminal's); None never shortens it.
    """

    def __init__(self, fmt: str, stream: TextIO, *, width: int | None = None) -> None:
        self.fmt, self.stream, self.started = fmt, stream, False
        self.count = 0
        self.kept: list[Engagement] = []
        self.csv = csv.writer(stream, lineterminator="\n")
        self.table = _Table(stream, width) if fmt == "table" else None

    @property
    def cut(self) -> bool:
        """True when the table cut a value to fit its column."""
        return self.table is not None and self.table.cut

    def page(self, items: Sequence[Engagement]) -> None:
        self.count += len(items)
        if self.fmt == "json":
            self.kept.extend(items)
            return
        if not self.started:
            self.started = True
            self._row(None)
        for item in items:
            self._row(item)
        self.stream.flush()

    def _row(self, item: Engagement | None) -> None:
        """Write one engagement, or the header for None."""
        if self.table is not None:
            self.table.row(item)
        elif self.fmt == "csv":
            wire = {} if item is None else to_wire(item)
            self.csv.writerow([wire.get(name, "") for name in FIELDS] if wire else FIELDS)
        elif item is not None:
            self.stream.write(json.dumps(to_wire(item), separators=(",", ":")) + "\n")

    def end(self, next_token: str | None, *, complete: bool) -> None:
        """After the last page, or on failure (``complete`` False) with what was fetched."""
        if self.fmt != "json":
            if complete and not self.started:
                self.page(())  # an empty listing still gets its header
        elif complete or self.kept:  # a failed json listing prints only what it has
            doc: dict[str, object] = {"Engagements": [to_wire(e) for e in self.kept]}
            if next_token:
                doc["NextToken"] = next_token
            self.stream.write(json.dumps(doc, indent=4) + "\n")
            self.stream.flush()


def resource_name(arn: str | None) -> str:
    """An ARN's resource without its type ("...:contact/akuam" -> "akuam"); other text as is."""
    parts = (arn or "-").split(":", 5)
    return parts[5].split("/", 1)[-1] if len(parts) == 6 and parts[0] == "arn" else arn or "-"


def _time(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else "-"


_Cell = Callable[[Engagement], str]


class _Column:
    """A table column: its title, its width range when fitted, its value (``short`` when
    fitted, if different), and whether a fitted table may cut it (else: whole or left out)."""

    def __init__(
        self, title: str, least: int, most: int, whole: _Cell, short: _Cell | None = None,
        *, cut: bool = True, wide: int | None = None,
    ) -> None:  # fmt: skip
        self.title, self.least, self.most, self.cut = title, least, most, cut
        self.whole, self.short = whole, short or whole
        self.wide = wide or least  # its width in a whole table: longer values push the row


# In the order reviewers read them: who, when, until when, paged by, then the incident and
# the engagement's ARN. A narrow terminal leaves columns out from the right; spare width
# goes to INCIDENT, CONTACT, SENDER, in that order.
_COLUMNS = (
    _Column("CONTACT", 20, 32, lambda e: resource_name(e.contact_arn), wide=24),
    _Column("START (UTC)", 19, 19, lambda e: _time(e.start_time)),
    _Column("STOP (UTC)", 19, 19, lambda e: _time(e.stop_time)),
    _Column("SENDER", 13, 16, lambda e: e.sender or "-", wide=14),
    _Column(
        "INCIDENT",
        20,
        64,
        lambda e: e.incident_id or "-",
        lambda e: resource_name(e.incident_id),
        wide=100,
    ),
    # 112: an engagement ARN with a 32-character contact name.
    _Column("ARN", 112, 112, lambda e: e.engagement_arn, cut=False),
)
_GROW = ("INCIDENT", "CONTACT", "SENDER")


class _Table:
    """Widths are set once: rows stream, so they cannot be measured first. Fitted to a
    terminal, columns that do not fit are left out (from the right) and a value longer than
    its column is cut at its end with an ellipsis; whole (``width`` None), nothing is cut."""

    def __init__(self, stream: TextIO, width: int | None) -> None:
        self.stream, self.cut = stream, False
        self.fitted = width is not None
        if width is None:
            self.widths = {c.title: c.wide for c in _COLUMNS}
        else:
            self.widths = self._fit(width)
        self.dots = "\u2026"  # an ellipsis, unless stdout cannot encode it
        try:
            self.dots.encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            self.dots = "~"

    @staticmethod
    def _fit(width: int) -> dict[str, int]:
        least = {c.title: c.least for c in _COLUMNS}
        titles = list(least)
        while len(titles) > 2 and sum(least[t] for t in titles) + 2 * len(titles) - 2 > width:
            titles.pop()
        widths = {t: least[t] for t in titles}
        spare = width - (sum(widths.values()) + 2 * len(widths) - 2)
        most = {c.title: c.most for c in _COLUMNS}
        for title in (t for t in _GROW if t in widths):
            step = max(0, min(spare, most[title] - widths[title]))
            widths[title] += step
            spare -= step
        return widths

    def row(self, item: Engagement | None) -> None:
        cells = []
        for column in _COLUMNS:
            width = self.widths.get(column.title)
            if width is None:
                continue
            if item is None:
                cell = column.title
            else:
                cell = (column.short if self.fitted else column.whole)(item)
            if self.fitted and column.cut and len(cell) > width:  # the start names it: keep that
                cell, self.cut = cell[: width - 1] + self.dots, True
            cells.append(cell.ljust(width))
        self.stream.write("  ".join(cells).rstrip() + "\n")
