"""The drawing read back with real parsers: what the layout says is what the markup draws,
every text is text (never markup), and the page stands alone."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from ssm_engagements import Engagement, TimeRange
from ssm_engagements._demo_data import DEMO_INCIDENT_ID, DEMO_NOW, incident_engagements
from ssm_engagements.emulator import Emulator
from ssm_engagements.timeline import render_html, render_svg
from ssm_engagements.timeline._escape import escape
from ssm_engagements.timeline._layout import layout
from tests.timeline import _svg
from tests.timeline._data import ACCOUNT, INCIDENT, NOW, SAMPLE, T0, engagement, minutes


def test_the_svg_draws_the_layout() -> None:
    """Each bar where the layout puts it, with its class, tooltip and label."""
    items = [*SAMPLE, engagement(6, "oncall-primary", minutes(10), minutes(200))]
    now = T0 + minutes(90)
    chart = layout(
        items, title=None, now=now, max_rows=40, incident_id=None, time_range=None,
        standalone=True,
    )  # fmt: skip
    root = _svg.parse(render_svg(items, now=now))
    drawn = {bar.arn: bar for bar in _svg.bars(root)}
    assert len(drawn) == len(chart.bars) == len(items)
    for bar in chart.bars:
        seen = drawn[bar.engagement.engagement_arn]
        assert (seen.x, seen.y, seen.width) == pytest.approx((bar.x, bar.y, bar.width), abs=0.01)
        assert seen.classes == {"bar", bar.kind} | ({bar.state} - {"closed"})
        assert seen.tooltip == bar.tooltip
    assert _svg.texts(root, "open-label") == ["open"]
    assert _svg.texts(root, "clipped-label") == ["continues"]
    assert _svg.texts(root, "row-label") == [row.label for row in chart.rows]
    assert [t for t, _, _ in _svg.ticks(root)] == [tick.time for tick in chart.ticks]
    assert _svg.axis(root) == (216, 1120)
    fills = {seen.classes & {"auto", "manual"} == {"auto"}: seen.fill for seen in drawn.values()
             if "open" not in seen.classes}  # fmt: skip
    assert fills == {True: "#0072B2", False: "#CC79A7"}  # blue: Incident Manager; by hand


HOSTILE = ["<script>alert(1)</script>", "&amp;&", "\"'", "]]>", "</svg>", "x\x00\x1by"]
FIELDS = ["engagement_arn", "contact_arn", "sender", "incident_id", "title", "query"]


class _Tags(HTMLParser):
    """The elements and attributes of an HTML page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _drawn(field: str, hostile: str) -> tuple[list[Engagement], dict[str, object]]:
    values = {
        "engagement_arn": f"{ACCOUNT}:engagement/x/1", "contact_arn": f"{ACCOUNT}:contact/x",
        "sender": "cli", "incident_id": INCIDENT,
    }  # fmt: skip
    kwargs: dict[str, object] = {"now": NOW}
    if field in values:
        values[field] = f"{values[field]}{hostile}"
    elif field == "title":
        kwargs["title"] = hostile
    else:  # what was asked, shown as the query
        kwargs["incident_id"] = hostile
        kwargs["time_range"] = TimeRange(start_time=T0)
    item = Engagement(**values, start_time=T0, stop_time=T0 + minutes(5))
    return [item], kwargs


