"""The follow checkpoint file: an exclusive lock, reading, and atomic writes.

The content is ``_follow``'s business; this module only moves JSON to and from disk.

- Lock: ``fcntl.flock`` (``msvcrt.locking`` on Windows) on a sidecar ``<file>.lock``
  that is never replaced or removed. The checkpoint itself cannot carry the lock,
  because every write replaces it with a new file. The operating system releases
  the lock when the descriptor closes: at ``close``, when the feed is collected, or
  when the process dies.
- Write: a temporary file in the same directory, fsync, ``os.replace`` over the
  checkpoint, then fsync of the directory, so the checkpoint is always either the
  previous content or the new one, also after a power cut.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from typing import Any

from .errors import ConfigurationError

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


class CheckpointFile:
    """One feed's checkpoint: locked from construction until ``close``.

    Raises:
        ConfigurationError: naming the file, when another live feed holds it or the
            lock file cannot be opened.
    """

    __slots__ = ("_lock_fd", "path")

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock_fd: int | None = None
        try:
            fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            raise ConfigurationError(
                f"cannot use the checkpoint {path!r}: cannot open its lock file ({err})"
            ) from err
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise ConfigurationError(
                f"the checkpoint {path!r} is in use by another live feed (its lock file "
                f"{path + '.lock'!r} is held); close that feed first"
            ) from None
        self._lock_fd = fd

    def read(self) -> tuple[bool, Any]:
        """(True, the checkpoint's JSON), or (False, None) when the file does not exist.

        Raises:
            ConfigurationError: naming the file, when it cannot be read or is not JSON.
        """
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return False, None
        except OSError as err:
            raise ConfigurationError(f"cannot read the checkpoint {self.path!r}: {err}") from err
        try:
            return True, json.loads(raw)
        except ValueError as err:  # UnicodeDecodeError included
            raise ConfigurationError(
                f"the checkpoint {self.path!r} is corrupt (not JSON: {err})"
            ) from None

    def write(self, data: object) -> None:
        """Replace the checkpoint with ``data`` as JSON, atomically and durably.

        Raises:
            ConfigurationError: naming the file, when it cannot be written (the
                previous checkpoint is left as it was).
        """
        raw = json.dumps(data, separators=(",", ":")).encode()
        directory = os.path.dirname(os.path.abspath(self.path))
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(
                dir=directory, prefix=os.path.basename(self.path) + ".", suffix=".tmp"
            )
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            tmp = None
            _fsync_directory(directory)
        except OSError as err:
            raise ConfigurationError(f"cannot write the checkpoint {self.path!r}: {err}") from err
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def close(self) -> None:
        """Release the lock. Idempotent; never raises."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); Windows cannot open a directory, and its
    ``MoveFileEx`` replace is flushed with the file."""
    if sys.platform == "win32":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["CheckpointFile"]
