"""The timeline's layout: engagements in; rows, bars, ticks, header and legend out.

Plain frozen data with every position worked out (SVG user units, which are CSS pixels
at 100 %), so the drawing step only writes markup and the tests check positions here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Literal, cast

import attrs

from .._models import Engagement, TimeRange
from .._timestamps import EPOCH, aware_utc
from ..errors import ParamValidationError
from ._text import cut, duration, short, span, text_width, when

__all__ = [
    "Bar",
    "Fact",
    "Layout",
    "LegendItem",
    "Row",
    "Span",
    "Text",
    "Tick",
    "layout",
    "sender_kind",
]

WIDTH = 1200
MARGIN = 16
LABEL_RIGHT = 204  # row labels end here
X0, X1 = 216, 1120  # the plot: the window's start and end
BAR_H, LANE_H, ROW_PAD = 12, 16, 4
_MAX_LANES = 4  # overlapping engagements of one contact stack up to this many lanes
_LABEL_CHARS = 24  # row labels longer than this are cut with an ellipsis
_TALL = 480  # rows taller than this get the tick labels below them too
_MAX_TICKS = 10
_MIN_SPAN = timedelta(minutes=1)
_MIN_BAR_W = 2.0  # an instant engagement is still visible
_LANE_GAP_PX = 4  # bars nearer than this in one lane go to the next lane
_GAP = 28  # between texts side by side in the header and legend
_LINE = 18  # header and legend line height
_SWATCH = 22  # legend swatch width

# Tick steps in seconds, from one second to a year; the first that gives at most
# _MAX_TICKS ticks across the window is used.
_STEPS = (
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
    2 * 86400,
    7 * 86400,
    14 * 86400,
    28 * 86400,
    56 * 86400,
    91 * 86400,
    182 * 86400,
    364 * 86400,
)
_MONDAY = datetime(1970, 1, 5, tzinfo=timezone.utc)  # week ticks fall on Mondays

Kind = Literal["auto", "manual"]
State = Literal["closed", "open", "clipped"]


def sender_kind(sender: str) -> Kind:
    """``auto`` when Incident Manager engaged the contact (sender ``ssm-incidents``, or an
    AWS service principal ``*.amazonaws.com``), else ``manual``: someone started the
    engagement from the console, the CLI or their own tool."""
    name = sender.strip().lower()
    return "auto" if name == "ssm-incidents" or name.endswith(".amazonaws.com") else "manual"


@attrs.frozen
class Bar:
    """One engagement's bar."""

    engagement: Engagement
    start: datetime  # UTC
    end: datetime  # where the bar ends: its stop time, or `now` when open or clipped
    state: State  # open: no stop time; clipped: stopped after `now`
    kind: Kind
    lane: int
    x: float
    y: float
    width: float
    tooltip: str
    label: str  # drawn right of the bar: "open", "continues" or ""


@attrs.frozen
class Row:
    """One contact's row: its label and bars."""

    contact: str
    label: str
    tooltip: str
    y: float
    height: float
    striped: bool
    bars: tuple[Bar, ...]


@attrs.frozen
class Tick:
    time: datetime
    x: float
    label: str
    context: str  # the date (or year) where it changes, else ""


@attrs.frozen
class Fact:
    """One of the header's facts: ``Window: 6 h 31 min (2024-03-14 ...)``."""

    key: str
    name: str
    value: str
    detail: str


@attrs.frozen
class Span:
    text: str
    muted: bool = False
    bold: bool = False


@attrs.frozen
class Text:
    """A line of text placed in the picture, ``width`` its estimated upper bound."""

    key: str
    x: float
    y: float  # the baseline
    size: int
    width: float
    spans: tuple[Span, ...]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@attrs.frozen
class LegendItem:
    swatch: Literal["auto", "manual", "open", "clipped", ""]
    x: float  # the swatch's left; the text starts after it
    y: float
    text: Text


