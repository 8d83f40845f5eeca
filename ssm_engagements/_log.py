"""The ``ssm_engagements`` logger; ``SSM_ENGAGEMENTS_LOG=debug|info`` adds a stderr handler.

Records name the operation, attempt, status, request id and timing; never
credentials, signatures, Authorization headers or session tokens.
"""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger("ssm_engagements")
logger.addHandler(logging.NullHandler())

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def configure_from_env() -> None:
    """Honour SSM_ENGAGEMENTS_LOG once, at import; unknown values are ignored."""
    level = _LEVELS.get(os.environ.get("SSM_ENGAGEMENTS_LOG", "").strip().lower())
    if level is None or any(getattr(h, "_ssm_engagements", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler._ssm_engagements = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
