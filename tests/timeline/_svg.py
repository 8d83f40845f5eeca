"""Reading a timeline picture back with a real XML parser, as the tests look at it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import attrs

NS = "{http://www.w3.org/2000/svg}"


@attrs.frozen
class Bar:
    x: float
    y: float
    width: float
    classes: set[str]
    fill: str
    tooltip: str

    @property
    def arn(self) -> str:
        return self.tooltip.splitlines()[0]


def parse(svg: str) -> ET.Element:
    """The SVG document (or the one SVG inside an HTML page), parsed as XML."""
    if not svg.lstrip().startswith("<svg"):
        found = re.search(r"<svg\b.*</svg>", svg, flags=re.DOTALL)
        assert found, "no <svg> in the page"
        svg = found.group()
    return ET.fromstring(svg)


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def bars(root: ET.Element) -> list[Bar]:
    found = []
    for rect in root.iter(f"{NS}rect"):
        if "bar" in classes(rect):
            title = rect.find(f"{NS}title")
            assert title is not None and title.text, "a bar without a tooltip"
            found.append(
                Bar(
                    float(rect.get("x", "nan")),
                    float(rect.get("y", "nan")),
                    float(rect.get("width", "nan")),
                    classes(rect),
                    rect.get("fill", ""),
                    title.text,
                )
            )
    return found


def axis(root: ET.Element) -> tuple[float, float]:
    """The x of the time axis' two ends: the window's start and end."""
    group = next(g for g in root.iter(f"{NS}g") if "axis" in classes(g))
    line = group.find(f"{NS}line")
    assert line is not None
    return float(line.get("x1", "nan")), float(line.get("x2", "nan"))


def ticks(root: ET.Element) -> list[tuple[datetime, float, list[str]]]:
    """(time, x, label texts) of each axis tick, in document order."""
    found = []
    for group in root.iter(f"{NS}g"):
        if "tick" in classes(group):
            line = group.find(f"{NS}line")
            assert line is not None
            texts = [t.text or "" for t in group.iter(f"{NS}text")]
            found.append(
                (
                    datetime.fromisoformat(group.get("data-time", "")),
                    float(line.get("x1", "")),
                    texts,
                )
            )
    return found


def own_text(element: ET.Element) -> str:
    """An element's text with its <tspan>s' but without a <title> tooltip's."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{NS}tspan":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def texts(root: ET.Element, cls: str) -> list[str]:
    """The text (without tooltips) of the <text> elements of class ``cls``."""
    return [own_text(t) for t in root.iter(f"{NS}text") if cls in classes(t)]
