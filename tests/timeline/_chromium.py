"""Headless Chromium for the timeline's browser test and the docs screenshot.

Debian's ``chromium`` package (``apt-get install chromium``); :func:`find` returns None
where it is not installed. Each call starts a fresh browser with a throw-away profile
and no network services.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

_FLAGS = (
    "--headless",
    "--no-sandbox",  # the test may run as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find() -> str | None:
    """The chromium executable, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(page: Path, *flags: str, timeout: float = 30) -> str:
    exe = find()
    assert exe is not None, "chromium is not installed"
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            [exe, *_FLAGS, f"--user-data-dir={profile}", *flags, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(page: Path) -> str:
    """The DOM after loading ``page`` (scripts, if any, have run), serialised as HTML."""
    return _run(page, "--dump-dom")


# Writes the rendered boxes (CSS pixels) of the elements a selector picks into the DOM,
# where --dump-dom shows them: getBoundingClientRect measures the text as drawn, in the
# fonts this machine's Chromium picked.
_BOXES = """
(() => {
  const boxes = [...document.querySelectorAll(%s)].map((e) => {
    const r = e.getBoundingClientRect();
    return {text: e.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  });
  const out = document.createElementNS(document.documentElement.namespaceURI, "desc");
  out.setAttribute("id", "text-boxes");
  out.textContent = JSON.stringify(boxes);
  document.documentElement.appendChild(out);
})();
"""


def text_boxes(document: str, selector: str, folder: Path) -> list[dict[str, float | str]]:
    """The boxes of the elements ``selector`` picks in ``document`` (an HTML page or a
    bare SVG, opened as such), as Chromium lays them out in a 1280 px wide window."""
    script = _BOXES % json.dumps(selector)
    if document.lstrip().startswith("<svg"):
        page = folder / "boxes.svg"
        marked = document.replace("</svg>", f"<script><![CDATA[{script}]]></script></svg>")
    else:
        page = folder / "boxes.html"
        marked = document.replace("</body>", f"<script>{script}</script></body>")
    page.write_text(marked, encoding="utf-8")
    dom = _run(page, "--dump-dom", "--window-size=1280,2000")
    found = re.search(r'<desc id="text-boxes">(.*?)</desc>', dom, flags=re.DOTALL)
    assert found, "the measuring script did not run"
    boxes: list[dict[str, float | str]] = json.loads(html.unescape(found[1]))
    return boxes


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    """A ``width`` x ``height`` PNG of ``page`` as a browser window shows it."""
    _run(page, f"--screenshot={png}", f"--window-size={width},{height}")
    assert png.exists(), "chromium wrote no screenshot"


def print_pdf(page: Path, pdf: Path) -> None:
    """``page`` printed to PDF with its print stylesheet, without header and footer lines."""
    _run(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.exists(), "chromium wrote no PDF"


def pdf_pages(pdf: Path) -> int:
    """How many pages a PDF has: its ``/Type /Page`` objects (not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf.read_bytes()))


def png_size(png: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_rgb(png: Path) -> list[bytes]:
    """The rows of an 8-bit RGB or RGBA PNG (as Chromium writes them), as RGB bytes."""
    data = png.read_bytes()
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        previous = line
        rows.append(
            bytes(line) if channels == 3 else bytes(b for j, b in enumerate(line) if j % 4 != 3)
        )
    return rows
