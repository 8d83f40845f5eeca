"""Every error this SDK raises, in one place.

The hierarchy::

    SSMContactsError                 base of everything below; .resume_token
    ├── ConfigurationError           bad client settings (region, endpoint, max_attempts, ...)
    │   └── NoCredentialsError       no credentials found before a request was sent
    ├── ParamValidationError         bad argument, raised before any request (also a ValueError)
    ├── ServiceError                 the service answered with a non-2xx status
    │   ├── AccessDeniedException
    │   ├── InternalServerException
    │   ├── ThrottlingException
    │   └── ValidationException
    ├── ResponseParseError           a 2xx answer that is not the documented JSON
    ├── PaginationError              the service repeated a NextToken (a cycle)
    └── TransportError               connection failure, timeout or truncated body
        ├── TransportTimeoutError    a connect or read timeout
        └── CassetteMissError        a vcrpy cassette has no recording (see .testing)

Messages never hold credentials, signatures or session tokens.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = [
    "AccessDeniedException",
    "ConfigurationError",
    "InternalServerException",
    "NoCredentialsError",
    "PaginationError",
    "ParamValidationError",
    "ResponseParseError",
    "SSMContactsError",
    "ServiceError",
    "ThrottlingException",
    "TransportError",
    "TransportTimeoutError",
    "ValidationException",
    "ValidationExceptionField",
]

_MAX_SHOWN = 120


def _shorten(text: str, limit: int = _MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


@attrs.frozen(kw_only=True)
class ValidationExceptionField:
    """One input field the service rejected, from a ValidationException."""

    name: str
    """The field's wire name, as the service reports it (for example ``MaxResults``)."""
    message: str
    """Why the service rejected it."""


