"""The layout as data: where each bar, row, tick and header text goes, and what is counted."""

from __future__ import annotations

import itertools
import random
import re
from datetime import datetime, timedelta, timezone

import pytest

from ssm_engagements import Engagement, ParamValidationError, TimeRange
from ssm_engagements.timeline import render_html, render_svg
from ssm_engagements.timeline._layout import WIDTH, X0, X1, Layout, layout, sender_kind
from ssm_engagements.timeline._text import text_width
from tests.timeline._data import ACCOUNT, INCIDENT, NOW, SAMPLE, T0, engagement, minutes


def lay(
    items: list[Engagement],
    now: datetime = NOW,
    *,
    max_rows: int = 40,
    incident_id: str | None = None,
    time_range: TimeRange | None = None,
) -> Layout:
    return layout(
        items, title=None, now=now, max_rows=max_rows, incident_id=incident_id,
        time_range=time_range, standalone=True,
    )  # fmt: skip


def x_at(chart: Layout, moment: datetime) -> float:
    return X0 + (moment - chart.start) / (chart.end - chart.start) * (X1 - X0)


def test_one_bar_per_engagement_placed_in_proportion_to_its_times() -> None:
    chart = lay(SAMPLE)
    # The window: the first start to `now`, since an engagement is still open.
    assert (chart.start, chart.end) == (T0, NOW)
    bars = {bar.engagement.engagement_arn: bar for bar in chart.bars}
    assert set(bars) == {e.engagement_arn for e in SAMPLE}
    for item in SAMPLE:
        assert item.start_time is not None
        bar = bars[item.engagement_arn]
        left, right = x_at(chart, item.start_time), x_at(chart, item.stop_time or NOW)
        assert bar.x == pytest.approx(left)
        assert bar.width == pytest.approx(max(2.0, right - left))
        assert bar.state == ("closed" if item.stop_time else "open")
    assert chart.drawn == chart.total == len(SAMPLE)


def test_open_engagements_run_to_now_are_marked_and_labelled() -> None:
    chart = lay(SAMPLE)
    (open_bar,) = [bar for bar in chart.bars if bar.state == "open"]
    assert open_bar.engagement == SAMPLE[2]
    assert open_bar.x + open_bar.width == pytest.approx(X1)
    assert open_bar.label == "open" and chart.now_x == pytest.approx(X1)
    assert "Stop: still open at 2026-01-18 11:00:00 UTC" in open_bar.tooltip
    assert "Duration: 1 h 30 min so far" in open_bar.tooltip
    closed = next(bar for bar in chart.bars if bar.engagement == SAMPLE[0])
    assert closed.label == ""
    assert "Stop: 2026-01-18 09:15:00 UTC" in closed.tooltip
    assert "Duration: 15 min 00 s" in closed.tooltip
    assert "Sender: ssm-incidents (Incident Manager)" in closed.tooltip


def test_an_old_incident_is_drawn_as_it_was_at_now_not_stretched_to_today() -> None:
    """`now` at the incident's end: open bars end there; bars that stopped later are cut
    there and marked; engagements that started later are counted, not drawn."""
    cut = T0 + minutes(40)
    items = [*SAMPLE, engagement(6, "late", minutes(70), minutes(80))]
    chart = lay(items, now=cut)
    assert chart.end == cut  # not the present, not the last stop
    states = {bar.engagement.engagement_arn: bar.state for bar in chart.bars}
    assert states == {
        SAMPLE[0].engagement_arn: "closed",
        SAMPLE[1].engagement_arn: "clipped",  # stopped at 09:50, after 09:40
        SAMPLE[2].engagement_arn: "open",
        SAMPLE[4].engagement_arn: "closed",
    }
    clipped = next(bar for bar in chart.bars if bar.state == "clipped")
    assert clipped.x + clipped.width == pytest.approx(X1)
    assert clipped.label == "continues"
    assert "Stop: 2026-01-18 09:50:00 UTC, after the end drawn" in clipped.tooltip
    assert "Duration: 45 min 00 s" in clipped.tooltip  # the whole engagement
    assert (chart.late, chart.drawn, chart.total) == (2, 4, 6)  # #4 at 09:45 and #6
    facts = {fact.key: fact for fact in chart.facts}
    assert facts["open"].value == "2" and facts["clipped"].value == "1"
    assert facts["late"].value == "2" and "started after 2026-01-18 09:40:00 UTC" in (
        facts["late"].detail
    )
    assert [item.swatch for item in chart.legend] == ["auto", "manual", "open", "clipped", ""]


