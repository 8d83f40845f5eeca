"""Injected faults: what each does and the queue that hands them to requests."""

from __future__ import annotations

import math
import threading

import attrs

__all__ = ["DEFAULT_DELAY_SECONDS", "FAULTS", "Fault", "FaultQueue", "proxy_body"]

FAULTS = (
    "throttle",
    "http429",
    "internal",
    "http502",
    "http503",
    "http504",
    "reset",
    "truncate",
    "delay",
    "malformed",
)
"""Every fault name ``Emulator.inject`` accepts."""

DEFAULT_DELAY_SECONDS = 1.0
"""How long (seconds) the "delay" fault waits when ``seconds`` is not given."""

# Faults whose ``seconds`` means something; the rest reject it so a typo is not ignored.
_TAKES_SECONDS = frozenset({"throttle", "internal", "http429", "http503", "delay"})

_HTML = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
)
_PROXY_REASONS = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


def proxy_body(status: int) -> bytes:
    """The HTML page a load balancer sends with a 502, 503 or 504."""
    return _HTML.format(code=status, reason=_PROXY_REASONS[status]).encode("ascii")


@attrs.frozen(kw_only=True)
class Fault:
    """One pending fault: its name and its ``seconds`` setting (None when not given)."""

    name: str
    seconds: float | None = None

    @property
    def retry_after(self) -> int | None:
        """``seconds`` rounded up to whole seconds, as RetryAfterSeconds / Retry-After carry."""
        return None if self.seconds is None else math.ceil(self.seconds)


@attrs.define
class _Entry:
    fault: Fault
    left: int


class FaultQueue:
    """Thread-safe FIFO of faults; each ListEngagements request takes at most one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Entry] = []

    def add(self, name: str, *, times: int, seconds: float | None) -> None:
        """Queue ``name`` for the next ``times`` requests (after those already queued).

        Raises ValueError for an unknown name, ``times`` < 1, a negative or
        non-finite ``seconds``, or ``seconds`` given to a fault that does not use it.
        """
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; expected one of {', '.join(FAULTS)}")
        if type(times) is not int or times < 1:  # bool is an int subclass; reject it
            raise ValueError(f"times must be an integer >= 1; got {times!r}")
        if seconds is not None:
            if name not in _TAKES_SECONDS:
                raise ValueError(f"fault {name!r} takes no seconds; got {seconds!r}")
            if isinstance(seconds, bool) or not math.isfinite(seconds) or seconds < 0:
                raise ValueError(f"seconds must be a finite number >= 0; got {seconds!r}")
        if name == "delay" and seconds is None:
            seconds = DEFAULT_DELAY_SECONDS
        with self._lock:
            self._pending.append(_Entry(Fault(name=name, seconds=seconds), times))

    def take(self) -> Fault | None:
        """The fault for this request, consuming one of its ``times``; None when none is due."""
        with self._lock:
            if not self._pending:
                return None
            entry = self._pending[0]
            entry.left -= 1
            if entry.left < 1:
                self._pending.pop(0)
            return entry.fault

    def pending(self) -> list[tuple[str, int]]:
        """The queued faults as (name, requests left), next first."""
        with self._lock:
            return [(e.fault.name, e.left) for e in self._pending]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
