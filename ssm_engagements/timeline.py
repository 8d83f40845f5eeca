"""Draw engagements as a paging timeline: who was engaged, when and for how long.

``render_html`` returns one self-contained HTML page (inline SVG and CSS, no
scripts, no network); ``render_svg`` returns the picture alone. Both take any
iterable of :class:`~ssm_engagements.Engagement` (from either client, a
cassette or the emulator) and do no I/O. Every time in the picture is UTC.

This module is an edge, like the command line: ``import ssm_engagements`` does
not import it.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import cast

from ._models import Engagement
from ._version import __version__
from .errors import ParamValidationError

__all__ = ["DEFAULT_MAX_ROWS", "render_html", "render_svg"]

DEFAULT_MAX_ROWS = 40
"""Rows (contacts) drawn at most by default; the rest are counted on a "+N more" line."""

# -- layout (SVG user units, which are CSS pixels at 100 %) ----------------------------------
_WIDTH = 1200
_LABEL_RIGHT = 204  # row labels end here
_X0, _X1 = 216, 1120  # the plot: the window's start and end
_BAR_H, _LANE_H, _ROW_PAD = 12, 16, 4
_MAX_LANES = 4  # overlapping engagements of one contact stack up to this many lanes
_LABEL_CHARS = 24  # row labels longer than this are cut with an ellipsis
_TALL = 480  # rows taller than this get the tick labels below them too
_MAX_TICKS = 10
_MIN_SPAN = timedelta(minutes=1)
_MIN_BAR_W = 2.0  # an instant engagement is still visible
_LANE_GAP_PX = 4  # bars nearer than this in one lane go to the next lane

# Okabe-Ito colours, distinguishable with every common colour-vision deficiency; open
# bars also differ in pattern and outline, so they survive greyscale printing.
_CLOSED = "#0072B2"
_OPEN_STROKE = "#D55E00"
_OPEN_LIGHT = "#FBE3C4"
_OPEN_TEXT = "#A3410A"
_INK, _MUTED, _GRID, _STRIPE = "#1F2328", "#57606A", "#D0D7DE", "#F3F5F7"
_FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
    "'Liberation Sans', 'DejaVu Sans', sans-serif"
)

# Tick steps in seconds, from one second to a year; the first that gives at most
# _MAX_TICKS ticks across the window is used.
_STEPS = (
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 56 * 86400, 91 * 86400,
    182 * 86400, 364 * 86400,
)  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MONDAY = datetime(1970, 1, 5, tzinfo=timezone.utc)  # week ticks fall on Mondays

# Characters XML 1.0 forbids even when escaped; a hostile name must not break the page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class _Bar:
    engagement: Engagement
    start: datetime
    end: datetime  # the stop time, or `now` while open
    is_open: bool
    lane: int = 0


@dataclass
class _Row:
    contact: str
    bars: list[_Bar] = field(default_factory=list[_Bar])
    lanes: int = 1


@dataclass(frozen=True)
class _Chart:
    title: str
    incident: str | None
    now: datetime
    rows: list[_Row]  # every contact, ordered by first engagement
    max_rows: int
    total: int  # engagements given
    undated: int  # of which without a start time (not drawn)
    start: datetime  # the window
    end: datetime

    @property
    def shown(self) -> list[_Row]:
        return self.rows[: self.max_rows]

    @property
    def hidden(self) -> list[_Row]:
        return self.rows[self.max_rows :]

    @property
    def bars(self) -> list[_Bar]:
        return [bar for row in self.rows for bar in row.bars]


# -- public API --------------------------------------------------------------------------------


def render_html(
    engagements: Iterable[Engagement],
    *,
    title: str | None = None,
    now: datetime | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> str:
    """One self-contained HTML page showing ``engagements`` on a UTC time axis.

    One row per contact or escalation plan, ordered by first engagement; a bar per
    engagement from its start to its stop. Engagements without a stop time are
    still open: they are drawn to ``now`` in a hatched style and labelled "open".
    The page has a print stylesheet, loads nothing from the network and runs no
    script; each bar's tooltip gives the engagement's ARN, sender, times and
    duration.

    Args:
        engagements: any iterable of Engagement; those without a start time are
            counted in the header but not drawn.
        title: the page's heading; default: "Paging timeline" and the incident's
            name when every engagement belongs to one incident.
        now: the end of the window for open engagements (timezone-aware, any
            zone; shown in UTC); default: the current time. The window runs from
            the first start to the last stop (or ``now`` while one is open), and is
            at least a minute wide.
        max_rows: contacts drawn at most; the others are counted on a
            "+N more contacts" line.

    Raises:
        ParamValidationError: an item that is not an Engagement, a naive
            datetime, a bad ``now``, ``title`` or ``max_rows``.
    """
    chart = _chart(engagements, title=title, now=now, max_rows=max_rows)
    facts = "\n".join(
        f'<div><dt>{_esc(name)}</dt><dd data-fact="{_esc(key)}">{_esc(value)}'
        + (f' <span class="detail">{_esc(detail)}</span>' if detail else "")
        + "</dd></div>"
        for key, name, value, detail in _facts(chart)
    )
    incident = (
        f'<p class="incident">Incident <code>{_esc(chart.incident)}</code></p>\n'
        if chart.incident
        else ""
    )
    if chart.rows:
        body = f"<figure>\n{_svg(chart, standalone=False)}\n</figure>"
    else:
        body = '<p class="empty">No engagements to draw.</p>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ssm-engagements {_esc(__version__)}">
<title>{_esc(chart.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_esc(chart.title)}</h1>
{incident}<dl class="facts">
{facts}
</dl>
</header>
<main>
{body}
</main>
<footer>All times UTC. Drawn by ssm-engagements {_esc(__version__)} at {_esc(_when(chart.now))}.
Hover over a bar for its engagement.</footer>
</body>
</html>
"""


