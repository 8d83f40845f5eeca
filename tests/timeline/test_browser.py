"""The demo timeline in a real browser: headless Chromium renders, shows and prints it.

Needs Debian's ``chromium`` package (.ci/run installs it when it can); skipped, with the
reason, where it is not installed.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ssm_engagements import Engagement
from ssm_engagements._demo_data import incident_engagements
from ssm_engagements.timeline import render_html
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
    classes = Counter(re.findall(r'<rect class="(bar(?: open)?)"', dom))
    assert classes == {"bar": len(DEMO) - OPEN, "bar open": OPEN}
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