@attrs.frozen
class Layout:
    """Everything the drawing step needs, and the counts the command line reports."""

    title: str
    incident: str | None
    query: str | None  # what was asked (incident, time window), when the caller said
    now: datetime
    start: datetime  # the window drawn
    end: datetime
    facts: tuple[Fact, ...]
    header: tuple[Text, ...]  # the title, incident, query and facts (standalone SVG only)
    legend: tuple[LegendItem, ...]
    rows: tuple[Row, ...]  # the rows drawn
    ticks: tuple[Tick, ...]
    axis_y: float
    rows_bottom: float
    bottom_ticks_y: float | None  # tall pictures repeat the tick labels below the rows
    now_x: float | None  # the dashed "now" line, when a bar reaches it
    message: Text | None  # "+N more contacts ..." or "No engagements ..."
    height: float
    total: int  # engagements given
    drawn: int  # of which drawn as bars
    hidden_rows: int  # contacts past max_rows
    hidden: int  # their engagements
    undated: int  # engagements without a start time
    late: int  # engagements that started after `now`

    @property
    def bars(self) -> tuple[Bar, ...]:
        return tuple(bar for row in self.rows for bar in row.bars)


@attrs.define
class _Draft:
    """A bar before it has a place."""

    engagement: Engagement
    start: datetime
    end: datetime
    stop: datetime | None  # the stop time, in UTC
    state: State
    lane: int = 0


def layout(
    engagements: Iterable[Engagement],
    *,
    title: str | None,
    now: datetime | None,
    max_rows: int,
    incident_id: str | None,
    time_range: TimeRange | None,
    standalone: bool,
) -> Layout:
    """Check the arguments (ParamValidationError naming the one at fault) and lay out."""
    moment = _check(engagements, title, now, max_rows, incident_id, time_range)
    rows: dict[str, list[_Draft]] = {}
    incidents: set[str | None] = set()
    total = undated = late = 0
    for index, item in enumerate(cast("Iterable[object]", engagements)):
        if not isinstance(item, Engagement):
            raise ParamValidationError(
                param=f"engagements[{index}]", rule="must be an Engagement", value=item
            )
        total += 1
        incidents.add(item.incident_id)
        if item.start_time is None:
            undated += 1
            continue
        start = aware_utc(f"engagements[{index}].start_time", item.start_time)
        if start > moment:
            late += 1
            continue
        if item.stop_time is None:
            draft = _Draft(item, start, moment, None, "open")
        else:
            stop = aware_utc(f"engagements[{index}].stop_time", item.stop_time)
            clipped = stop > moment
            end = moment if clipped else max(start, stop)
            draft = _Draft(item, start, end, stop, "clipped" if clipped else "closed")
        rows.setdefault(item.contact_arn, []).append(draft)

    drafts = [d for row in rows.values() for d in row]
    start = min((d.start for d in drafts), default=moment)
    end = max((d.end for d in drafts), default=moment)
    end = max(end, start + _MIN_SPAN)
    # Bars closer than a few pixels in one lane would read as one engagement.
    gap = (end - start) * (_LANE_GAP_PX / (X1 - X0))
    lanes = {contact: _stack(row, gap) for contact, row in rows.items()}
    order = sorted(rows, key=lambda c: (rows[c][0].start, c))
    shown, hidden = order[:max_rows], order[max_rows:]
    hidden_bars = sum(len(rows[c]) for c in hidden)

    incident = incident_id or (next(iter(incidents)) if len(incidents) == 1 else None)
    if title is None:
        title = f"Paging timeline: {short(incident)}" if incident else "Paging timeline"
    query = _query(incident_id, time_range)
    facts = _facts(drafts, len(rows), total, undated, late, start, end, moment)
    y, header = _header(title, incident, query, facts) if standalone else (0.0, ())

    span_s = (end - start).total_seconds()

    def x_of(moment: datetime) -> float:
        return X0 + (moment - start).total_seconds() / span_s * (X1 - X0)

    shown_drafts = [d for c in shown for d in rows[c]]
    legend: tuple[LegendItem, ...] = ()
    placed: list[Row] = []
    ticks: tuple[Tick, ...] = ()
    axis_y = rows_bottom = y
    bottom_ticks_y = now_x = None
    if not shown:
        said = "No engagements matched the query." if query else "No engagements to draw."
        message: Text | None = _text("empty", MARGIN, y + 24, 14, [Span(said, muted=True)])
        y += 48
    else:
        legend, y = _legend(shown_drafts, moment, y + 8)
        axis_y = y + 36
        rows_bottom = axis_y + 4
        for index, contact in enumerate(shown):
            height = ROW_PAD * 2 + lanes[contact] * LANE_H
            bars = tuple(_bar(d, x_of, rows_bottom, moment) for d in rows[contact])
            count = len(bars)
            placed.append(
                Row(
                    contact=contact,
                    label=cut(short(contact), _LABEL_CHARS),
                    tooltip=f"{contact}\n{count} engagement{'s' if count != 1 else ''}",
                    y=rows_bottom,
                    height=height,
                    striped=index % 2 == 0,
                    bars=bars,
                )
            )
            rows_bottom += height
        step, times = _ticks(start, end)
        ticks = tuple(
            Tick(time, x_of(time), label, context)
            for time, (label, context) in zip(times, _tick_labels(step, times), strict=True)
        )
        if any(d.state != "closed" for d in shown_drafts):
            now_x = x_of(moment)
        y = rows_bottom
        if rows_bottom - axis_y - 4 > _TALL:  # readers of the last rows need the times too
            bottom_ticks_y = rows_bottom + 14
            y += 18
        message = None
        if hidden:
            more = len(hidden)
            said = (
                f"+{more:,} more contact{'s' if more != 1 else ''} ({hidden_bars:,} "
                f"engagement{'s' if hidden_bars != 1 else ''}) not drawn: the first "
                f"{max_rows:,} rows are shown"
            )
            message = _text("more", LABEL_RIGHT, y + 20, 12, [Span(said, muted=True)])
            y += 28
        y += 12
    return Layout(
        title=title, incident=incident, query=query, now=moment, start=start, end=end,
        facts=tuple(facts), header=header, legend=legend, rows=tuple(placed), ticks=ticks,
        axis_y=axis_y, rows_bottom=rows_bottom, bottom_ticks_y=bottom_ticks_y, now_x=now_x,
        message=message, height=y, total=total, drawn=len(shown_drafts),
        hidden_rows=len(hidden), hidden=hidden_bars, undated=undated, late=late,
    )  # fmt: skip


