"""OpenTelemetry tracing for both clients: ``TracingHook``.

Needs the ``otel`` extra (``pip install 'ssm-engagements[otel]'``, which brings
``opentelemetry-api`` only); opentelemetry is imported when a TracingHook is made,
never by ``import ssm_engagements``::

    from ssm_engagements.otel import TracingHook

    client = EngagementsClient(hooks=[TracingHook()])

Each call (``list_engagements``, and each page an iterator fetches) becomes one CLIENT
span named ``SSM Contacts.ListEngagements``, with the name, kind, attributes and error
status that ``opentelemetry-instrumentation-botocore`` records for boto3's
``list_engagements``, so queries and dashboards built on those keep working:

- ``rpc.system`` (``aws-api``), ``rpc.service`` (``SSM Contacts``), ``rpc.method``
  (``ListEngagements``), ``cloud.region``, ``server.address``, ``server.port``;
- once a response arrived: ``aws.request_id``, ``retry_attempts`` and
  ``http.status_code`` (also on a failed call, from the error);
- a failed call: status ERROR (described by the error's message) and an ``exception``
  event.

Beyond boto3's: one ``retry`` event per retry, with ``error.type`` (the error code or
class), ``retry.attempt`` (the attempt about to be made, 2 for the first retry),
``retry.delay_seconds`` and, when the failed attempt had a response,
``http.status_code``. The span's parent is the caller's current span (the context
current where ``list_engagements`` is called or the iterator advanced), on threads and
asyncio tasks alike; the span itself is not made current, so nothing leaks across
``await``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._version import __version__
from .errors import ConfigurationError, ServiceError
from .hooks import CallEnd, CallStart, Hook, RetryDecision

if TYPE_CHECKING:
    from opentelemetry.trace import Span, TracerProvider

__all__ = ["SPAN_NAME", "TracingHook"]

SPAN_NAME = "SSM Contacts.ListEngagements"
"""The span name, botocore's ``{service id}.{operation}``."""


class TracingHook(Hook):
    """A hook that records each call as an OpenTelemetry CLIENT span (see the module).

    Args:
        tracer_provider: where spans go; None for the global provider
            (``opentelemetry.trace.set_tracer_provider``), looked up when each span
            starts, so it may be set after the hook is made.

    Raises:
        ConfigurationError: opentelemetry-api is not installed (the message names the
            extra ``ssm-engagements[otel]``).
    """

    def __init__(self, tracer_provider: TracerProvider | None = None) -> None:
        try:
            from opentelemetry import trace
        except ImportError as exc:
            raise ConfigurationError(
                "TracingHook needs opentelemetry-api: pip install 'ssm-engagements[otel]'"
            ) from exc
        self._tracer = trace.get_tracer(
            "ssm_engagements", __version__, tracer_provider=tracer_provider
        )
        self._client_kind = trace.SpanKind.CLIENT
        self._error = trace.StatusCode.ERROR

    def __repr__(self) -> str:
        return "TracingHook()"

    def on_call_start(self, event: CallStart) -> None:
        """Start the call's span, child of the current one."""
        attributes: dict[str, Any] = {
            "rpc.system": "aws-api",
            "rpc.service": "SSM Contacts",
            "rpc.method": event.operation,
            "cloud.region": event.region_name,
        }
        url = urlsplit(event.endpoint_url)
        if url.hostname:
            attributes["server.address"] = url.hostname
            # botocore's instrumentation says 443 when the URL names no port, http:// too.
            attributes["server.port"] = url.port or 443
        event.state[self] = self._tracer.start_span(
            SPAN_NAME, kind=self._client_kind, attributes=attributes
        )

    def on_retry(self, event: RetryDecision) -> None:
        """Add a ``retry`` event to the span."""
        span: Span | None = event.state.get(self)  # type: ignore[assignment]
        if span is None or not span.is_recording():
            return
        attributes: dict[str, Any] = {
            "error.type": event.reason,
            "retry.attempt": event.attempt + 1,
            "retry.delay_seconds": event.delay_seconds,
        }
        if isinstance(event.error, ServiceError):
            attributes["http.status_code"] = event.error.status_code
        span.add_event("retry", attributes)

    def on_call_end(self, event: CallEnd) -> None:
        """Record the outcome on the span and end it."""
        span: Span | None = event.state.pop(self, None)  # type: ignore[assignment]
        if span is None:
            return
        if span.is_recording():
            page, error = event.response, event.error
            if page is not None and page.response_metadata is not None:
                meta = page.response_metadata
                _response_attributes(
                    span, meta.request_id, meta.retry_attempts, meta.http_status_code
                )
            elif error is not None:
                status_code: int | None = getattr(error, "status_code", None)
                if status_code is not None:  # a response arrived: as botocore's ClientError
                    _response_attributes(
                        span,
                        getattr(error, "request_id", None),
                        getattr(error, "attempts", event.attempts) - 1,
                        status_code,
                    )
            if error is not None:
                span.set_status(self._error, str(error))
                span.record_exception(error)
        span.end()


def _response_attributes(
    span: Span, request_id: str | None, retry_attempts: int, status_code: int
) -> None:
    # In the order botocore's instrumentation sets them.
    if request_id:
        span.set_attribute("aws.request_id", request_id)
    span.set_attribute("retry_attempts", retry_attempts)
    span.set_attribute("http.status_code", status_code)