class SSMContactsError(Exception):
    """Base class of every error raised by ssm_engagements.

    ``resume_token`` is set when the error is raised while iterating
    (``iter_pages`` / ``iter_engagements``): pass it as ``starting_token`` to
    continue exactly after the last item yielded. It is None elsewhere.
    ``attempts`` counts the requests the failed call sent (None when it sent none).
    """

    resume_token: str | None = None
    attempts: int | None = None
    """How many requests the call sent, retries included, when the error ends a call
    (a ServiceError, TransportError or ResponseParseError from a request); None for an
    error raised before or without a request (bad arguments, configuration, a
    PaginationError)."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not survive the default pickling; rebuild from state.
        return (_rebuild, (type(self), self.args, self.__dict__.copy()))


def _rebuild(cls: type[SSMContactsError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class ConfigurationError(SSMContactsError):
    """The client cannot be configured: no region, a bad endpoint, a bad setting.

    Raised at construction, or at the first request for what is resolved lazily.
    """


class NoCredentialsError(ConfigurationError):
    """No AWS credentials were found; raised at the first request, before anything is sent."""


class ParamValidationError(SSMContactsError, ValueError):
    """An argument broke a rule of the API; raised before any request is sent.

    ``param`` names the parameter, ``rule`` the rule it broke and ``value`` the
    value given.
    """

    def __init__(self, *, param: str, rule: str, value: object) -> None:
        self.param = param
        self.rule = rule
        self.value = value
        super().__init__(
            f"Invalid value for parameter {param!r}: {rule}; got {_shorten(repr(value))}"
        )


class ServiceError(SSMContactsError):
    """The service answered with a non-2xx HTTP status.

    Attributes: ``code`` (the AWS error code, or the status as text when none
    was sent), ``message``, ``status_code``, ``request_id``,
    ``retry_after_seconds`` (the server's retry hint in seconds, None when none)
    and ``attempts`` (how many requests were sent, retries included).
    Subclasses exist for the codes the API documents; others stay ServiceError.
    """

    def __init__(
        self,
        *,
        code: str,
        message: str,
        status_code: int,
        request_id: str | None = None,
        retry_after_seconds: float | None = None,
        attempts: int = 1,
    ) -> None:
        self.code = code
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.retry_after_seconds = retry_after_seconds
        self.attempts = attempts
        super().__init__(code, message)

    def __str__(self) -> str:
        text = f"{self.code}: {self.message} (HTTP {self.status_code}"
        text += f", request id {self.request_id}" if self.request_id else ", no request id"
        if self.attempts is not None and self.attempts > 1:
            text += f", after {self.attempts} attempts"
        if self.retry_after_seconds is not None:
            text += f", retry after {self.retry_after_seconds:g}s"
        return text + ")"


class AccessDeniedException(ServiceError):
    """The caller's credentials may not call ListEngagements (HTTP 400). Not retried."""


class InternalServerException(ServiceError):
    """The service failed unexpectedly (HTTP 500). Retried; raised once attempts run out.

    ``retry_after_seconds`` is the service's hint, in seconds (None when none).
    """


class ThrottlingException(ServiceError):
    """The request was throttled (HTTP 400). Retried with backoff; raised once
    attempts, the retry quota or ``max_backoff`` (a longer server hint) run out.

    ``quota_code`` and ``service_code`` name the Service Quotas entry that was hit,
    when the service says; ``retry_after_seconds`` is its hint, in seconds.
    """

    def __init__(
        self, *, quota_code: str | None = None, service_code: str | None = None, **kwargs: Any
    ) -> None:
        self.quota_code = quota_code
        self.service_code = service_code
        super().__init__(**kwargs)


class ValidationException(ServiceError):
    """The service rejected the input. Not retried.

    ``reason`` is the service's reason code (for example ``FIELD_VALIDATION_FAILED``)
    or None; ``fields`` holds one ValidationExceptionField per rejected field (empty
    when the service named none).
    """

    def __init__(
        self,
        *,
        reason: str | None = None,
        fields: tuple[ValidationExceptionField, ...] = (),
        **kwargs: Any,
    ) -> None:
        self.reason = reason
        self.fields = fields
        super().__init__(**kwargs)


class ResponseParseError(SSMContactsError):
    """A 2xx response whose body is not the documented JSON. Not retried.

    ``request_id`` and ``status_code`` identify the response; ``body_excerpt`` is
    its first bytes, decoded leniently; ``attempts`` counts the requests sent,
    retries included.
    """

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        status_code: int | None = None,
        body_excerpt: str = "",
        attempts: int = 1,
    ) -> None:
        self.request_id = request_id
        self.status_code = status_code
        self.body_excerpt = body_excerpt
        self.attempts = attempts
        super().__init__(message)

    def __str__(self) -> str:
        text = f"{self.args[0]} (request id {self.request_id or 'unknown'}"
        return text + (f", body starts {self.body_excerpt!r})" if self.body_excerpt else ")")


class PaginationError(SSMContactsError):
    """The service returned a NextToken already seen in this iteration.

    Following it would loop forever; ``next_token`` is the repeated token.
    """

    def __init__(self, message: str, *, next_token: str) -> None:
        self.next_token = next_token
        super().__init__(message)


class TransportError(SSMContactsError):
    """The request could not complete: connection refused or reset, a timeout, TLS
    failure, or a body shorter than its Content-Length. Raised after retries;
    ``__cause__`` holds the underlying error and ``attempts`` the requests sent.
    """

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        self.attempts = attempts
        super().__init__(message)


class TransportTimeoutError(TransportError):
    """A connect or read timeout (``connect_timeout`` / ``read_timeout``, per attempt).
    Retried like any TransportError, at twice the retry-quota cost; raised once
    attempts or the quota run out."""


class CassetteMissError(TransportError):
    """vcrpy has no recorded response for this request (a cassette miss). Never retried.

    vcrpy raises CannotOverwriteExistingCassetteException inside the connection and
    botocore wraps it as a connection error; retrying cannot help, so it fails at once.
    Importable from ``ssm_engagements.testing``, the cassette kit it belongs to.
    """
