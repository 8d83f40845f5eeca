"""Helpers for the ``follow`` command's tests: a follower subprocess read line by line."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.cli._helpers import COMMAND

ACCOUNT = "111122223333"
CONTACTS = f"arn:aws:ssm-contacts:us-east-1:{ACCOUNT}"
INCIDENT = f"arn:aws:ssm-incidents::{ACCOUNT}:incident-record/follow-test/0f1e2d3c"
HANG_GUARD = 30.0
"""Seconds a test waits for a line that must come before it gives up (a hang, not a
verdict: a slow machine only waits longer)."""


def engagement(
    n: int,
    start: datetime,
    *,
    stop: datetime | None = None,
    incident: str | None = INCIDENT,
    contact: str | None = None,
    sender: str = "cli",
) -> dict[str, Any]:
    """Engagement number ``n`` in the wire shape, with a stable ARN."""
    name = contact or f"oncall-{n % 5}"
    item: dict[str, Any] = {
        "EngagementArn": f"{CONTACTS}:engagement/{name}/{n:08d}-0000-4000-8000-000000000000",
        "ContactArn": f"{CONTACTS}:contact/{name}",
        "Sender": sender,
        "StartTime": start,
    }
    if incident is not None:
        item["IncidentId"] = incident
    if stop is not None:
        item["StopTime"] = stop
    return item


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Return once ``condition()`` holds; AssertionError naming ``what`` after HANG_GUARD."""
    deadline = time.monotonic() + HANG_GUARD
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {HANG_GUARD} s")
        time.sleep(0.01)


def utc_now_ms() -> datetime:
    """Now, to the millisecond (the emulator keeps milliseconds)."""
    now = datetime.now(timezone.utc)
    return now - timedelta(microseconds=now.microsecond % 1000)


class Follower:
    """``ssm-engagements follow ARGS`` in a subprocess; its stdout is read by one thread
    as it comes, complete lines only (a line cut short by a kill is not delivered)."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        # Buffered as users run it: the command itself must flush each line.
        env = {name: value for name, value in env.items() if name != "PYTHONUNBUFFERED"}
        self.stderr_file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.proc = subprocess.Popen(
            [*COMMAND, "follow", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.stderr_file,
        )
        self.lines: list[str] = []  # every complete line read so far
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._eof = False
        self._pump = threading.Thread(target=self._read, daemon=True)
        self._pump.start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        for raw in iter(stream.readline, b""):
            if raw.endswith(b"\n"):
                self._queue.put(raw.decode("utf-8").rstrip("\n"))
        self._queue.put(None)

    def next_line(self, timeout: float = HANG_GUARD) -> str:
        """The next complete line; AssertionError at EOF or after ``timeout`` seconds."""
        line = self._get(timeout)
        if line is None:
            raise AssertionError(
                f"follow ended (status {self.proc.poll()}) after {self.lines!r}: {self.stderr()}"
            )
        return line

    def _get(self, timeout: float) -> str | None:
        if self._eof:
            return None
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no line within {timeout} s after {self.lines!r}: {self.stderr()}"
            ) from None
        if line is None:
            self._eof = True
        else:
            self.lines.append(line)
        return line

    def events(self, count: int) -> list[dict[str, Any]]:
        """The next ``count`` jsonl lines, parsed."""
        return [json.loads(self.next_line()) for _ in range(count)]

    def finish(self, sig: int | None = None, timeout: float = HANG_GUARD) -> int:
        """Send ``sig`` (if any), wait for the exit, read the lines left; the status."""
        if sig is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
        status = self.proc.wait(timeout)
        while self._get(timeout) is not None:
            pass
        self._pump.join(timeout)
        return status

    def kill(self) -> None:
        """kill -9, then read what it printed."""
        self.finish(signal.SIGKILL)

    def stderr(self) -> str:
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", "replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr_file.close()

    def __enter__(self) -> Follower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