def render_svg(
    engagements: Iterable[Engagement],
    *,
    title: str | None = None,
    now: datetime | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> str:
    """The picture of :func:`render_html` as one standalone SVG document.

    The title and the header's facts are drawn as text at the top. Same
    arguments and errors as :func:`render_html`.
    """
    return _svg(_chart(engagements, title=title, now=now, max_rows=max_rows), standalone=True)


# -- data --------------------------------------------------------------------------------------


def _aware(value: object, param: str) -> datetime:
    if not isinstance(value, datetime):
        raise ParamValidationError(param=param, rule="must be a datetime", value=value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ParamValidationError(
            param=param, rule="must be timezone-aware (use tzinfo=timezone.utc)", value=value
        )
    return value.astimezone(timezone.utc)


def _chart(
    engagements: Iterable[Engagement], *, title: str | None, now: datetime | None, max_rows: int
) -> _Chart:
    # Checked at run time too: callers without a type checker get a named error.
    given: dict[str, object] = {"engagements": engagements, "title": title, "rows": max_rows}
    if not isinstance(given["engagements"], Iterable):
        raise ParamValidationError(
            param="engagements", rule="must be an iterable of Engagement", value=engagements
        )
    if title is not None and not isinstance(given["title"], str):
        raise ParamValidationError(param="title", rule="must be a str or None", value=title)
    rows_given = given["rows"]
    if isinstance(rows_given, bool) or not isinstance(rows_given, int) or rows_given < 1:
        raise ParamValidationError(param="max_rows", rule="must be an int >= 1", value=max_rows)
    moment = datetime.now(timezone.utc) if now is None else _aware(now, "now")

    rows: dict[str, _Row] = {}
    incidents: set[str | None] = set()
    total = undated = 0
    items = cast("Iterable[object]", engagements)
    for index, item in enumerate(items):
        if not isinstance(item, Engagement):
            raise ParamValidationError(
                param=f"engagements[{index}]", rule="must be an Engagement", value=item
            )
        total += 1
        incidents.add(item.incident_id)
        if item.start_time is None:
            undated += 1
            continue
        start = _aware(item.start_time, f"engagements[{index}].start_time")
        if item.stop_time is None:
            bar = _Bar(item, start, max(start, moment), is_open=True)
        else:
            stop = _aware(item.stop_time, f"engagements[{index}].stop_time")
            bar = _Bar(item, start, max(start, stop), is_open=False)
        rows.setdefault(item.contact_arn, _Row(item.contact_arn)).bars.append(bar)

    bars = [bar for row in rows.values() for bar in row.bars]
    start = min((bar.start for bar in bars), default=moment)
    end = max((bar.end for bar in bars), default=moment)
    end = max(end, start + _MIN_SPAN)
    # Bars closer than a few pixels in one lane would read as one engagement.
    gap = (end - start) * (_LANE_GAP_PX / (_X1 - _X0))
    for row in rows.values():
        _stack(row, gap)
    ordered = sorted(rows.values(), key=lambda r: (r.bars[0].start, r.contact))

    incident = next(iter(incidents)) if len(incidents) == 1 else None
    if title is None:
        title = f"Paging timeline: {_short(incident)}" if incident else "Paging timeline"
    return _Chart(title, incident, moment, ordered, max_rows, total, undated, start, end)


def _stack(row: _Row, gap: timedelta) -> None:
    """Order a row's bars by start and give overlapping ones their own lane."""
    row.bars.sort(key=lambda bar: (bar.start, bar.end, bar.engagement.engagement_arn))
    lane_ends: list[datetime] = []
    stacked: list[_Bar] = []
    for bar in row.bars:
        free = [i for i, end in enumerate(lane_ends) if end + gap <= bar.start]
        if free:
            lane = free[0]
        elif len(lane_ends) < _MAX_LANES:
            lane = len(lane_ends)
            lane_ends.append(bar.end)
        else:  # more overlap than lanes: share the lane that frees first
            lane = min(range(len(lane_ends)), key=lane_ends.__getitem__)
        lane_ends[lane] = max(lane_ends[lane], bar.end)
        stacked.append(_Bar(bar.engagement, bar.start, bar.end, bar.is_open, lane))
    row.bars, row.lanes = stacked, max(1, len(lane_ends))


def _facts(chart: _Chart) -> list[tuple[str, str, str, str]]:
    """(key, name, value, detail) of what a review asks first."""
    bars = chart.bars
    facts = [("engagements", "Engagements", f"{chart.total:,}", "")]
    if bars:
        first = min(bar.start for bar in bars)
        last = max(bar.start for bar in bars)
        still_open = sum(bar.is_open for bar in bars)
        facts = [
            ("window", "Window", _duration(chart.end - chart.start), _span(chart.start, chart.end)),
            *facts,
            ("contacts", "Contacts engaged", f"{len(chart.rows):,}", ""),
            ("first-to-last", "First to last page", _duration(last - first), _span(first, last)),
            (
                "open",
                "Still open",
                f"{still_open:,}",
                f"at {_when(chart.now)}" if still_open else "",
            ),
        ]
    if chart.undated:
        facts.append(("undated", "Not drawn", f"{chart.undated:,}", "no start time"))
    return facts


# -- text --------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    """Text safe in XML and HTML, as text or in a quoted attribute."""
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=True)


def _short(arn: str) -> str:
    """A contact's or incident's name: ``...:contact/akuam`` -> ``akuam``; other text as is."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or "/" not in parts[5]:
        return arn
    kind, _, name = parts[5].partition("/")
    if kind == "incident-record" and name.count("/") >= 1:
        return name.split("/")[0] or name  # incident-record/<name>/<id>: the name says more
    return name or arn


def _cut(text: str, limit: int = _LABEL_CHARS) -> str:
    """Shortened in the middle: names often share a prefix and differ at the end."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2 + 1
    return text[:head] + "\u2026" + text[len(text) - (limit - 1 - head) :]


def _when(moment: datetime, *, date: bool = True) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if date else f"{moment:%H:%M:%S} UTC"


def _duration(delta: timedelta) -> str:
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


def _span(start: datetime, end: datetime) -> str:
    """``2024-03-14 09:26:53 to 15:25:26 UTC``, the date repeated only if it changes."""
    same_day = start.date() == end.date()
    tail = f"{end:%H:%M:%S}" if same_day else f"{end:%Y-%m-%d %H:%M:%S}"
    return f"{start:%Y-%m-%d %H:%M:%S} to {tail} UTC"


def _tooltip(bar: _Bar, now: datetime) -> str:
    item = bar.engagement
    stop = f"still open at {_when(now)}" if bar.is_open else _when(bar.end)
    so_far = " so far" if bar.is_open else ""
    lines = [
        item.engagement_arn,
        f"Contact: {item.contact_arn}",
        f"Sender: {item.sender}",
        f"Start: {_when(bar.start)}",
        f"Stop: {stop}",
        f"Duration: {_duration(bar.end - bar.start)}{so_far}",
    ]
    return "\n".join(lines)


# -- axis --------------------------------------------------------------------------------------


def _ticks(start: datetime, end: datetime) -> tuple[int, list[datetime]]:
    """The tick step (seconds) and ticks inside [start, end], on round UTC times."""
    span = (end - start).total_seconds()
    step = next((s for s in _STEPS if span / s <= _MAX_TICKS), 0)
    if not step:
        years = math.ceil(span / (_MAX_TICKS * 365.25 * 86400))
        step = years * 364 * 86400
    origin = _MONDAY if step % (7 * 86400) == 0 else _EPOCH
    first = math.ceil((start - origin).total_seconds() / step)
    ticks: list[datetime] = []
    moment = origin + timedelta(seconds=first * step)
    while moment <= end:
        ticks.append(moment)
        moment += timedelta(seconds=step)
    return step, ticks


def _tick_labels(step: int, ticks: Sequence[datetime]) -> list[tuple[str, str]]:
    """(main, context) per tick: the time, and the date (or year) where it changes."""
    labels: list[tuple[str, str]] = []
    previous: datetime | None = None
    for moment in ticks:
        if step < 86400:
            main = f"{moment:%H:%M:%S}" if step < 60 else f"{moment:%H:%M}"
            changed = previous is None or previous.date() != moment.date()
            context = f"{moment:%Y-%m-%d}" if changed else ""
        else:
            main = f"{moment:%b} {moment.day}"
            changed = previous is None or previous.year != moment.year
            context = f"{moment:%Y}" if changed else ""
        labels.append((main, context))
        previous = moment
    return labels


# -- SVG ---------------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg(chart: _Chart, *, standalone: bool) -> str:
    span = (chart.end - chart.start).total_seconds()

    def x_of(moment: datetime) -> float:
        return _X0 + (moment - chart.start).total_seconds() / span * (_X1 - _X0)

    out: list[str] = []
    y = 0.0
    if standalone:
        out.append(
            f'<text x="16" y="28" font-size="18" font-weight="700">{_esc(chart.title)}</text>'
        )
        y = 36.0
        if chart.incident:
            out.append(
                f'<text x="16" y="{_n(y + 14)}" font-size="12" fill="{_MUTED}">'
                f"Incident {_esc(chart.incident)}</text>"
            )
            y += 18
        facts = _facts(chart)
        for index, (_key, name, value, detail) in enumerate(facts):
            column, line = index % 3, index // 3
            aside = f" ({detail})" if detail else ""
            out.append(
                f'<text x="{16 + column * 390}" y="{_n(y + 16 + line * 18)}" font-size="12">'
                f'<tspan fill="{_MUTED}">{_esc(name)}: </tspan>{_esc(value)}'
                f'<tspan fill="{_MUTED}">{_esc(aside)}</tspan></text>'
            )
        y += 18 * math.ceil(len(facts) / 3) + 12
    if not chart.rows:
        out.append(
            f'<text x="16" y="{_n(y + 24)}" font-size="14" fill="{_MUTED}">'
            "No engagements to draw.</text>"
        )
        return _svg_document(chart, out, y + 48)

    # Legend.
    y += 8
    out.append(_legend(y, chart))
    y += 26

    # Axis labels above the rows.
    step, ticks = _ticks(chart.start, chart.end)
    labels = _tick_labels(step, ticks)
    axis_top = y + 30
    rows_top = axis_top + 4
    rows_height = sum(_ROW_PAD * 2 + row.lanes * _LANE_H for row in chart.shown)
    rows_bottom = rows_top + rows_height

    # Row stripes and labels first, so grid lines and bars draw over them.
    out.append('<g class="rows">')
    row_y = rows_top
    row_tops: list[float] = []
    for index, row in enumerate(chart.shown):
        height = _ROW_PAD * 2 + row.lanes * _LANE_H
        row_tops.append(row_y)
        if index % 2 == 0:
            out.append(
                f'<rect x="8" y="{_n(row_y)}" width="{_WIDTH - 16}" height="{_n(height)}" '
                f'fill="{_STRIPE}"/>'
            )
        name = _short(row.contact)
        count = len(row.bars)
        out.append(
            f'<text class="row-label" x="{_LABEL_RIGHT}" y="{_n(row_y + height / 2 + 4)}" '
            f'font-size="12" text-anchor="end"><title>{_esc(row.contact)}\n'
            f"{count} engagement{'s' if count != 1 else ''}</title>{_esc(_cut(name))}</text>"
        )
        row_y += height
    out.append("</g>")

    out.append('<g class="axis">')
    out.append(
        f'<line x1="{_X0}" y1="{_n(axis_top)}" x2="{_X1}" y2="{_n(axis_top)}" stroke="{_MUTED}"/>'
    )
    for moment, (main, context) in zip(ticks, labels, strict=True):
        x = _n(x_of(moment))
        out.append(f'<g class="tick" data-time="{moment.isoformat()}">')
        out.append(
            f'<line x1="{x}" y1="{_n(axis_top - 4)}" x2="{x}" y2="{_n(rows_bottom)}" '
            f'stroke="{_GRID}"/>'
        )
        out.append(
            f'<text x="{x}" y="{_n(axis_top - 8)}" font-size="11" text-anchor="middle" '
            f'fill="{_INK}">{_esc(main)}</text>'
        )
        if context:
            out.append(
                f'<text x="{x}" y="{_n(axis_top - 21)}" font-size="10" text-anchor="middle" '
                f'fill="{_MUTED}">{_esc(context)}</text>'
            )
        out.append("</g>")
    out.append("</g>")

    if rows_height > _TALL:  # a reader at the bottom rows should not scroll up for times
        out.append('<g class="axis-bottom">')
        for moment, (main, _context) in zip(ticks, labels, strict=True):
            out.append(
                f'<text x="{_n(x_of(moment))}" y="{_n(rows_bottom + 14)}" font-size="11" '
                f'text-anchor="middle" fill="{_INK}">{_esc(main)}</text>'
            )
        out.append("</g>")

    has_open = any(bar.is_open for bar in chart.bars)
    if has_open:
        x = _n(x_of(chart.now)) if chart.now <= chart.end else _n(_X1)
        out.append(
            f'<g class="now"><line x1="{x}" y1="{_n(axis_top)}" x2="{x}" y2="{_n(rows_bottom)}" '
            f'stroke="{_OPEN_STROKE}" stroke-dasharray="3 3"/></g>'
        )

    out.append('<g class="bars">')
    for row, top in zip(chart.shown, row_tops, strict=True):
        for bar in row.bars:
            bar_x = x_of(bar.start)
            width = max(_MIN_BAR_W, x_of(bar.end) - bar_x)
            bar_y = top + _ROW_PAD + bar.lane * _LANE_H + (_LANE_H - _BAR_H) / 2
            style = (
                f'fill="url(#open-hatch)" stroke="{_OPEN_STROKE}" stroke-width="1"'
                if bar.is_open
                else f'fill="{_CLOSED}"'
            )
            out.append(
                f'<rect class="bar{" open" if bar.is_open else ""}" x="{_n(bar_x)}" '
                f'y="{_n(bar_y)}" width="{_n(width)}" height="{_BAR_H}" rx="2" {style}>'
                f"<title>{_esc(_tooltip(bar, chart.now))}</title></rect>"
            )
            if bar.is_open:
                out.append(
                    f'<text class="open-label" x="{_n(bar_x + width + 5)}" '
                    f'y="{_n(bar_y + _BAR_H - 2)}" font-size="10" font-weight="600" '
                    f'fill="{_OPEN_TEXT}">open</text>'
                )
    out.append("</g>")

    y = rows_bottom + (18 if rows_height > _TALL else 0)
    if chart.hidden:
        more = len(chart.hidden)
        hidden_bars = sum(len(row.bars) for row in chart.hidden)
        out.append(
            f'<text class="more" x="{_LABEL_RIGHT}" y="{_n(y + 20)}" font-size="12" '
            f'font-style="italic" fill="{_MUTED}">+{more:,} more contact{"s" if more != 1 else ""}'
            f" ({hidden_bars:,} engagement{'s' if hidden_bars != 1 else ''}) not drawn: "
            f"the first {chart.max_rows:,} rows are shown</text>"
        )
        y += 28
    return _svg_document(chart, out, y + 12)


def _legend(y: float, chart: _Chart) -> str:
    base = _n(y + 11)
    parts = [
        '<g class="legend" font-size="12">',
        f'<rect x="{_X0}" y="{_n(y + 1)}" width="22" height="{_BAR_H}" rx="2" fill="{_CLOSED}"/>',
        f'<text x="{_X0 + 28}" y="{base}">engaged (start to stop)</text>',
        f'<rect x="{_X0 + 200}" y="{_n(y + 1)}" width="22" height="{_BAR_H}" rx="2" '
        f'fill="url(#open-hatch)" stroke="{_OPEN_STROKE}"/>',
        f'<text x="{_X0 + 228}" y="{base}">still open at {_esc(_when(chart.now))}</text>',
        f'<text x="{_X1}" y="{base}" text-anchor="end" fill="{_MUTED}">'
        "times in UTC; one row per contact</text>",
        "</g>",
    ]
    return "".join(parts)


def _svg_document(chart: _Chart, body: list[str], height: float) -> str:
    h = _n(math.ceil(height))
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{_WIDTH}" '
            f'height="{h}" viewBox="0 0 {_WIDTH} {h}" role="img" aria-labelledby="timeline-title" '
            f'font-family="{_esc(_FONT)}" fill="{_INK}">',
            f'<title id="timeline-title">{_esc(chart.title)}</title>',
            "<defs>",
            '<pattern id="open-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)">',
            f'<rect width="6" height="6" fill="{_OPEN_LIGHT}"/>',
            f'<rect width="3" height="6" fill="{_OPEN_STROKE}" fill-opacity="0.55"/>',
            "</pattern>",
            "</defs>",
            f'<rect width="{_WIDTH}" height="{h}" fill="#FFFFFF"/>',
            *body,
            "</svg>",
        ]
    )