def test_rows_are_contacts_in_order_of_first_engagement_and_overlaps_do_not_hide() -> None:
    chart = lay(SAMPLE)
    assert [row.label for row in chart.rows] == [
        "oncall-primary", "db-escalation", "oncall-secondary",
    ]  # fmt: skip
    tops = [row.y for row in chart.rows]
    assert tops == sorted(tops)
    for above, below in itertools.pairwise(chart.rows):
        assert above.y + above.height == below.y  # rows touch, never overlap
    bars = {bar.engagement.engagement_arn: bar for bar in chart.bars}
    inner, outer = bars[SAMPLE[4].engagement_arn], bars[SAMPLE[1].engagement_arn]
    assert inner.y != outer.y  # #5 lies within #2's time: stacked, not drawn over it
    first, later = bars[SAMPLE[0].engagement_arn], bars[SAMPLE[2].engagement_arn]
    assert first.y == later.y  # no overlap in time: one lane
    for row in chart.rows:
        for bar in row.bars:
            assert row.y <= bar.y and bar.y + 12 <= row.y + row.height


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
    chart = lay(items, now=T0 + span)
    assert 3 <= len(chart.ticks) <= 10
    times = [tick.time for tick in chart.ticks]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert len({b - a for a, b in itertools.pairwise(times)}) == 1  # evenly spaced
    for tick in chart.ticks:
        assert tick.x == pytest.approx(x_at(chart, tick.time))
        assert X0 <= tick.x <= X1
        assert re.fullmatch(label, tick.label), tick.label
        assert tick.time.utcoffset() == timedelta(0)
        if span < timedelta(days=1):
            assert tick.label == tick.time.strftime("%H:%M:%S" if len(tick.label) == 8 else "%H:%M")
    # The first tick names its date (or year): a reader needs it once.
    assert chart.ticks[0].context and not any(tick.context for tick in chart.ticks[1:])


def test_long_names_are_cut_with_an_ellipsis_but_whole_in_the_tooltip() -> None:
    names = [f"payments-platform-primary-escalation-plan-{region}" for region in ("eu", "us")]
    items = [engagement(n, name, minutes(n), minutes(n + 3)) for n, name in enumerate(names)]
    chart = lay(items)
    assert len({row.label for row in chart.rows}) == 2  # cut in the middle: ends differ
    for name, row in zip(names, chart.rows, strict=True):
        head, tail = row.label.split("\u2026")
        assert len(row.label) <= 24 and name.startswith(head) and name.endswith(tail)
        assert row.tooltip == f"{ACCOUNT}:contact/{name}\n1 engagement"
        assert text_width(row.label, 12) <= 204 - 8  # fits left of the plot
        assert f"Contact: {ACCOUNT}:contact/{name}" in row.bars[0].tooltip


def test_thousands_of_engagements_cap_the_rows_and_count_the_rest() -> None:
    rng = random.Random(14)
    items = []
    for n in range(3000):
        start = rng.uniform(0, 600)
        stop = None if n % 7 == 0 else minutes(start + rng.uniform(1, 60))  # a seventh open
        items.append(engagement(n, f"contact-{rng.randrange(500):03d}", minutes(start), stop))
    chart = lay(items, now=T0 + timedelta(hours=12), max_rows=25)
    contacts = {e.contact_arn for e in items}
    firsts = sorted(
        (min(e.start_time or NOW for e in items if e.contact_arn == c), c) for c in contacts
    )
    shown = [c for _, c in firsts[:25]]
    assert [row.contact for row in chart.rows] == shown
    hidden_bars = sum(e.contact_arn not in shown for e in items)
    assert (chart.hidden_rows, chart.hidden) == (len(contacts) - 25, hidden_bars)
    assert chart.drawn == len(chart.bars) == len(items) - hidden_bars
    assert chart.message is not None and chart.message.text.startswith(
        f"+{len(contacts) - 25:,} more contacts ({hidden_bars:,} engagements) not drawn"
    )
    assert chart.bottom_ticks_y is not None  # a tall picture repeats the times below
    assert chart.message.y > chart.bottom_ticks_y and chart.height > chart.message.y


def test_one_instant_engagement_is_still_visible() -> None:
    (bar,) = lay([engagement(1, "solo", minutes(0), minutes(0))]).bars
    assert bar.width >= 2 and bar.state == "closed"
    assert bar.x == pytest.approx(X0)


def test_the_header_states_what_a_review_asks() -> None:
    chart = lay(SAMPLE)
    assert [(f.key, f.value, f.detail) for f in chart.facts] == [
        ("window", "2 h 00 min", "2026-01-18 09:00:00 to 11:00:00 UTC"),
        ("engagements", "5", ""),
        ("contacts", "3", ""),
        ("first-to-last", "45 min 00 s", "2026-01-18 09:00:00 to 09:45:00 UTC"),
        ("open", "1", "at 2026-01-18 11:00:00 UTC"),
    ]
    assert chart.title == "Paging timeline: outage"  # named after the one incident
    assert chart.incident == INCIDENT and chart.query is None


