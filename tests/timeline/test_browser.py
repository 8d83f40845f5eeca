"""The demo timeline in a real browser: headless Chromium renders, shows and prints it.

Needs Debian's ``chromium`` package (.ci/run installs it when it can); skipped, with the
reason, where it is not installed.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ssm_engagements import Engagement
from ssm_engagements._converter import structure_response
from ssm_engagements._demo_data import DEMO_INCIDENT_ID, DEMO_NOW, incident_engagements
from ssm_engagements.timeline import render_html, render_svg
from tests.timeline import _chromium
from tests.timeline.screenshot import WIDTH, demo_page, page_height

pytestmark = pytest.mark.skipif(
    _chromium.find() is None,
    reason="headless Chromium is not installed (Debian: apt-get install chromium)",
)

DEMO = incident_engagements()
OPEN = sum("StopTime" not in item for item in DEMO)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_page(tmp_path_factory.mktemp("timeline"))


def test_chromium_builds_the_picture_into_its_dom(page: Path) -> None:
    dom = _chromium.dump_dom(page)
    assert "<h1>Paging timeline: demo-outage</h1>" in dom
    classes = Counter("open" in c.split() for c in re.findall(r'<rect class="(bar\b[^"]*)"', dom))
    assert classes == {False: len(DEMO) - OPEN, True: OPEN}
    assert re.search(r'<dd data-fact="engagements">250\b', dom)
    assert dom.count('class="row-label"') == len({item["ContactArn"] for item in DEMO})


def test_the_screenshot_shows_bars_of_both_kinds(page: Path, tmp_path: Path) -> None:
    png = tmp_path / "shot.png"
    height = page_height(page)
    _chromium.screenshot(page, png, WIDTH, height)
    assert _chromium.png_size(png) == (WIDTH, height)
    rows = _chromium.png_rgb(png)
    closed, hatch_edge = bytes.fromhex("0072B2"), bytes.fromhex("D55E00")
    assert sum(row.count(closed) for row in rows) > 20_000  # blue bars, not a blank page
    assert sum(row.count(hatch_edge) for row in rows) > 500  # open bars' outline and "now"
    # Everything is drawn inside the window: the last column and rows are background.
    white = b"\xff\xff\xff"
    assert all(row[-3:] == white for row in rows)
    assert rows[-1] == white * WIDTH


def test_it_prints_on_one_page(page: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "t.pdf"
    _chromium.print_pdf(page, pdf)
    assert _chromium.pdf_pages(pdf) == 1


def test_hostile_names_do_not_run_in_the_browser(tmp_path: Path) -> None:
    attack = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
    item = Engagement(
        engagement_arn="arn:aws:ssm-contacts:us-east-2:111122223333:engagement/x/1",
        contact_arn=f"arn:aws:ssm-contacts:us-east-2:111122223333:contact/{attack}",
        sender=attack, start_time=datetime(2026, 1, 18, 9, tzinfo=timezone.utc),
    )  # fmt: skip
    page = tmp_path / "hostile.html"
    page.write_text(
        render_html([item], title=attack, now=datetime(2026, 1, 18, 10, tzinfo=timezone.utc)),
        encoding="utf-8",
    )
    dom = _chromium.dump_dom(page)
    title = re.search(r"<title>(.*?)</title>", dom, flags=re.DOTALL)
    assert title, "no <title>"  # had a script run, it would read just "pwned"
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in title[1]
    assert "<script" not in dom and "<img" not in dom


def overlaps(boxes: list[dict[str, float | str]]) -> list[tuple[str, str]]:
    """The pairs of boxes that share more than half a pixel each way."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            wide = min(float(a["right"]), float(b["right"])) - max(
                float(a["left"]), float(b["left"])
            )
            high = min(float(a["bottom"]), float(b["bottom"])) - max(
                float(a["top"]), float(b["top"])
            )
            if wide > 0.5 and high > 0.5:
                found.append((str(a["text"]), str(b["text"])))
    return found


@pytest.mark.parametrize("kind", ["svg", "html"])
@pytest.mark.parametrize("now", [DEMO_NOW, DEMO_NOW - timedelta(hours=3)], ids=["demo", "cut"])
def test_header_and_legend_texts_do_not_overlap(kind: str, now: datetime, tmp_path: Path) -> None:
    items = [*structure_response({"Engagements": DEMO}, None).engagements, Engagement(
        engagement_arn="arn:aws:ssm-contacts:us-east-2:111122223333:engagement/x/1",
        contact_arn="arn:aws:ssm-contacts:us-east-2:111122223333:contact/x", sender="cli",
    )]  # fmt: skip
    if kind == "svg":
        document = render_svg(items, now=now, incident_id=DEMO_INCIDENT_ID)
        selector, width = ".header text, .legend text, .legend rect", 1200
    else:
        document = render_html(items, now=now, incident_id=DEMO_INCIDENT_ID)
        selector, width = "h1, header p, dl.facts > div, .legend text, .legend rect", 1280
    boxes = _chromium.text_boxes(document, selector, tmp_path)
    assert len(boxes) >= 8
    assert overlaps(boxes) == []
    assert all(float(box["left"]) >= 0 and float(box["right"]) <= width for box in boxes)