_CSS = """
:root { color-scheme: light; }
body {
  margin: 24px auto; padding: 0 16px; max-width: 1232px; background: #fff; color: #1f2328;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Liberation Sans", "DejaVu Sans", sans-serif;
}
h1 { font-size: 22px; margin: 0 0 4px; }
.incident { margin: 0 0 14px; color: #57606a; overflow-wrap: anywhere; }
.incident code { font-size: 13px; }
dl.facts { display: flex; flex-wrap: wrap; gap: 8px 32px; margin: 0 0 18px; }
dl.facts dt { font-size: 12px; color: #57606a; }
dl.facts dd { margin: 0; font-size: 16px; font-weight: 600; }
dl.facts .detail { display: block; font-size: 12px; font-weight: 400; color: #57606a; }
figure { margin: 0; }
svg.timeline { display: block; width: 100%; height: auto; }
svg.timeline rect.bar:hover { stroke: #1f2328; stroke-width: 2; }
.empty { font-size: 16px; color: #57606a; padding: 24px 0; }
footer { margin-top: 14px; color: #57606a; font-size: 12px; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  body { margin: 0; padding: 0; max-width: none; font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h1 { font-size: 16px; }
  dl.facts { margin-bottom: 8px; }
  dl.facts dd { font-size: 12px; }
  dl.facts .detail { font-size: 9px; }
  svg.timeline { width: auto; max-width: 100%; max-height: 140mm; break-inside: avoid; }
  footer { margin-top: 4px; font-size: 9px; }
}
"""
