"""Make the docs' screenshot of ``ssm-engagements timeline --demo`` with headless Chromium.

Run ``nox -s screenshot`` (or ``python -m tests.timeline.screenshot [PNG]``); it writes
docs/_static/timeline-demo.png by default. The demo is deterministic (fixed data and a
fixed "now"), so the picture changes only when the drawing does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.timeline import _chromium

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PNG = ROOT / "docs" / "_static" / "timeline-demo.png"
WIDTH = 1280
CHROME = 250  # the page around the picture: heading, facts, footer, margins (CSS pixels)


def demo_page(folder: Path) -> Path:
    """``timeline --demo`` written into ``folder``, as a user runs it."""
    page = folder / "timeline.html"
    subprocess.run(
        [sys.executable, "-m", "ssm_engagements", "timeline", "--demo", "-o", str(page)],
        check=True, capture_output=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    return page


def page_height(page: Path) -> int:
    """The window height that shows the whole page: the picture's height plus the rest."""
    found = re.search(r'<svg [^>]*height="(\d+)"', page.read_text(encoding="utf-8"))
    assert found, "no picture in the page"
    return int(found[1]) + CHROME


def main(argv: list[str]) -> int:
    if _chromium.find() is None:
        print("chromium is not installed (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    target = Path(argv[0]) if argv else DEFAULT_PNG
    with tempfile.TemporaryDirectory() as folder:
        page = demo_page(Path(folder))
        _chromium.screenshot(page, target, WIDTH, page_height(page))
    width, height = _chromium.png_size(target)
    print(f"wrote {target} ({width}x{height}, {target.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