def _check(
    engagements: object,
    title: object,
    now: object,
    max_rows: object,
    incident_id: object,
    time_range: object,
) -> datetime:
    """The arguments checked at run time too (callers without a type checker get a named
    error); returns ``now`` in UTC."""
    if not isinstance(engagements, Iterable):
        raise ParamValidationError(
            param="engagements", rule="must be an iterable of Engagement", value=engagements
        )
    for param, value in (("title", title), ("incident_id", incident_id)):
        if value is not None and not isinstance(value, str):
            raise ParamValidationError(param=param, rule="must be a str or None", value=value)
    if time_range is not None and not isinstance(time_range, TimeRange):
        raise ParamValidationError(
            param="time_range", rule="must be a TimeRange or None", value=time_range
        )
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ParamValidationError(param="max_rows", rule="must be an int >= 1", value=max_rows)
    if now is None:
        return datetime.now(timezone.utc)
    if not isinstance(now, datetime):
        raise ParamValidationError(param="now", rule="must be a datetime or None", value=now)
    return aware_utc("now", now)


def _stack(row: list[_Draft], gap: timedelta) -> int:
    """Order a row's bars by start, give overlapping ones their own lane; the lanes used."""
    row.sort(key=lambda d: (d.start, d.end, d.engagement.engagement_arn))
    lane_ends: list[datetime] = []
    for draft in row:
        free = [i for i, end in enumerate(lane_ends) if end + gap <= draft.start]
        if free:
            lane = free[0]
        elif len(lane_ends) < _MAX_LANES:
            lane = len(lane_ends)
            lane_ends.append(draft.end)
        else:  # more overlap than lanes: share the lane that frees first
            lane = min(range(len(lane_ends)), key=lane_ends.__getitem__)
        lane_ends[lane] = max(lane_ends[lane], draft.end)
        draft.lane = lane
    return max(1, len(lane_ends))


