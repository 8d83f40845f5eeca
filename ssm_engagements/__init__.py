"""ssm_engagements: a typed, fast, reliable client for AWS SSM Contacts ListEngagements.

Start with EngagementsClient (or AsyncEngagementsClient for asyncio, with the ``aio``
extra); models are TimeRange, Engagement, ListEngagementsResponse and ResponseMetadata;
every error subclasses SSMContactsError.
"""

from ._aio_client import AsyncEngagementsClient
from ._aio_feed import AsyncEngagementFeed
from ._client import EngagementsClient
from ._feed import EngagementFeed
from ._log import configure_from_env as _configure_log
from ._models import (
    Engagement,
    EngagementEvent,
    ListEngagementsResponse,
    ResponseMetadata,
    TimeRange,
)
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
    "AsyncEngagementFeed",
    "AsyncEngagementsClient",
    "ConfigurationError",
    "Engagement",
    "EngagementEvent",
    "EngagementFeed",
    "EngagementsClient",
    "InternalServerException",
    "ListEngagementsResponse",
    "NoCredentialsError",
    "PaginationError",
    "ParamValidationError",
    "ResponseMetadata",
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
