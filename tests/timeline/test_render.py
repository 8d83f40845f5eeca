"""The picture read back with a real XML parser: bars, times, rows, axis, escaping, limits."""

from __future__ import annotations

import html
import itertools
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

import pytest

from ssm_engagements import Engagement, ParamValidationError
from ssm_engagements._demo_data import DEMO_INCIDENT_ID, DEMO_NOW, incident_engagements
from ssm_engagements.emulator import Emulator
from ssm_engagements.timeline import render_html, render_svg
from tests.timeline import _svg

UTC = timezone.utc
T0 = datetime(2026, 1, 18, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
ACCOUNT = "arn:aws:ssm-contacts:us-east-2:111122223333"
INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/outage/0123abcd"


def engagement(
    n: int, contact: str, start: timedelta | None, stop: timedelta | None = None, **extra: str
) -> Engagement:
    return Engagement(
        engagement_arn=f"{ACCOUNT}:engagement/{contact}/{n:08x}-1f2e-4d3c-8b7a-0123456789ab",
        contact_arn=f"{ACCOUNT}:contact/{contact}",
        sender=extra.get("sender", "outage"),
        incident_id=extra.get("incident", INCIDENT),
        start_time=None if start is None else T0 + start,
        stop_time=None if stop is None else T0 + stop,
    )


def minutes(m: float) -> timedelta:
    return timedelta(minutes=m)


SAMPLE = [
    engagement(1, "oncall-primary", minutes(0), minutes(15)),
    engagement(2, "db-escalation", minutes(5), minutes(50)),
    engagement(3, "oncall-primary", minutes(30), None),  # still open
    engagement(4, "oncall-secondary", minutes(45), minutes(46)),
    engagement(5, "db-escalation", minutes(20), minutes(25)),  # inside #2: its own lane
]


def window(items: Iterable[Engagement], now: datetime) -> tuple[datetime, datetime]:
    """The documented window: first start to the last stop, or `now` when one is open; at
    least a minute wide."""
    dated = [e for e in items if e.start_time]
    start = min(e.start_time for e in dated if e.start_time)
    end = max(e.stop_time or now for e in dated)
    return start, max(end, start + timedelta(minutes=1))


def expected_x(
    moment: datetime, items: Iterable[Engagement], root: ET.Element, now: datetime
) -> float:
    start, end = window(items, now)
    x0, x1 = _svg.axis(root)
    return x0 + (moment - start) / (end - start) * (x1 - x0)


def test_one_bar_per_engagement_placed_in_proportion_to_its_times() -> None:
    root = _svg.parse(render_svg(SAMPLE, now=NOW))
    bars = {bar.arn: bar for bar in _svg.bars(root)}
    assert set(bars) == {e.engagement_arn for e in SAMPLE}
    for item in SAMPLE:
        assert item.start_time is not None
        bar = bars[item.engagement_arn]
        left = expected_x(item.start_time, SAMPLE, root, NOW)
        right = expected_x(item.stop_time or NOW, SAMPLE, root, NOW)
        assert bar.x == pytest.approx(left, abs=0.01)
        assert bar.width == pytest.approx(max(2.0, right - left), abs=0.02)
        assert bar.is_open == (item.stop_time is None)


def test_open_engagements_run_to_now_are_marked_and_labelled() -> None:
    root = _svg.parse(render_svg(SAMPLE, now=NOW))
    (open_bar,) = [bar for bar in _svg.bars(root) if bar.is_open]
    assert open_bar.arn == SAMPLE[2].engagement_arn
    assert open_bar.x + open_bar.width == pytest.approx(_svg.axis(root)[1], abs=0.01)
    assert "still open at 2026-01-18 11:00:00 UTC" in open_bar.tooltip
    assert "Duration: 1 h 30 min so far" in open_bar.tooltip
    assert _svg.texts(root, "open-label") == ["open"]
    closed = next(bar for bar in _svg.bars(root) if bar.arn == SAMPLE[0].engagement_arn)
    assert "Stop: 2026-01-18 09:15:00 UTC" in closed.tooltip
    assert "Duration: 15 min 00 s" in closed.tooltip
    assert "Sender: outage" in closed.tooltip


def test_rows_are_contacts_in_order_of_first_engagement_and_overlaps_do_not_hide() -> None:
    root = _svg.parse(render_svg(SAMPLE, now=NOW))
    assert _svg.texts(root, "row-label") == ["oncall-primary", "db-escalation", "oncall-secondary"]
    bars = {bar.arn: bar for bar in _svg.bars(root)}
    inner, outer = bars[SAMPLE[4].engagement_arn], bars[SAMPLE[1].engagement_arn]
    assert inner.y != outer.y  # #5 lies within #2's time: stacked, not drawn over it
    first, later = bars[SAMPLE[0].engagement_arn], bars[SAMPLE[2].engagement_arn]
    assert first.y == later.y  # no overlap in time: one lane


@pytest.mark.parametrize(
    ("span", "label"),
    [
        (timedelta(seconds=40), r"\d\d:\d\d:\d\d"),
        (timedelta(minutes=25), r"\d\d:\d\d"),
        (timedelta(hours=7), r"\d\d:00"),
        (timedelta(days=9), r"[A-Z][a-z]{2} \d{1,2}"),
        (timedelta(weeks=9), r"[A-Z][a-z]{2} \d{1,2}"),
    ],
    ids=["seconds", "minutes", "hours", "days", "weeks"],
)
def test_axis_ticks_suit_the_span_and_sit_at_their_times(span: timedelta, label: str) -> None:
    items = [
        engagement(1, "a", timedelta(seconds=3), timedelta(seconds=5)),
        engagement(2, "b", span / 2, span),
    ]
    root = _svg.parse(render_svg(items, now=T0 + span))
    ticks = _svg.ticks(root)
    assert 3 <= len(ticks) <= 10
    times = [t for t, _, _ in ticks]
    xs = [x for _, x, _ in ticks]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert xs == sorted(xs)
    steps = {b - a for a, b in itertools.pairwise(times)}
    assert len(steps) == 1  # evenly spaced
    for moment, x, texts in ticks:
        assert x == pytest.approx(expected_x(moment, items, root, T0 + span), abs=0.01)
        assert re.fullmatch(label, texts[0]), texts
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
        if span < timedelta(days=1):
            assert texts[0] == moment.strftime("%H:%M:%S" if len(texts[0]) == 8 else "%H:%M")
    # The first tick names its date (or year): a reader needs it once.
    assert len(ticks[0][2]) == 2


HOSTILE = "<script>alert('x')</script>&\"amp;'"


def test_hostile_names_are_text_not_markup() -> None:
    items = [
        Engagement(
            engagement_arn=f"{ACCOUNT}:engagement/x/<img src=x onerror=alert(1)>",
            contact_arn=f"{ACCOUNT}:contact/{HOSTILE}",
            sender="</title><script>alert(2)</script>\x00\x1b",
            incident_id=INCIDENT,
            start_time=T0,
            stop_time=T0 + minutes(5),
        )
    ]
    svg, page = render_svg(items, now=NOW), render_html(items, now=NOW, title=HOSTILE)
    root = _svg.parse(svg)  # well-formed XML despite the markup and control characters
    assert not [e for e in root.iter() if e.tag.endswith(("script", "img"))]
    (bar,) = _svg.bars(root)
    assert "<img src=x onerror=alert(1)>" in bar.tooltip
    assert "Sender: </title><script>alert(2)</script>\ufffd\ufffd" in bar.tooltip
    label = _svg.texts(root, "row-label")[0]
    assert label.startswith("<script>") and "\u2026" in label
    _svg.parse(page)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert f"<h1>{html.escape(HOSTILE)}</h1>" in page


def test_long_names_are_cut_with_an_ellipsis_but_whole_in_the_tooltip() -> None:
    names = [f"payments-platform-primary-escalation-plan-{region}" for region in ("eu", "us")]
    items = [engagement(n, name, minutes(n), minutes(n + 3)) for n, name in enumerate(names)]
    root = _svg.parse(render_svg(items, now=NOW))
    labels = _svg.texts(root, "row-label")
    assert len(set(labels)) == 2  # cut in the middle: the distinct ends stay readable
    for name, label in zip(names, labels, strict=True):
        head, tail = label.split("\u2026")
        assert len(label) <= 24 and name.startswith(head) and name.endswith(tail)
    label_title = next(
        t for t in root.iter(f"{_svg.NS}text") if "row-label" in _svg.classes(t)
    ).find(f"{_svg.NS}title")
    assert label_title is not None and f"contact/{names[0]}" in (label_title.text or "")
    bar = _svg.bars(root)[0]
    assert f"Contact: {ACCOUNT}:contact/{names[0]}" in bar.tooltip


def test_thousands_of_engagements_cap_the_rows_and_count_the_rest() -> None:
    rng = random.Random(14)
    items = []
    for n in range(3000):
        start = rng.uniform(0, 600)
        stop = None if n % 7 == 0 else minutes(start + rng.uniform(1, 60))  # a seventh open
        items.append(engagement(n, f"contact-{rng.randrange(500):03d}", minutes(start), stop))
    root = _svg.parse(render_svg(items, now=T0 + timedelta(hours=12), max_rows=25))
    labels = _svg.texts(root, "row-label")
    assert len(labels) == 25
    contacts = {e.contact_arn for e in items}
    firsts = sorted(
        ((min(e.start_time for e in items if e.contact_arn == c), c) for c in contacts),
    )
    shown = [c for _, c in firsts[:25]]
    assert labels == [c.rsplit("/", 1)[1] for c in shown]
    hidden = len(contacts) - 25
    hidden_bars = sum(e.contact_arn not in shown for e in items)
    (more,) = _svg.texts(root, "more")
    assert more.startswith(f"+{hidden:,} more contacts ({hidden_bars:,} engagements) not drawn")
    assert len(_svg.bars(root)) == len(items) - hidden_bars


def test_no_engagements_is_a_page_that_says_so() -> None:
    page = render_html([], now=NOW, title="Paging timeline: outage")
    assert "No engagements to draw." in page
    assert "<svg" not in page
    root = _svg.parse(render_svg([], now=NOW))
    assert not _svg.bars(root)
    assert any("No engagements" in (t.text or "") for t in root.iter(f"{_svg.NS}text"))


def test_one_instant_engagement_is_still_visible() -> None:
    root = _svg.parse(render_svg([engagement(1, "solo", minutes(0), minutes(0))], now=NOW))
    (bar,) = _svg.bars(root)
    assert bar.width >= 2 and not bar.is_open


def test_the_header_states_what_a_review_asks() -> None:
    page = render_html(SAMPLE, now=NOW)
    facts = dict(re.findall(r'data-fact="([\w-]+)">([^<]*)', page))
    assert facts == {
        "window": "2 h 00 min ",
        "engagements": "5",
        "contacts": "3",
        "first-to-last": "45 min 00 s ",
        "open": "1 ",
    }
    assert "2026-01-18 09:00:00 to 11:00:00 UTC" in page
    assert "<h1>Paging timeline: outage</h1>" in page  # named after the one incident
    assert INCIDENT in page


def test_engagements_without_a_start_time_are_counted_not_drawn() -> None:
    items = [*SAMPLE, engagement(9, "ghost", None)]
    page = render_html(items, now=NOW)
    assert 'data-fact="undated">1' in page
    assert len(_svg.bars(_svg.parse(page))) == len(SAMPLE)


def test_the_page_is_self_contained() -> None:
    page = render_html(SAMPLE, now=NOW)
    assert page.startswith("<!DOCTYPE html>")
    urls = set(re.findall(r"\w+://[^\s\"')]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}  # a namespace name, never fetched
    for needle in ("<script", "<link", "src=", "@import", "@font-face"):
        assert needle not in page
    assert set(re.findall(r"url\(([^)]*)\)", page)) == {"#open-hatch"}
    assert "@media print" in page


def test_other_time_zones_are_drawn_in_utc() -> None:
    plus2 = timezone(timedelta(hours=2))
    item = Engagement(
        engagement_arn=f"{ACCOUNT}:engagement/a/1", contact_arn=f"{ACCOUNT}:contact/a",
        sender="cli", start_time=datetime(2026, 1, 18, 11, 0, tzinfo=plus2),
        stop_time=datetime(2026, 1, 18, 11, 30, tzinfo=plus2),
    )  # fmt: skip
    (bar,) = _svg.bars(_svg.parse(render_svg([item], now=NOW)))
    assert "Start: 2026-01-18 09:00:00 UTC" in bar.tooltip


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"engagements": [SAMPLE[0], "not one"]}, "engagements[1]"),
        ({"engagements": 5}, "engagements"),
        ({"now": datetime(2026, 1, 1)}, "now"),  # naive
        ({"now": "2026-01-01"}, "now"),
        ({"max_rows": 0}, "max_rows"),
        ({"max_rows": True}, "max_rows"),
        ({"title": 3}, "title"),
        (
            {"engagements": [Engagement(engagement_arn="e", contact_arn="c", sender="s",
                                        start_time=datetime(2026, 1, 1))]},
            "engagements[0].start_time",
        ),
    ],
)  # fmt: skip
def test_bad_arguments_name_the_parameter(kwargs: dict[str, object], param: str) -> None:
    arguments: dict[str, object] = {"engagements": SAMPLE, "now": NOW, **kwargs}
    for render in (render_html, render_svg):
        with pytest.raises(ParamValidationError) as info:
            render(**arguments)  # type: ignore[arg-type]
        assert info.value.param == param


def test_it_draws_what_the_client_fetches_from_the_emulator() -> None:
    data = incident_engagements(60, seed=3)
    with Emulator(engagements=data) as emu, emu.client() as client:
        fetched = client.iter_engagements(incident_id=DEMO_INCIDENT_ID)  # a lazy iterator
        root = _svg.parse(render_svg(fetched, now=DEMO_NOW))
    assert {bar.arn for bar in _svg.bars(root)} == {item["EngagementArn"] for item in data}
    assert sum(bar.is_open for bar in _svg.bars(root)) == sum("StopTime" not in i for i in data)


def test_importing_the_sdk_does_not_import_the_timeline() -> None:
    code = (
        "import sys, ssm_engagements; "
        "assert 'ssm_engagements.timeline' not in sys.modules, 'timeline imported'; "
        "import ssm_engagements.timeline"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
