"""``ssm-engagements timeline``: fetch an incident's engagements and draw them (HTML or SVG)."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import _cli_time
from ._cli_base import (
    PROG,
    UsageError,
    add_client_options,
    add_window_options,
    check_demo_options,
    note,
    open_client,
    run_scope,
    window,
)
from ._models import Engagement, TimeRange
from .errors import SSMContactsError

if TYPE_CHECKING:
    from .timeline._layout import Layout

__all__ = ["add_parser"]

_FORMATS = {".html": False, ".htm": False, ".svg": True}  # suffix: the bare SVG?

_EXAMPLES = f"""\
Examples:
  {PROG} timeline --demo -o timeline.html
  {PROG} timeline --region us-east-2 \\
      --incident-id arn:aws:ssm-incidents::111122223333:incident-record/outage/0123abcd
  {PROG} timeline --start=-12h -o last-12-hours.svg     # the bare SVG
  {PROG} timeline --incident-id ARN -o - > page.html    # to standard output
  {PROG} timeline --incident-id ARN --end 2024-03-15   # as it was at --end

Writes one self-contained HTML page (inline SVG and CSS; nothing loaded from the
network) when FILE ends in .html or .htm, the bare SVG when it ends in .svg; - writes
the page to standard output. The default FILE is named after the incident:
timeline-<name>-<id>.html, or timeline.html without --incident-id.
--start/--end bound the engagements' start times: ISO-8601 (no offset means UTC) or
relative to one "now" per run: now, -30m, -2h, -7d, -1h30m. The picture shows the
engagements as they were at --now (default: --end if earlier than now, else now): open
ones end there; those that stopped later are cut there and marked.
--demo draws the demo incident of 'list --demo', as if it were now 2024-03-14 16:00 UTC.
On a terminal, standard error shows how many engagements have been fetched.
Exit status: 0 ok (also when there is nothing to draw), 1 service, network or file
error, 2 bad usage or configuration, 130 Ctrl-C."""


def add_parser(commands: Any) -> None:
    """Add the ``timeline`` command to the subparsers action ``commands``."""
    tl = commands.add_parser(
        "timeline", help="draw who was paged, when and for how long (HTML or SVG)",
        epilog=_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Draw an incident's paging timeline: one row per contact, a bar per "
        "engagement.",
    )  # fmt: skip
    tl.set_defaults(run=run)
    add_window_options(tl)
    tl.add_argument(
        "-o", "--output", metavar="FILE",
        help="write here: .html or .htm: the page; .svg: the bare SVG; -: the page to "
        "standard output (default: from the incident)",
    )  # fmt: skip
    tl.add_argument(
        "--now", type=_cli_time.when, metavar="WHEN",
        help="draw the engagements as they were at this time (default: --end if earlier "
        "than now, else now)",
    )  # fmt: skip
    tl.add_argument(
        "--max-rows", type=int, default=None, metavar="N",
        help="draw at most N contacts, count the rest (default: 40)",
    )  # fmt: skip
    add_client_options(tl, demo_help="draw the demo incident (no AWS account)")


def default_file(incident_id: str | None) -> str:
    """``timeline-<name>-<id>.html`` from an incident ARN's ``incident-record/<name>/<id>``."""
    if not incident_id:
        return "timeline.html"
    resource = incident_id.split(":", 5)[-1]
    parts = [p for p in resource.split("/") if p]
    if parts and parts[0] == "incident-record":
        parts = parts[1:]
    if len(parts) >= 2:
        parts = [parts[-2], parts[-1].split("-")[0]]  # the name and the id's first group
    stem = re.sub(r"[^A-Za-z0-9._]+", "-", "-".join(parts)).strip("-.")[:80]
    return f"timeline-{stem}.html" if stem else "timeline.html"


def run(args: argparse.Namespace) -> int:
    from .timeline import DEFAULT_MAX_ROWS
    from .timeline._draw import render

    max_rows = DEFAULT_MAX_ROWS if args.max_rows is None else args.max_rows
    if max_rows < 1:
        raise UsageError(f"argument --max-rows: must be at least 1; got {max_rows}")
    check_demo_options(args)
    clock, incident = run_scope(args)  # clock: one "now" per run, the demo's with --demo
    target = args.output or default_file(incident)
    as_svg = output_format(target)
    time_range = window(args, clock)
    now = picture_time(args, clock, time_range)
    progress = sys.stderr if sys.stderr.isatty() else None

    with contextlib.ExitStack() as stack:
        # Open the file's temporary sibling before fetching: an unwritable place fails
        # at once, and an existing file is replaced only by a complete picture.
        pending = None if target == "-" else stack.enter_context(_Pending(Path(target)))
        engagements = _fetch(args, incident, time_range, stack, progress)
        text, chart = render(
            engagements, as_svg=as_svg, title=_title(incident), now=now, max_rows=max_rows,
            incident_id=incident, time_range=time_range,
        )  # fmt: skip
        if pending is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            pending.commit(text)
    note(summary(chart, "standard output" if target == "-" else target, max_rows))
    return 0


