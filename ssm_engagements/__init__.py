"""ssm_engagements: a typed, fast, reliable client for AWS SSM Contacts ListEngagements.

Start with EngagementsClient (or AsyncEngagementsClient for asyncio, with the ``aio``
extra); models are TimeRange, Engagement, ListEngagementsResponse and ResponseMetadata;
every error subclasses SSMContactsError.
"""

from ._aio_client import AsyncEngagementsClient
from ._aio_feed import AsyncEngagementFeed
from ._aio_paginator import AsyncEngagementIterator, AsyncPageIterator
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
from ._paginator import EngagementIterator, PageIterator
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
    TransportTimeoutError,
    ValidationException,
    ValidationExceptionField,
)

__all__ = [
    "AccessDeniedException",
    "AsyncEngagementFeed",
    "AsyncEngagementIterator",
    "AsyncEngagementsClient",
    "AsyncPageIterator",
    "ConfigurationError",
    "Engagement",
    "EngagementEvent",
    "EngagementFeed",
    "EngagementIterator",
    "EngagementsClient",
    "InternalServerException",
    "ListEngagementsResponse",
    "NoCredentialsError",
    "PageIterator",
    "PaginationError",
    "ParamValidationError",
    "ResponseMetadata",
    "ResponseParseError",
    "SSMContactsError",
    "ServiceError",
    "ThrottlingException",
    "TimeRange",
    "TransportError",
    "TransportTimeoutError",
    "ValidationException",
    "ValidationExceptionField",
    "__version__",
]


def _publish() -> None:
    """Show every exported class as ``ssm_engagements.Name`` (in reprs, tracebacks, docs
    and pickles), as httpx does; whatever is in ``__all__`` is covered. A class's own
    annotations are resolved first, in the module that defines it, so that
    ``typing.get_type_hints`` (and attrs, cattrs) still find the names they use."""
    import inspect
    import typing

    namespace = globals()
    for name in __all__:
        obj = namespace[name]
        if not (isinstance(obj, type) and obj.__module__.startswith(__name__ + ".")):
            continue
        own = inspect.get_annotations(obj)
        if own:
            hints = typing.get_type_hints(obj)
            obj.__annotations__ = {key: hints[key] for key in own}
        obj.__module__ = __name__


_publish()
_configure_log()
