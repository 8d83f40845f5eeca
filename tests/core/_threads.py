"""Hammer one shared object from many threads: the pure suite's only concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def from_threads(call: Callable[[], T], *, threads: int = 8, times: int) -> list[T]:
    """What ``call()`` returned, ``times`` calls on each of ``threads`` threads at once."""
    results: list[T] = []
    lock = threading.Lock()

    def run() -> None:
        for _ in range(times):
            result = call()
            with lock:
                results.append(result)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results