def output_format(target: str) -> bool:
    """Whether ``target`` gets the bare SVG (else the HTML page); UsageError for a name
    that ends in anything but .html, .htm or .svg (a .png would silently hold HTML)."""
    if target == "-":
        return False
    suffix = Path(target).suffix.lower()
    if suffix not in _FORMATS:
        raise UsageError(
            f"argument -o/--output: must end in .html, .htm or .svg, or be - for standard "
            f"output; got {target!r}"
        )
    return _FORMATS[suffix]


def picture_time(
    args: argparse.Namespace, clock: datetime, time_range: TimeRange | None
) -> datetime:
    """--now, relative values counted from ``clock``; default: --end when earlier than
    ``clock``, else ``clock``. UsageError when --now is before --start."""
    start = time_range.start_time if time_range else None
    now = _cli_time.resolve(args.now, clock)
    if now is not None:
        if start and now < start:
            raise UsageError("argument --now: must not be before --start")
        return now
    end = time_range.end_time if time_range else None
    return min(end, clock) if end else clock


def summary(chart: Layout, where: str, max_rows: int) -> str:
    """What was drawn and what was left out, in one line."""
    rows = len(chart.rows)
    said = (
        f"drew {chart.drawn:,} engagement{_s(chart.drawn)} of {rows:,} contact{_s(rows)} to {where}"
    )
    left = []
    if chart.hidden_rows:
        left.append(
            f"{chart.hidden:,} engagement{_s(chart.hidden)} of {chart.hidden_rows:,} more "
            f"contact{_s(chart.hidden_rows)} (--max-rows {max_rows})"
        )
    if chart.undated:
        left.append(f"{chart.undated:,} engagement{_s(chart.undated)} without a start time")
    if chart.late:
        left.append(
            f"{chart.late:,} engagement{_s(chart.late)} that started after "
            f"{chart.now:%Y-%m-%d %H:%M:%S} UTC"
        )
    return said + ("; left out " + ", ".join(left) if left else "")


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _title(incident: str | None) -> str | None:
    if not incident:
        return None  # the library names it after the engagements' incident, if one
    parts = [p for p in incident.split(":", 5)[-1].split("/") if p]
    name = parts[1] if len(parts) > 2 and parts[0] == "incident-record" else parts[-1]
    return f"Paging timeline: {name}"


def _fetch(
    args: argparse.Namespace,
    incident: str | None,
    time_range: TimeRange | None,
    stack: contextlib.ExitStack,
    progress: TextIO | None,
) -> list[Engagement]:
    """Every page's engagements; with ``progress`` (a terminal), a running count on it,
    rewritten in place and cleared at the end."""
    client = open_client(args, stack, "drawing")
    fetched: list[Engagement] = []
    try:
        for number, page in enumerate(
            client.iter_pages(incident_id=incident, time_range=time_range), 1
        ):
            fetched.extend(page.engagements)
            if progress is not None:
                pages = f"{number:,} page{_s(number)}"
                progress.write(f"\r{PROG}: fetched {len(fetched):,} engagements ({pages})\x1b[K")
                progress.flush()
    except SSMContactsError as exc:
        exc.resume_token = None  # timeline has no --starting-token to continue with
        raise
    finally:
        if progress is not None and fetched:
            progress.write("\r\x1b[K")  # the line the next message takes
            progress.flush()
    return fetched


class _Pending:
    """A temporary file beside ``path``, renamed over it by :meth:`commit`, else removed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.temp: str | None = None

    def __enter__(self) -> _Pending:
        try:
            fd, self.temp = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
        except OSError as exc:
            raise _FileError(self.path, exc) from None
        os.close(fd)
        return self

    def commit(self, text: str) -> None:
        assert self.temp is not None
        try:
            with open(self.temp, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.chmod(self.temp, 0o644)  # mkstemp's 0600 would hide the page from a web server
            os.replace(self.temp, self.path)
        except OSError as exc:
            raise _FileError(self.path, exc) from None
        self.temp = None

    def __exit__(self, *exc_info: object) -> None:
        if self.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)


class _FileError(SSMContactsError):
    """The output file cannot be written (exit status 1)."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"cannot write {str(path)!r}: {error.strerror or error}")
