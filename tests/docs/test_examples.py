"""Every code example in docs/ and the README runs: the Markdown pages are executed against emulators.

Each page runs in its own scratch folder, with the AWS settings of the machine hidden
(tests/conftest.py) and an "account": a started ``Emulator`` seeded with ACCOUNT_DATA
that ``AWS_ENDPOINT_URL_SSM_CONTACTS`` and the ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` variables point at. So an example written for a real account
(``EngagementsClient(region_name="us-east-2")``, ``boto3.client("ssm-contacts")``) runs
unchanged, offline. Examples that start their own ``Emulator`` use that one.

What runs, in page order, sharing one namespace per page:

- ```` ```python ```` blocks are executed; what they print is kept for an output block.
- ```` ```pycon ```` blocks are run as doctests (output checked, ``...`` matches anything).

An HTML comment on the line before a fence (blank lines between are allowed) changes that:

- ``<!-- docs-test: skip -->``: not run; the prose must say why (a real account, a fragment).
- ``<!-- docs-test: output -->``: this block is what the previous python or shell block
  printed (checked as a doctest output: ``...`` matches anything, whitespace normalised).
- ``<!-- docs-test: file PATH -->``: written to PATH in the scratch folder, not run;
  ``~/.aws/config`` and ``~/.aws/credentials`` go to the isolated AWS files.
- ``<!-- docs-test: shell -->`` (or ``shell exit=N``): each command of a sh/console
  block (``$ `` prompts and ``\\`` continuations allowed) is run by ``sh`` in the scratch
  folder, in an 80-column terminal, and must exit 0 (or N). In a console block, the
  lines without a prompt are the expected output (stdout and stderr, as a doctest).
- ``<!-- docs-test: no-endpoint -->``: a python block run without the account's endpoint
  variable, for examples that show the endpoint a client derives (they send nothing).

Unmarked blocks in other languages (sh, ini, toml, text...) are shown, not run.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import attrs
import pytest

from ssm_engagements import EngagementsClient
from ssm_engagements.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<what>[\w-]+)(?:\s+(?P<arg>\S+))?\s*-->\s*$")
_MARKERS = {"skip", "output", "file", "shell", "no-endpoint"}
_RUN_LANGS = {"python", "pycon"}
_SHELL_LANGS = {"sh", "bash", "console", "shell"}
_CHECK = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

INCIDENT = "arn:aws:ssm-incidents::111122223333:incident-record/outage/0123abcd"
_CONTACTS = "arn:aws:ssm-contacts:us-east-2:111122223333"


def _engagement(n: int, contact: str, start: str, stop: str | None = None) -> dict[str, Any]:
    item = {
        "EngagementArn": f"{_CONTACTS}:engagement/{contact}/{n:08x}-1f2e-4d3c-8b7a-0123456789ab",
        "ContactArn": f"{_CONTACTS}:contact/{contact}",
        "Sender": "outage",
        "IncidentId": INCIDENT,
        "StartTime": start,
    }
    if stop is not None:
        item["StopTime"] = stop
    return item


# The "account" every page can reach: one incident with 12 engagements in January 2026,
# and 3 engagements of another incident.
ACCOUNT_DATA = [
    *(
        _engagement(
            n,
            ("oncall-primary", "oncall-secondary", "db-escalation")[n % 3],
            f"2026-01-{10 + n:02d}T09:{n:02d}:00Z",
            f"2026-01-{10 + n:02d}T09:{n + 15:02d}:00Z" if n < 11 else None,
        )
        for n in range(12)
    ),
    *(
        {
            "EngagementArn": f"{_CONTACTS}:engagement/web-team/{n:08x}-aaaa-4bbb-8ccc-0123456789ab",
            "ContactArn": f"{_CONTACTS}:contact/web-team",
            "Sender": "cli",
            "IncidentId": "arn:aws:ssm-incidents::111122223333:incident-record/latency/4567ef",
            "StartTime": f"2025-12-0{n + 1}T12:00:00Z",
        }
        for n in range(3)
    ),
]


@attrs.frozen
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    marker: str | None = None
    arg: str | None = None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def parse_blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, with the docs-test marker before each."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        lang = match["info"].strip().split(" ")[0]
        close = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not close.match(lines[end]):
            body.append(lines[end][indent:] if lines[end][:indent].isspace() else lines[end])
            end += 1
        back = index - 1
        while back >= 0 and not lines[back].strip():
            back -= 1
        marker = _MARKER.match(lines[back]) if back >= 0 else None
        if marker is not None and marker["what"] not in _MARKERS:
            raise ValueError(f"{page}:{back + 1}: unknown docs-test marker {marker['what']!r}")
        blocks.append(
            Block(
                page,
                index + 1,
                lang,
                "\n".join(body) + "\n",
                marker["what"] if marker else None,
                marker["arg"] if marker else None,
            )
        )
        index = end + 1
    return blocks


def _runs(block: Block) -> bool:
    return block.marker not in (None, "skip") or block.lang in _RUN_LANGS


PAGES = sorted(
    p
    for p in [ROOT / "README.md", *DOCS.rglob("*.md")]
    if "_build" not in p.parts and any(_runs(b) for b in parse_blocks(p))
)


def shell_commands(code: str) -> Iterator[str]:
    """The commands of a sh/console block: ``$ `` prompts dropped (in a console block,
    lines without one are output), ``\\`` continuations joined, comments skipped."""
    prompted = any(line.startswith("$ ") for line in code.splitlines())
    pending = ""
    for raw in code.splitlines():
        line = raw.rstrip()
        if not pending:
            if prompted:
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield pending + line
        pending = ""


def console_output(code: str) -> str:
    """The expected output of a console block: its lines that are neither prompts nor
    their ``\\`` continuations; "" for a block without prompts."""
    lines = code.splitlines()
    if not any(line.startswith("$ ") for line in lines):
        return ""
    out: list[str] = []
    continued = False
    for line in lines:
        if line.startswith("$ ") or continued:
            continued = line.rstrip().endswith("\\")
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n" if any(out) else ""


class PageRun:
    """Runs the blocks of one page in order; see the module docstring."""

    def __init__(self, scratch: Path, aws_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.scratch = scratch
        self.aws_home = aws_home
        self.monkeypatch = monkeypatch
        self.namespace: dict[str, Any] = {"__name__": "__docs__"}
        self.last_output: str | None = None
        # Examples may configure logging; the rest of the test session must not see it.
        self._logging = [
            (log, log.level, list(log.handlers))
            for log in (logging.getLogger(), logging.getLogger("ssm_engagements"))
        ]

    def run(self, block: Block) -> None:
        if block.marker == "skip":
            return
        if block.marker == "file":
            self.write_file(block)
        elif block.marker == "output":
            self.check_output(block)
        elif block.marker == "shell" or block.lang in _SHELL_LANGS:
            if block.marker == "shell":
                self.run_shell(block)
        elif block.lang == "python":
            self.run_python(block)
        elif block.lang == "pycon":
            self.run_doctest(block)
        elif block.marker is not None:
            raise AssertionError(f"{block.where}: marker {block.marker!r} on a {block.lang} block")

    def write_file(self, block: Block) -> None:
        assert block.arg, f"{block.where}: 'file' needs a path"
        target = (
            self.aws_home / block.arg.removeprefix("~/.aws/")
            if block.arg.startswith("~/.aws/")
            else self.scratch / block.arg
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.code, encoding="utf-8")

    def run_python(self, block: Block) -> None:
        out = io.StringIO()
        with self.monkeypatch.context() as patch:
            if block.marker == "no-endpoint":
                patch.delenv("AWS_ENDPOINT_URL_SSM_CONTACTS")
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, block.where, "exec"), self.namespace)
        self.last_output = out.getvalue()

    def run_doctest(self, block: Block) -> None:
        test = doctest.DocTestParser().get_doctest(
            block.code, self.namespace, block.where, str(block.page), block.line
        )
        runner = doctest.DocTestRunner(optionflags=_CHECK)
        report = io.StringIO()
        runner.run(test, out=report.write, clear_globs=False)
        assert not runner.failures, report.getvalue()

    def check_output(self, block: Block) -> None:
        assert self.last_output is not None, f"{block.where}: no output to compare with"
        got, self.last_output = self.last_output, None
        checker = doctest.OutputChecker()
        assert checker.check_output(block.code, got, _CHECK), (
            f"{block.where}: the example printed\n{got}\nbut the page shows\n{block.code}"
        )

    def run_shell(self, block: Block) -> None:
        status = 0
        if block.arg is not None:
            assert block.arg.startswith("exit="), f"{block.where}: expected 'shell exit=N'"
            status = int(block.arg.removeprefix("exit="))
        env = dict(os.environ)
        env["COLUMNS"] = "80"  # tables fit the terminal; make it the same everywhere
        bin_dir = self.shims()
        env["PATH"] = os.pathsep.join([str(bin_dir), os.path.dirname(sys.executable), env["PATH"]])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        if not any(ep.name == "ssm_engagements" for ep in entry_points(group="pytest11")):
            env["PYTEST_PLUGINS"] = "ssm_engagements._pytest_plugin"  # not pip-installed
        output = []
        for command in shell_commands(block.code):
            done = subprocess.run(
                command,
                shell=True,
                cwd=self.scratch,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == status, (
                f"{block.where}: `{command}` exited {done.returncode}, not {status}\n{done.stdout}"
            )
            output.append(done.stdout)
        self.last_output = "".join(output)
        expected = console_output(block.code)
        if expected:
            self.check_output(attrs.evolve(block, code=expected))

    def shims(self) -> Path:
        """A bin folder with ``python`` (this interpreter) and ``ssm-engagements``
        (``python -m ssm_engagements``) for a checkout that is not pip-installed."""
        bin_dir = self.scratch / ".docs-bin"
        if not bin_dir.exists():
            bin_dir.mkdir()
            for name, argv in (
                ("python", f'"{sys.executable}"'),
                ("ssm-engagements", f'"{sys.executable}" -m ssm_engagements'),
            ):
                if name != "python" and shutil.which(name, path=os.path.dirname(sys.executable)):
                    continue
                shim = bin_dir / name
                shim.write_text(f'#!/bin/sh\nexec {argv} "$@"\n', encoding="utf-8")
                shim.chmod(0o755)
        return bin_dir

    def close(self) -> None:
        for value in list(self.namespace.values()):
            if isinstance(value, Emulator):
                value.stop()
            elif isinstance(value, EngagementsClient):
                value.close()
        for log, level, handlers in self._logging:
            log.setLevel(level)
            log.handlers[:] = handlers


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The account the examples reach through the environment (any region, any signature)."""
    with Emulator(verify_signatures=False, engagements=ACCOUNT_DATA) as emulator:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSM_CONTACTS", emulator.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY)
        yield emulator


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_examples_run(
    page: Path,
    account: Emulator,
    tmp_path: Path,
    isolated_aws_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    run = PageRun(tmp_path, isolated_aws_env, monkeypatch)
    try:
        for block in parse_blocks(page):
            run.run(block)
    finally:
        run.close()


def test_the_docs_have_runnable_examples() -> None:
    assert len(PAGES) >= 5, [str(p) for p in PAGES]


def test_markers_are_known_and_few_examples_are_skipped() -> None:
    blocks = [b for page in DOCS.rglob("*.md") for b in parse_blocks(page)]
    python = [b for b in blocks if b.lang in _RUN_LANGS]
    skipped = [b.where for b in python if b.marker == "skip"]
    assert len(skipped) * 5 <= len(python), f"too many skipped python examples: {skipped}"


def test_shell_commands_parsing() -> None:
    code = "$ pip install x \\\n    y\nout put\n$ # comment\n$ echo hi\n"
    assert list(shell_commands(code)) == ["pip install x      y", "echo hi"]
    assert list(shell_commands("# c\necho a\n\necho b\n")) == ["echo a", "echo b"]
    assert console_output(code) == "out put\n"
    assert console_output("echo a\n") == ""


def test_the_readme_example_lists_the_demo_incident_from_the_demo_emulator(
    tmp_path: Path, isolated_aws_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first example, run as its note says: against `emulator --demo-data`,
    with the variables the emulator prints (its region and the example's must agree)."""
    from ssm_engagements._demo_data import DEMO_INCIDENT_ID, DEMO_NOW, incident_engagements
    from tests.emulator._helpers import serving

    readme = ROOT / "README.md"
    heading = readme.read_text(encoding="utf-8").splitlines().index("## Use") + 1
    example = next(b for b in parse_blocks(readme) if b.line > heading and b.lang == "python")
    assert DEMO_INCIDENT_ID.split("/")[-1] in example.code.replace('"\n    "', "")
    monkeypatch.chdir(tmp_path)
    run = PageRun(tmp_path, isolated_aws_env, monkeypatch)
    began = datetime.now(timezone.utc)
    with serving("--demo-data") as served:
        for name, value in served.settings.items():
            monkeypatch.setenv(name, value)
        try:
            run.run(example)
        finally:
            run.close()
    ended = datetime.now(timezone.utc)
    printed = (run.last_output or "").splitlines()
    # The demo incident as it stood when the emulator began: the last two hours of it,
    # bar any engagement that left the window while the example ran.
    demo = incident_engagements()
    ago = [DEMO_NOW - datetime.fromisoformat(e["StartTime"]) for e in demo]
    surely = sum(age <= timedelta(hours=2) - (ended - began) for age in ago)
    at_most = sum(age <= timedelta(hours=2) for age in ago)
    assert surely <= len(printed) <= at_most and len(printed) > 50, printed[:3]
    assert all(
        line.startswith("arn:aws:ssm-contacts:us-east-2:111122223333:contact/") for line in printed
    )
