"""The layering the call core relies on: its modules import no transport or driver and
read no clock of their own (time comes from the injected Clock)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ssm_engagements

PACKAGE = Path(ssm_engagements.__file__).parent
SANS_IO = ["_core", "_retry", "_walk", "_tokens", "_ratelimit", "_wire", "_dispatch", "_redact"]
DRIVERS_AND_TRANSPORTS = {"_transport", "_aio_transport", "_call", "_aio_call"}
CLOCK_READS = {("time", "time"), ("time", "monotonic"), ("time", "perf_counter"),
               ("time", "sleep"), ("datetime", "now"), ("datetime", "utcnow"),
               ("date", "today"), ("datetime", "today")}  # fmt: skip


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text(), filename=f"{module}.py")


@pytest.mark.parametrize("module", SANS_IO)
def test_a_sans_io_module_imports_no_transport_or_driver(module: str) -> None:
    imported: set[str] = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            imported.add(node.module or "")
            imported.update(alias.name for alias in node.names if node.module is None)
        elif isinstance(node, ast.Import):
            imported.update(alias.name.rsplit(".", 1)[-1] for alias in node.names)
    assert not imported & DRIVERS_AND_TRANSPORTS, imported & DRIVERS_AND_TRANSPORTS
    assert not {"time", "asyncio", "socket", "aiohttp", "urllib3"} & imported


@pytest.mark.parametrize("module", SANS_IO)
def test_a_sans_io_module_reads_no_clock(module: str) -> None:
    calls = {
        (node.func.value.id, node.func.attr)
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    }
    assert not calls & CLOCK_READS, calls & CLOCK_READS
