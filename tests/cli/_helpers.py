"""Helpers for the command-line tests: run ``python -m ssm_engagements``, read its output."""

from __future__ import annotations

import json
import os
import queue
import re
import select
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ssm_engagements.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "ssm_engagements"]
TOKEN_RE = re.compile(r"^NextToken: (\S+)$", re.MULTILINE)


def cli_env(emulator: Emulator | None = None, **extra: str) -> dict[str, str]:
    """The test's (already isolated) environment, the repo on PYTHONPATH, a wide terminal.

    With ``emulator``: its credentials and region, one attempt per request.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["COLUMNS"] = "200"
    env.pop("SSM_ENGAGEMENTS_LOG", None)
    if emulator is not None:
        creds = emulator.credentials
        env.update(
            AWS_ACCESS_KEY_ID=creds.access_key,
            AWS_SECRET_ACCESS_KEY=creds.secret_key,
            AWS_REGION=emulator.region,
            AWS_MAX_ATTEMPTS="1",
        )
    env.update(extra)
    return env


# How long a CLI process may take to start, answer or exit before a test calls it hung:
# a guard against hangs, never a measure of speed (a loaded machine needs seconds to
# start Python and import botocore).
HANG_SECONDS = 60.0


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI to completion (HANG_SECONDS at most), capturing text output."""
    return subprocess.run(
        [*COMMAND, *args],
        env=env if env is not None else cli_env(),
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        check=False,
    )


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the CLI with piped, line-buffered text output."""
    return subprocess.Popen(
        [*COMMAND, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )


def read_lines_until(
    proc: subprocess.Popen[str], pattern: str, timeout: float = HANG_SECONDS
) -> list[str]:
    """Lines of ``proc``'s stdout up to the first matching ``pattern``; AssertionError on
    timeout or EOF. A reader thread (which keeps draining stdout) stops a silent process
    from hanging the test."""
    stream = proc.stdout
    assert stream is not None
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=max(0.0, deadline - time.monotonic())))
        except queue.Empty:
            break
        if re.search(pattern, seen[-1]):
            return seen
    raise AssertionError(f"no line matching {pattern!r} within {timeout} s; got {seen!r}")


def stderr_of(proc: subprocess.Popen[str]) -> str:
    """Everything ``proc`` wrote to stderr (call after it has exited)."""
    assert proc.stderr is not None
    return proc.stderr.read()


def arns_from_jsonl(text: str) -> list[str]:
    """The EngagementArn of each jsonl line."""
    items: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()]
    return [item["EngagementArn"] for item in items]


def next_token(stderr: str) -> str | None:
    """The ``NextToken: <token>`` the CLI printed on stderr, or None."""
    match = TOKEN_RE.search(stderr)
    return match[1] if match else None


def run_in_terminal(
    *args: str, env: dict[str, str], columns: int = 80, terminal: str = "stdout"
) -> tuple[int, str, str]:
    """Run the CLI with ``terminal`` ("stdout" or "stderr") attached to a pseudo-terminal
    ``columns`` wide, the other stream to a file; returns (status, stdout, stderr), the
    terminal's text with its CR LF line ends read back as LF. COLUMNS is removed from
    ``env``: the width is the terminal's."""
    import fcntl  # POSIX only: imported here so the other helpers work anywhere
    import pty
    import termios

    env = {k: v for k, v in env.items() if k != "COLUMNS"}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    with tempfile.TemporaryFile() as other:
        streams = {"stdout": other, "stderr": other, terminal: slave}
        proc = subprocess.Popen([*COMMAND, *args], env=env, stdin=subprocess.DEVNULL, **streams)
        os.close(slave)
        chunks: list[bytes] = []
        deadline = time.monotonic() + HANG_SECONDS
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.1)
                if not ready:
                    if proc.poll() is not None and not select.select([master], [], [], 0)[0]:
                        break
                    continue
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every end of the terminal is closed
                    break
                if not data:
                    break
                chunks.append(data)
            status = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(master)
        other.seek(0)
        piped = other.read().decode()
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    return (status, shown, piped) if terminal == "stdout" else (status, piped, shown)
