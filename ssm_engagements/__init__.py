"""ssm_engagements: a typed, fast, reliable client for AWS SSM Contacts ListEngagements.

Start with EngagementsClient; models are TimeRange, Engagement and
ListEngagementsResponse; every error subclasses SSMContactsError.
"""

from ._client import EngagementsClient
from ._log import configure_from_env as _configure_log
from ._models import Engagement, ListEngagementsResponse, TimeRange
from ._version import __version__
from .errors import (
    AccessDeniedException,
    ConfigurationError,
    InternalServerException,
    NoCredentialsError,
    PaginationError,
    ParamValidationError,
    ResponseParseError,
    ServiceError,
    SSMContactsError,
    ThrottlingException,
    TransportError,
    ValidationException,
    ValidationExceptionField,
)

__all__ = [
    "AccessDeniedException",
    "ConfigurationError",
    "Engagement",
    "EngagementsClient",
    "InternalServerException",
    "ListEngagementsResponse",
    "NoCredentialsError",
    "PaginationError",
    "ParamValidationError",
    "ResponseParseError",
    "SSMContactsError",
    "ServiceError",
    "ThrottlingException",
    "TimeRange",
    "TransportError",
    "ValidationException",
    "ValidationExceptionField",
    "__version__",
]

_configure_log()