def _bar(draft: _Draft, x_of: Callable[[datetime], float], row_y: float, now: datetime) -> Bar:
    x = x_of(draft.start)
    return Bar(
        engagement=draft.engagement,
        start=draft.start,
        end=draft.end,
        state=draft.state,
        kind=sender_kind(draft.engagement.sender),
        lane=draft.lane,
        x=x,
        y=row_y + ROW_PAD + draft.lane * LANE_H + (LANE_H - BAR_H) / 2,
        width=max(_MIN_BAR_W, x_of(draft.end) - x),
        tooltip=_tooltip(draft, now),
        label={"open": "open", "clipped": "continues", "closed": ""}[draft.state],
    )


def _tooltip(draft: _Draft, now: datetime) -> str:
    item = draft.engagement
    kind = "Incident Manager" if sender_kind(item.sender) == "auto" else "started by hand"
    if draft.state == "open":
        stop = f"still open at {when(now)}"
    elif draft.state == "clipped":
        assert draft.stop is not None
        stop = f"{when(draft.stop)}, after the end drawn ({when(now)})"
    else:
        stop = when(draft.end)
    if draft.state == "clipped":
        assert draft.stop is not None
        lasted = duration(draft.stop - draft.start)
    else:
        lasted = duration(draft.end - draft.start) + (" so far" if draft.state == "open" else "")
    return "\n".join(
        [
            item.engagement_arn,
            f"Contact: {item.contact_arn}",
            f"Sender: {item.sender} ({kind})",
            f"Start: {when(draft.start)}",
            f"Stop: {stop}",
            f"Duration: {lasted}",
        ]
    )


def _query(incident_id: str | None, time_range: TimeRange | None) -> str | None:
    """What was asked, in words; None when the caller did not say."""
    if incident_id is None and time_range is None:
        return None
    parts = [f"incident {incident_id}" if incident_id else "every incident"]
    if time_range is not None:
        first, last = time_range.start_time, time_range.end_time
        if first and last:
            parts.append(f"started {span(first, last)}")
        elif first:
            parts.append(f"started at or after {when(first)}")
        elif last:
            parts.append(f"started at or before {when(last)}")
    return ", ".join(parts)


def _facts(
    drafts: Sequence[_Draft],
    contacts: int,
    total: int,
    undated: int,
    late: int,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Fact]:
    """What a review asks first."""
    facts = [Fact("engagements", "Engagements", f"{total:,}", "")]
    if drafts:
        first = min(d.start for d in drafts)
        last = max(d.start for d in drafts)
        still_open = sum(d.state != "closed" for d in drafts)  # at `now`
        facts = [
            Fact("window", "Window", duration(end - start), span(start, end)),
            *facts,
            Fact("contacts", "Contacts engaged", f"{contacts:,}", ""),
            Fact("first-to-last", "First to last page", duration(last - first), span(first, last)),
            Fact("open", "Still open", f"{still_open:,}", f"at {when(now)}" if still_open else ""),
        ]
        clipped = sum(d.state == "clipped" for d in drafts)
        if clipped:
            facts.append(
                Fact("clipped", "Of which stopped later", f"{clipped:,}", "cut at the end")
            )
    if undated:
        facts.append(Fact("undated", "Not drawn", f"{undated:,}", "no start time"))
    if late:
        facts.append(Fact("late", "Not drawn", f"{late:,}", f"started after {when(now)}"))
    return facts


def _text(key: str, x: float, y: float, size: int, spans: Sequence[Span]) -> Text:
    width = sum(text_width(s.text, size, bold=s.bold) for s in spans)
    return Text(key, x, y, size, width, tuple(spans))


