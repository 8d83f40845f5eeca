"""The timeline's drawing: a :class:`~._layout.Layout` written as SVG, or as an HTML page.

Positions come from the layout; every text goes through :func:`~._escape.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from .._models import Engagement, TimeRange
from .._version import __version__
from ._escape import escape
from ._layout import BAR_H, LABEL_RIGHT, WIDTH, X0, X1, Bar, Layout, LegendItem, Span, Text
from ._layout import layout as _layout
from ._text import when

__all__ = ["html", "render", "svg"]


def render(
    engagements: Iterable[Engagement],
    *,
    as_svg: bool,
    title: str | None,
    now: datetime | None,
    max_rows: int,
    incident_id: str | None,
    time_range: TimeRange | None,
) -> tuple[str, Layout]:
    """The bare SVG document (``as_svg``) or the HTML page, and the layout drawn."""
    chart = _layout(
        engagements, title=title, now=now, max_rows=max_rows, incident_id=incident_id,
        time_range=time_range, standalone=as_svg,
    )  # fmt: skip
    return (svg(chart, standalone=True) if as_svg else html(chart)), chart


# Okabe-Ito colours, distinguishable with every common colour-vision deficiency: blue
# and purple tell the sender; open bars also differ in pattern and outline, so they
# survive greyscale printing.
_AUTO = "#0072B2"  # blue: engaged by Incident Manager
_MANUAL = "#CC79A7"  # reddish purple: engaged by hand
_OPEN_STROKE = "#D55E00"
_OPEN_LIGHT = "#FBE3C4"
_OPEN_TEXT = "#A3410A"
_INK, _MUTED, _GRID, _STRIPE = "#1F2328", "#57606A", "#D0D7DE", "#F3F5F7"
_FILL = {"auto": _AUTO, "manual": _MANUAL}
_FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
    "'Liberation Sans', 'DejaVu Sans', sans-serif"
)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _span(span: Span) -> str:
    style = (f' fill="{_MUTED}"' if span.muted else "") + (
        ' font-weight="700"' if span.bold else ""
    )
    return f"<tspan{style}>{escape(span.text)}</tspan>" if style else escape(span.text)


def _text(text: Text, extra: str = "") -> str:
    spans = "".join(_span(s) for s in text.spans if s.text)
    return (
        f'<text class="{text.key}" x="{_n(text.x)}" y="{_n(text.y)}" '
        f'font-size="{text.size}"{extra}>{spans}</text>'
    )


def svg(chart: Layout, *, standalone: bool) -> str:
    """The picture as one ``<svg>`` element (a document of its own when standalone)."""
    out: list[str] = []
    if standalone:
        out.append('<g class="header">')
        out.extend(_text(t) for t in chart.header)
        out.append("</g>")
    if chart.legend:
        out.append('<g class="legend">')
        out.extend(_swatch(item) + _text(item.text) for item in chart.legend)
        out.append("</g>")

    out.append('<g class="rows">')
    for row in chart.rows:
        if row.striped:
            out.append(
                f'<rect x="8" y="{_n(row.y)}" width="{WIDTH - 16}" height="{_n(row.height)}" '
                f'fill="{_STRIPE}"/>'
            )
        out.append(
            f'<text class="row-label" x="{LABEL_RIGHT}" '
            f'y="{_n(row.y + row.height / 2 + 4)}" font-size="12" text-anchor="end">'
            f"<title>{escape(row.tooltip)}</title>{escape(row.label)}</text>"
        )
    out.append("</g>")

    if chart.rows:
        out.append('<g class="axis">')
        axis = _n(chart.axis_y)
        out.append(f'<line x1="{X0}" y1="{axis}" x2="{X1}" y2="{axis}" stroke="{_MUTED}"/>')
        for tick in chart.ticks:
            x = _n(tick.x)
            out.append(f'<g class="tick" data-time="{escape(tick.time.isoformat())}">')
            out.append(
                f'<line x1="{x}" y1="{_n(chart.axis_y - 4)}" x2="{x}" '
                f'y2="{_n(chart.rows_bottom)}" stroke="{_GRID}"/>'
            )
            out.append(
                f'<text x="{x}" y="{_n(chart.axis_y - 8)}" font-size="11" '
                f'text-anchor="middle" fill="{_INK}">{escape(tick.label)}</text>'
            )
            if tick.context:
                out.append(
                    f'<text x="{x}" y="{_n(chart.axis_y - 21)}" font-size="10" '
                    f'text-anchor="middle" fill="{_MUTED}">{escape(tick.context)}</text>'
                )
            out.append("</g>")
        out.append("</g>")
    if chart.bottom_ticks_y is not None:
        out.append('<g class="axis-bottom">')
        out.extend(
            f'<text x="{_n(tick.x)}" y="{_n(chart.bottom_ticks_y)}" font-size="11" '
            f'text-anchor="middle" fill="{_INK}">{escape(tick.label)}</text>'
            for tick in chart.ticks
        )
        out.append("</g>")
    if chart.now_x is not None:
        x = _n(chart.now_x)
        out.append(
            f'<g class="now"><line x1="{x}" y1="{_n(chart.axis_y)}" x2="{x}" '
            f'y2="{_n(chart.rows_bottom)}" stroke="{_OPEN_STROKE}" stroke-dasharray="3 3"/></g>'
        )
    out.append('<g class="bars">')
    out.extend(_bar(bar) for row in chart.rows for bar in row.bars)
    out.append("</g>")
    if chart.message is not None:
        italic = ' font-style="italic"' if chart.message.key == "more" else ""
        out.append(_text(chart.message, extra=italic))
    return _document(chart, out)


def _bar(bar: Bar) -> str:
    fill = _FILL[bar.kind]
    if bar.state == "open":
        style = f'fill="url(#open-{bar.kind})" stroke="{_OPEN_STROKE}" stroke-width="1"'
    elif bar.state == "clipped":
        style = f'fill="{fill}" stroke="{_OPEN_STROKE}" stroke-width="1.5"'
    else:
        style = f'fill="{fill}"'
    classes = f"bar {bar.kind}" + ("" if bar.state == "closed" else f" {bar.state}")
    drawn = (
        f'<rect class="{classes}" x="{_n(bar.x)}" y="{_n(bar.y)}" width="{_n(bar.width)}" '
        f'height="{BAR_H}" rx="2" {style}><title>{escape(bar.tooltip)}</title></rect>'
    )
    if bar.state == "clipped":  # an arrowhead past the cut: the bar goes on
        tip = bar.x + bar.width
        drawn += (
            f'<path class="cut" d="M{_n(tip + 1)} {_n(bar.y)} l5 {_n(BAR_H / 2)} '
            f'l-5 {_n(BAR_H / 2)} z" fill="{_OPEN_STROKE}"/>'
        )
        label_x = tip + 9
    else:
        label_x = bar.x + bar.width + 5
    if bar.label:
        drawn += (
            f'<text class="{bar.state}-label" x="{_n(label_x)}" y="{_n(bar.y + BAR_H - 2)}" '
            f'font-size="10" font-weight="600" fill="{_OPEN_TEXT}">{escape(bar.label)}</text>'
        )
    return drawn


def _swatch(item: LegendItem) -> str:
    y = _n(item.y + 1)
    box = f'x="{_n(item.x)}" y="{y}" width="22" height="{BAR_H}" rx="2"'
    if item.swatch in ("auto", "manual"):
        return f'<rect {box} fill="{_FILL[item.swatch]}"/>'
    if item.swatch == "open":
        return f'<rect {box} fill="url(#open-auto)" stroke="{_OPEN_STROKE}"/>'
    if item.swatch == "clipped":
        return f'<rect {box} fill="{_AUTO}" stroke="{_OPEN_STROKE}" stroke-width="1.5"/>'
    return ""


def _document(chart: Layout, body: list[str]) -> str:
    h = _n(math.ceil(chart.height))
    hatches = [
        f'<pattern id="open-{kind}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{_OPEN_LIGHT}"/>'
        f'<rect width="3" height="6" fill="{colour}" fill-opacity="0.55"/></pattern>'
        for kind, colour in _FILL.items()
    ]
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" '
            f'height="{h}" viewBox="0 0 {WIDTH} {h}" role="img" aria-labelledby="timeline-title" '
            f'font-family="{escape(_FONT)}" fill="{_INK}">',
            f'<title id="timeline-title">{escape(chart.title)}</title>',
            "<defs>",
            *hatches,
            "</defs>",
            f'<rect width="{WIDTH}" height="{h}" fill="#FFFFFF"/>',
            *body,
            "</svg>",
        ]
    )


def html(chart: Layout) -> str:
    """One self-contained HTML page: the header as HTML, the picture as inline SVG."""
    facts = "\n".join(
        f'<div><dt>{escape(f.name)}</dt><dd data-fact="{escape(f.key)}">{escape(f.value)}'
        + (f' <span class="detail">{escape(f.detail)}</span>' if f.detail else "")
        + "</dd></div>"
        for f in chart.facts
    )
    if chart.query:
        asked = f'<p class="query">Query: <code>{escape(chart.query)}</code></p>\n'
    elif chart.incident:
        asked = f'<p class="incident">Incident <code>{escape(chart.incident)}</code></p>\n'
    else:
        asked = ""
    if chart.rows:
        body = f"<figure>\n{svg(chart, standalone=False)}\n</figure>"
        hint = "\nHover over a bar for its engagement."
    else:
        assert chart.message is not None
        body = f'<p class="empty">{escape(chart.message.text)}</p>'
        hint = ""
    version = escape(__version__)
    drawn = f"Drawn by ssm-engagements {version} as of {escape(when(chart.now))}."
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ssm-engagements {version}">
<title>{escape(chart.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{escape(chart.title)}</h1>
{asked}<dl class="facts">
{facts}
</dl>
</header>
<main>
{body}
</main>
<footer>All times UTC. {drawn}{hint}</footer>
</body>
</html>
"""


_CSS = """
:root { color-scheme: light; }
body {
  margin: 24px auto; padding: 0 16px; max-width: 1232px; background: #fff; color: #1f2328;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Liberation Sans", "DejaVu Sans", sans-serif;
}
h1 { font-size: 22px; margin: 0 0 4px; }
.incident, .query { margin: 0 0 14px; color: #57606a; overflow-wrap: anywhere; }
.incident code, .query code { font-size: 13px; }
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
