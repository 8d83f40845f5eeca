"""The one place the timeline turns text into markup: every name, ARN, sender, title,
tooltip and query passes through :func:`escape` on its way into SVG or HTML."""

from __future__ import annotations

import html
import re

__all__ = ["escape"]

# Characters XML 1.0 forbids even when escaped; a hostile name must not break the page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """``text`` safe in XML and HTML, as element text or in a quoted attribute.

    ``& < > " '`` become character references (so ``]]>``, ``</svg>`` and
    ``<script>`` are text), and characters XML 1.0 forbids become U+FFFD.
    """
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=True)
