"""The transport-failure classes the retry policy tells apart, found where they live.

They are moving out of ``_transport`` (``TimeoutTransportError`` becomes the public
``TransportTimeoutError``); the pure suite imports them from here only, so the move
changes this file and nothing else.
"""

from __future__ import annotations

from ssm_engagements import _retry

try:
    from ssm_engagements.errors import TransportTimeoutError
except ImportError:  # before the move
    TransportTimeoutError = _retry.TimeoutTransportError

# Wherever it is defined, the retry policy imports it under this name.
CassetteMissError = _retry.CassetteMissError

__all__ = ["CassetteMissError", "TransportTimeoutError"]
