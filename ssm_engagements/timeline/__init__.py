"""Draw engagements as a paging timeline: who was engaged, when and for how long.

``render_html`` returns one self-contained HTML page (inline SVG and CSS, no
scripts, no network); ``render_svg`` returns the picture alone. Both take any
iterable of :class:`~ssm_engagements.Engagement` (from either client, a
cassette or the emulator) and do no I/O. Every time in the picture is UTC.

Bars are coloured by who started the engagement: blue when Incident Manager did
(sender ``ssm-incidents``, or an AWS service principal ``*.amazonaws.com``),
purple when someone did by hand (any other sender: ``cli``, ``console``, a name).
The service does not say whether a contact is a person or an escalation plan
(both are ``contact/NAME`` ARNs), so the sender is what tells them apart.

This package is an edge, like the command line: ``import ssm_engagements`` does
not import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .._models import Engagement, TimeRange
from ._draw import render

__all__ = ["DEFAULT_MAX_ROWS", "render_html", "render_svg"]

DEFAULT_MAX_ROWS = 40
"""Rows (contacts) drawn at most by default; the rest are counted on a "+N more" line."""


def render_html(
    engagements: Iterable[Engagement],
    *,
    title: str | None = None,
    now: datetime | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    incident_id: str | None = None,
    time_range: TimeRange | None = None,
) -> str:
    """One self-contained HTML page showing ``engagements`` on a UTC time axis.

    One row per contact or escalation plan, ordered by first engagement; a bar per
    engagement from its start to its stop, coloured by sender (see the module).
    The picture shows the engagements as they were at ``now``: those without a
    stop time are still open, drawn to ``now`` hatched and labelled "open"; those
    that stopped after ``now`` are cut there, outlined, with an arrowhead and
    labelled "continues"; those that started after ``now`` are counted in the
    header, not drawn. The page has a print stylesheet, loads nothing from the
    network and runs no script; each bar's tooltip gives the engagement's ARN,
    sender, times and duration.

    Args:
        engagements: any iterable of Engagement; those without a start time are
            counted in the header but not drawn.
        title: the page's heading; default: "Paging timeline" and the incident's
            name when every engagement belongs to one incident (or ``incident_id``
            is given).
        now: the moment the picture shows (timezone-aware, any zone; shown in
            UTC); default: the current time. The window runs from the first start
            to the last stop (or ``now`` when a bar reaches it), and is at least a
            minute wide. Give the end of an old incident here, or its open
            engagements stretch the picture to today.
        max_rows: contacts drawn at most; the others are counted on a
            "+N more contacts" line.
        incident_id: the incident asked for, shown as the query in the header;
            an empty picture says that nothing matched it.
        time_range: the start-time window asked for, shown with ``incident_id``.

    Raises:
        ParamValidationError: an item that is not an Engagement, a naive
            datetime, a bad ``now``, ``title``, ``max_rows``, ``incident_id`` or
            ``time_range``.
    """
    return render(
        engagements, as_svg=False, title=title, now=now, max_rows=max_rows,
        incident_id=incident_id, time_range=time_range,
    )[0]  # fmt: skip


def render_svg(
    engagements: Iterable[Engagement],
    *,
    title: str | None = None,
    now: datetime | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    incident_id: str | None = None,
    time_range: TimeRange | None = None,
) -> str:
    """The picture of :func:`render_html` as one standalone SVG document.

    The title, the query (or incident) and the header's facts are drawn as text
    at the top. Same arguments and errors as :func:`render_html`.
    """
    return render(
        engagements, as_svg=True, title=title, now=now, max_rows=max_rows,
        incident_id=incident_id, time_range=time_range,
    )[0]  # fmt: skip
