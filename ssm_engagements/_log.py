"""The ``ssm_engagements`` logger; ``SSM_ENGAGEMENTS_LOG=debug|info`` adds a stderr handler.

Records name the operation, attempt, status, request id and timing; never
credentials, signatures, Authorization headers or session tokens.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

logger = logging.getLogger("ssm_engagements")
logger.addHandler(logging.NullHandler())

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def configure_from_env() -> None:
    """Honour SSM_ENGAGEMENTS_LOG once, at import. An unknown value adds no handler and
    warns (UserWarning) naming the accepted values: a typo must not look like "no requests"."""
    raw = os.environ.get("SSM_ENGAGEMENTS_LOG", "")
    level = _LEVELS.get(raw.strip().lower())
    if level is None and raw.strip():
        warnings.warn(
            f"SSM_ENGAGEMENTS_LOG={raw!r} is not a log level; use 'debug' or 'info' "
            "(nothing is logged)",
            stacklevel=3,  # the import of ssm_engagements, not this module
        )
    if level is None or any(getattr(h, "_ssm_engagements", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler._ssm_engagements = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