def _flow(
    items: Sequence[tuple[float, float]], top: float
) -> tuple[list[tuple[float, float]], float]:
    """Place boxes of (lead, width) left to right, wrapping at the margin; their (x, y)
    and the y below the last line."""
    placed: list[tuple[float, float]] = []
    x, y = float(MARGIN), top
    for lead, width in items:
        if x > MARGIN and x + lead + width > WIDTH - MARGIN:
            x, y = float(MARGIN), y + _LINE
        placed.append((x, y))
        x += lead + width + _GAP
    return placed, y + _LINE


def _header(
    title: str, incident: str | None, query: str | None, facts: Sequence[Fact]
) -> tuple[float, tuple[Text, ...]]:
    """The standalone SVG's title, incident or query line and facts; the y below them."""
    texts = [_text("title", MARGIN, 28, 18, [Span(title, bold=True)])]
    y = 36.0
    line = f"Query: {query}" if query else f"Incident {incident}" if incident else None
    if line:
        texts.append(
            _text("query" if query else "incident", MARGIN, y + 14, 12, [Span(line, muted=True)])
        )
        y += 18
    spans = [
        [
            Span(f"{f.name}: ", muted=True),
            Span(f.value),
            Span(f" ({f.detail})" if f.detail else "", muted=True),
        ]
        for f in facts
    ]
    widths = [sum(text_width(s.text, 12) for s in group) for group in spans]
    places, bottom = _flow([(0.0, w) for w in widths], y + 16 - 12)
    for fact, group, (x, top) in zip(facts, spans, places, strict=True):
        texts.append(_text(f"fact-{fact.key}", x, top + 12, 12, group))
    return bottom + 12, tuple(texts)


def _legend(
    drafts: Sequence[_Draft], now: datetime, top: float
) -> tuple[tuple[LegendItem, ...], float]:
    """Swatches for what the shown bars use, then a note; the y below."""
    kinds = {sender_kind(d.engagement.sender) for d in drafts}
    manual = sorted(
        {d.engagement.sender for d in drafts if sender_kind(d.engagement.sender) == "manual"}
    )
    senders = ", ".join(cut(s, 16) for s in manual[:3]) + (", \u2026" if len(manual) > 3 else "")
    entries: list[tuple[Literal["auto", "manual", "open", "clipped", ""], str]] = []
    if "auto" in kinds:
        entries.append(("auto", "engaged by Incident Manager (sender ssm-incidents)"))
    if "manual" in kinds:
        entries.append(("manual", f"engaged by hand (sender {senders})"))
    if any(d.state == "open" for d in drafts):
        entries.append(("open", f"still open at {when(now)} (stripes: the sender's colour)"))
    if any(d.state == "clipped" for d in drafts):
        entries.append(("clipped", f"stopped after {when(now)}"))
    entries.append(("", "times in UTC; one row per contact"))
    lead = _SWATCH + 6
    sizes = [(lead if swatch else 0.0, text_width(words, 12)) for swatch, words in entries]
    places, bottom = _flow(sizes, top)
    items = tuple(
        LegendItem(
            swatch,
            x,
            y,
            _text(
                f"legend-{swatch or 'note'}",
                x + (lead if swatch else 0),
                y + 11,
                12,
                [Span(words, muted=not swatch)],
            ),
        )
        for (swatch, words), (x, y) in zip(entries, places, strict=True)
    )
    return items, bottom


def _ticks(start: datetime, end: datetime) -> tuple[int, list[datetime]]:
    """The tick step (seconds) and ticks inside [start, end], on round UTC times."""
    seconds = (end - start).total_seconds()
    step = next((s for s in _STEPS if seconds / s <= _MAX_TICKS), 0)
    if not step:
        years = math.ceil(seconds / (_MAX_TICKS * 365.25 * 86400))
        step = years * 364 * 86400
    origin = _MONDAY if step % (7 * 86400) == 0 else EPOCH
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
