"""Cassette kit: record and replay ListEngagements calls with vcrpy / pytest-recording.

Three traps catch everyone who records AWS JSON-protocol calls with vcrpy; the kit
handles each:

- Every call is ``POST /``, so vcrpy's default matchers cannot tell pages apart, and
  its ``body`` matcher does not parse ``application/x-amz-json-1.1``. The kit matches
  on ``X-Amz-Target`` and the canonical JSON body (matchers ``aws_target``, ``json_body``).
- botocore's header values are byte strings, which vcrpy writes as base64 ``!!binary``
  blobs. The kit decodes them, and drops signing material (Authorization,
  X-Amz-Security-Token, ...; see SCRUBBED_HEADERS) before anything is written.
- A request with no recorded answer (a cassette miss) reaches botocore as a
  connection error, which a client would retry with backoff. EngagementsClient
  raises CassetteMissError (a TransportError, never retried) after that one attempt,
  with a message saying what happened; vcrpy's own explanation (which matchers
  differed) is its ``__cause__``.

Copy this into your ``conftest.py`` (pytest-recording)::

    import pytest
    from ssm_engagements.testing import register_matchers, vcr_config as _vcr_config

    @pytest.fixture(scope="module")
    def vcr_config():
        return _vcr_config()  # keyword overrides win, e.g. _vcr_config(record_mode="once")

    def pytest_recording_configure(config, vcr):
        register_matchers(vcr)

then mark tests ``@pytest.mark.vcr``. Record once with real credentials
(``pytest --record-mode=once``; ``rewrite`` re-records), review the YAML and commit
it. Replays (the default, ``--record-mode=none``) send nothing, so any dummy
``botocore.credentials.Credentials`` will do. With plain vcrpy::

    import vcr
    from ssm_engagements.testing import register_matchers, vcr_config

    my_vcr = vcr.VCR(**vcr_config())
    register_matchers(my_vcr)
    with my_vcr.use_cassette("tests/cassettes/engagements.yaml"):
        ...

vcrpy is not a dependency of ssm_engagements; this module does not import it.
"""

from __future__ import annotations

import json
from typing import Any

from ._transport import CassetteMissError

__all__ = [
    "SCRUBBED_HEADERS",
    "CassetteMissError",
    "match_aws_target",
    "match_json_body",
    "register_matchers",
    "vcr_config",
]

SCRUBBED_HEADERS = (
    "Authorization",
    "X-Amz-Security-Token",
    "X-Amz-Date",
    "X-Amz-Content-SHA256",
    "User-Agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
)
"""Request headers never written to a cassette, matched case-insensitively. They
carry credentials and signatures, or per-call noise (dates, SDK ids, user agent)
that would make every recording differ."""

_KEEP_RESPONSE = {"content-type", "content-length", "x-amzn-requestid", "x-amzn-errortype"}


def _header(request: Any, name: str) -> str | None:
    for key, value in request.headers.items():
        if key.lower() == name.lower():
            return value.decode() if isinstance(value, bytes) else str(value)
    return None


def _canonical(body: Any) -> Any:
    if body in (None, b"", ""):
        return {}
    try:
        return json.loads(body)
    except (TypeError, ValueError):
        return body


def match_aws_target(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the same ``X-Amz-Target`` (raises AssertionError otherwise)."""
    assert _header(r1, "X-Amz-Target") == _header(r2, "X-Amz-Target"), "X-Amz-Target differs"


def match_json_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the same JSON body, whatever its key order or spacing."""
    assert _canonical(r1.body) == _canonical(r2.body), "JSON bodies differ"


def register_matchers(vcr: Any) -> None:
    """Register ``aws_target`` and ``json_body`` on a vcr.VCR instance."""
    vcr.register_matcher("aws_target", match_aws_target)
    vcr.register_matcher("json_body", match_json_body)


def _scrub_request(request: Any) -> Any:
    for key in list(request.headers):
        if key.lower() in {h.lower() for h in SCRUBBED_HEADERS}:
            del request.headers[key]
        elif isinstance(request.headers[key], bytes):
            # Bytes values would be written as unreadable !!binary blobs.
            request.headers[key] = request.headers[key].decode("utf-8", "replace")
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for key in list(headers):
        if key.lower() not in _KEEP_RESPONSE:
            del headers[key]
    return response


def vcr_config(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for vcr.VCR (the ``vcr_config`` fixture of pytest-recording).

    Matches on method, host, path, X-Amz-Target and the JSON body (register the
    last two with register_matchers); drops SCRUBBED_HEADERS and response headers
    other than content type/length, request id and error type. ``overrides`` win.
    """
    config: dict[str, Any] = {
        "match_on": ["method", "scheme", "host", "port", "path", "aws_target", "json_body"],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
    }
    config.update(overrides)
    return config