def test_header_and_legend_texts_are_laid_out_apart_inside_the_picture() -> None:
    """Each text's box, by an upper bound of its width, is clear of the others (the
    browser test checks the same with the fonts Chromium picks)."""
    items = [*SAMPLE, engagement(9, "ghost", None), engagement(8, "late", minutes(200))]
    chart = lay(items, now=T0 + minutes(40), incident_id=INCIDENT)
    boxes = [(t.x, t.y - t.size, t.x + t.width, t.y + 4) for t in chart.header]
    boxes += [(i.x, i.y, i.text.x + i.text.width, i.y + 14) for i in chart.legend]
    assert len(boxes) == 2 + 8 + 5  # title, query; facts; legend
    for (l1, t1, r1, b1), (l2, t2, r2, b2) in itertools.combinations(boxes, 2):
        assert min(r1, r2) <= max(l1, l2) or min(b1, b2) <= max(t1, t2)
    assert all(left >= 0 and right <= WIDTH for left, _, right, _ in boxes)
    assert max(bottom for *_, bottom in boxes) < chart.axis_y - 21 - 10  # above the dates


def test_engagements_without_a_start_time_are_counted_not_drawn() -> None:
    chart = lay([*SAMPLE, engagement(9, "ghost", None)])
    assert (chart.undated, chart.drawn, chart.total) == (1, len(SAMPLE), len(SAMPLE) + 1)
    assert ("undated", "1", "no start time") in [(f.key, f.value, f.detail) for f in chart.facts]


def test_no_engagements_say_what_was_asked() -> None:
    asked = TimeRange(start_time=T0, end_time=T0 + timedelta(days=1))
    chart = lay([], incident_id=INCIDENT, time_range=asked)
    assert chart.query == (
        f"incident {INCIDENT}, started 2026-01-18 09:00:00 to 2026-01-19 09:00:00 UTC"
    )
    assert chart.message is not None and chart.message.text == "No engagements matched the query."
    assert not chart.rows and not chart.legend
    assert [t.text for t in chart.header][1] == f"Query: {chart.query}"
    chart = lay([])  # nothing asked: nothing to say about a query
    assert chart.message is not None and chart.message.text == "No engagements to draw."


def test_other_time_zones_are_drawn_in_utc() -> None:
    plus2 = timezone(timedelta(hours=2))
    item = Engagement(
        engagement_arn=f"{ACCOUNT}:engagement/a/1", contact_arn=f"{ACCOUNT}:contact/a",
        sender="cli", start_time=datetime(2026, 1, 18, 11, 0, tzinfo=plus2),
        stop_time=datetime(2026, 1, 18, 11, 30, tzinfo=plus2),
    )  # fmt: skip
    (bar,) = lay([item], now=datetime(2026, 1, 18, 12, 0, tzinfo=plus2)).bars
    assert "Start: 2026-01-18 09:00:00 UTC" in bar.tooltip
    assert bar.start == T0 and bar.start.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("sender", "kind"),
    [
        ("ssm-incidents", "auto"), ("SSM-Incidents ", "auto"),
        ("ssm-incidents.amazonaws.com", "auto"), ("cli", "manual"), ("console", "manual"),
        ("alice", "manual"), ("ssm-incidents-bot", "manual"), ("", "manual"),
    ],
)  # fmt: skip
def test_the_sender_says_who_started_an_engagement(sender: str, kind: str) -> None:
    assert sender_kind(sender) == kind
    (bar,) = lay([engagement(1, "a", minutes(0), minutes(1), sender=sender)]).bars
    assert bar.kind == kind
    legend = [item.text.text for item in lay([bar.engagement]).legend if item.swatch == kind]
    assert len(legend) == 1


def test_the_legend_names_the_senders_drawn_by_hand() -> None:
    items = [
        engagement(n, "a", minutes(n), minutes(n + 1), sender=sender)
        for n, sender in enumerate(["cli", "console", "alice", "bob", "ssm-incidents"])
    ]
    texts = {item.swatch: item.text.text for item in lay(items).legend}
    assert texts["manual"] == "engaged by hand (sender alice, bob, cli, \u2026)"
    assert texts["auto"] == "engaged by Incident Manager (sender ssm-incidents)"


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
        ({"incident_id": 3}, "incident_id"),
        ({"time_range": (T0, NOW)}, "time_range"),
        (
            {"engagements": [Engagement(engagement_arn="e", contact_arn="c", sender="s",
                                        start_time=datetime(2026, 1, 1))]},
            "engagements[0].start_time",
        ),
        (
            {"engagements": [Engagement(engagement_arn="e", contact_arn="c", sender="s",
                                        start_time=T0, stop_time=datetime(2026, 1, 1))]},
            "engagements[0].stop_time",
        ),
    ],
)  # fmt: skip
def test_bad_arguments_name_the_parameter(kwargs: dict[str, object], param: str) -> None:
    arguments: dict[str, object] = {"engagements": SAMPLE, "now": NOW, **kwargs}
    for render in (render_html, render_svg):
        with pytest.raises(ParamValidationError) as info:
            render(**arguments)  # type: ignore[arg-type]
        assert info.value.param == param