@pytest.mark.parametrize("hostile", HOSTILE, ids=["script", "amp", "quotes", "cdata", "svg", "ctl"])
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("empty", [False, True], ids=["drawn", "empty"])
def test_every_text_is_escaped_in_both_renderers(field: str, hostile: str, empty: bool) -> None:
    items, kwargs = _drawn(field, hostile)
    if empty:
        items = []
    expected = hostile.replace("\x00", "\ufffd").replace("\x1b", "\ufffd")

    svg = render_svg(items, **kwargs)  # type: ignore[arg-type]
    root = ET.fromstring(svg)  # well-formed XML, one <svg> element
    assert root.tag == f"{_svg.NS}svg"
    tags = {element.tag.removeprefix(_svg.NS) for element in root.iter()}
    assert tags <= {"svg", "title", "defs", "pattern", "rect", "g", "text", "tspan", "line", "path"}
    assert "script" not in tags
    shown = "".join(root.itertext())
    if not (empty and field not in ("title", "query")):
        assert expected in shown  # the text itself, as written

    page = render_html(items, **kwargs)  # type: ignore[arg-type]
    parsed = _Tags()
    parsed.feed(page)
    assert parsed.tags <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "p", "code", "dl",
        "div", "dt", "dd", "span", "main", "figure", "footer", "svg", "defs", "pattern", "rect",
        "g", "text", "tspan", "line", "path",
    }  # fmt: skip
    assert "on" not in {name[:2] for name in parsed.attributes}  # no event handlers
    if not (empty and field not in ("title", "query")):
        assert expected in "".join(parsed.text)
    if not empty:
        _svg.parse(page)  # the page's picture is well-formed XML too


def test_escape_turns_every_markup_character_into_a_reference() -> None:
    assert escape("<a href=\"x\" title='y'>&amp;</a>]]>") == (
        "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;&amp;amp;&lt;/a&gt;]]&gt;"
    )
    assert (
        escape("a\x00b\x08c\x0bd\x1fe\ud800f\ufffe") == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffd"
    )
    assert escape("tab\tnew\nline\r\u00e9\U0001f600") == "tab\tnew\nline\r\u00e9\U0001f600"


def test_no_engagements_is_a_page_that_says_what_was_asked() -> None:
    asked = TimeRange(start_time=T0, end_time=T0 + timedelta(hours=1))
    page = render_html([], now=NOW, incident_id=INCIDENT, time_range=asked)
    assert "No engagements matched the query." in page
    assert f"incident {INCIDENT}, started 2026-01-18 09:00:00 to 10:00:00 UTC" in page
    assert "Hover" not in page and "<svg" not in page
    root = _svg.parse(render_svg([], now=NOW, incident_id=INCIDENT, time_range=asked))
    assert not _svg.bars(root)
    assert _svg.texts(root, "empty") == ["No engagements matched the query."]
    assert _svg.texts(root, "query") == [
        f"Query: incident {INCIDENT}, started 2026-01-18 09:00:00 to 10:00:00 UTC"
    ]
    assert "No engagements to draw." in render_html([], now=NOW)


def test_the_page_is_self_contained() -> None:
    page = render_html(SAMPLE, now=NOW)
    assert page.startswith("<!DOCTYPE html>")
    assert "Hover over a bar for its engagement." in page
    import re

    urls = set(re.findall(r"\w+://[^\s\"')]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}  # a namespace name, never fetched
    for needle in ("<script", "<link", "src=", "@import", "@font-face"):
        assert needle not in page
    assert set(re.findall(r"url\(([^)]*)\)", page)) == {"#open-auto"}
    assert "@media print" in page


def test_it_draws_what_the_client_fetches_from_the_emulator() -> None:
    data = incident_engagements(60, seed=3)
    with Emulator(engagements=data) as emu, emu.client() as client:
        fetched = client.iter_engagements(incident_id=DEMO_INCIDENT_ID)  # a lazy iterator
        root = _svg.parse(render_svg(fetched, now=DEMO_NOW))
    assert {bar.arn for bar in _svg.bars(root)} == {item["EngagementArn"] for item in data}
    assert sum("open" in bar.classes for bar in _svg.bars(root)) == sum(
        "StopTime" not in i for i in data
    )


def test_importing_the_sdk_does_not_import_the_timeline() -> None:
    code = (
        "import sys, ssm_engagements; "
        "assert not [m for m in sys.modules if m.startswith('ssm_engagements.timeline')]; "
        "import ssm_engagements.timeline"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
