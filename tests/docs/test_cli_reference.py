"""docs/reference/cli.md is hand-written: it must name every option of ``--help``, and no other."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

cli = pytest.importorskip("ssm_engagements._cli")

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def _help(*command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main([*command, "--help"])
    assert status == 0
    return out.getvalue()


def _options(help_text: str) -> set[str]:
    """The options of an argparse help: those in its "options:" section."""
    section = help_text.split("options:", 1)[1].split("\n\n", 1)[0]
    return {m.group() for line in section.splitlines() for m in [_OPTION.search(line)] if m}


def _documented(heading: str) -> set[str]:
    """The options in the first column of the table under ``heading``."""
    text = PAGE.read_text(encoding="utf-8")
    part = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in part.splitlines() if line.startswith("| `-")]
    return {m.group() for row in rows for m in _OPTION.finditer(row.split("|")[1])}


@pytest.mark.parametrize(
    ("command", "heading"),
    [((), "# Command line"), (("list",), "## `ssm-engagements list`"),
     (("timeline",), "## `ssm-engagements timeline`"),
     (("follow",), "## `ssm-engagements follow`"),
     (("emulator",), "## `ssm-engagements emulator`")],
)  # fmt: skip
def test_the_page_documents_exactly_the_options_of_help(
    command: tuple[str, ...], heading: str
) -> None:
    expected = _options(_help(*command))
    if command:
        expected.discard("--help")  # every command has it; the page says so once, at the top
    assert _documented(heading) == expected


def test_the_page_names_every_command() -> None:
    text = PAGE.read_text(encoding="utf-8")
    listed = re.findall(r"^    (\w+)\s{2,}", _help(), flags=re.MULTILINE)
    assert listed, "no commands found in --help"
    for command in listed:
        assert f"## `ssm-engagements {command}`" in text
