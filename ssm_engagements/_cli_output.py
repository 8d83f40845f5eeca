"""How ``ssm-engagements list`` prints engagements: table, json, jsonl or csv, streaming."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Sequence
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
    """Writes each page as it comes (a header first, one flush per page); json once, at the end."""

    def __init__(self, fmt: str, stream: TextIO) -> None:
        self.fmt, self.stream, self.started = fmt, stream, False
        self.kept: list[Engagement] = []
        self.csv = csv.writer(stream, lineterminator="\n")
        self.table = _Table(stream) if fmt == "table" else None

    def page(self, items: Sequence[Engagement]) -> None:
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
            self.table.line(self.table.cells(item))
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


# Title, smallest useful width, widest needed. A narrow terminal drops STOP, INCIDENT,
# SENDER in that order; spare width goes to ENGAGEMENT, INCIDENT, CONTACT, SENDER.
_COLUMNS = (
    ("START (UTC)", 19, 19),
    ("STOP (UTC)", 19, 19),
    ("SENDER", 13, 16),
    ("CONTACT", 16, 32),
    ("ENGAGEMENT", 13, 36),
    ("INCIDENT", 20, 64),
)


def resource_name(arn: str | None) -> str:
    """An ARN's resource without its type ("...:contact/akuam" -> "akuam"); other text as is."""
    parts = (arn or "-").split(":", 5)
    return parts[5].split("/", 1)[-1] if len(parts) == 6 and parts[0] == "arn" else arn or "-"


class _Table:
    """Widths are set once from the terminal: rows stream, so they cannot be measured first."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        width = shutil.get_terminal_size().columns
        self.widths = {i: column[1] for i, column in enumerate(_COLUMNS)}
        for drop in (1, 5, 2):
            if sum(self.widths.values()) + 2 * len(self.widths) - 2 <= width:
                break
            del self.widths[drop]
        spare = width - (sum(self.widths.values()) + 2 * len(self.widths) - 2)
        for i in (4, 5, 3, 2):
            if i in self.widths:
                step = max(0, min(spare, _COLUMNS[i][2] - self.widths[i]))
                self.widths[i] += step
                spare -= step
        self.dots = "\u2026"  # an ellipsis, unless stdout cannot encode it
        try:
            self.dots.encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            self.dots = "~"

    @staticmethod
    def cells(item: Engagement | None) -> list[str]:
        if item is None:
            return [title for title, *_ in _COLUMNS]
        times = (f"{t:%Y-%m-%d %H:%M:%S}" if t else "-" for t in (item.start_time, item.stop_time))
        # The engagement's own id: CONTACT already shows the contact's name.
        engagement = resource_name(item.engagement_arn).rsplit("/", 1)[-1]
        ids = (item.sender, item.contact_arn, engagement, item.incident_id)
        return [*times, *map(resource_name, ids)]

    def line(self, cells: Sequence[str]) -> None:
        fitted = []
        for i, width in self.widths.items():
            cell = cells[i]
            if len(cell) > width:  # keep both ends: names start resources, unique ids end them
                head = (width - 1) // 2
                cell = cell[:head] + self.dots + cell[len(cell) - (width - 1 - head) :]
            fitted.append(cell.ljust(width))
        self.stream.write("  ".join(fitted).rstrip() + "\n")
