"""The public names: what `ssm_engagements` exports, how its classes show themselves,
and the iterator classes both clients return."""

from __future__ import annotations

import pickle
import typing

from botocore.credentials import Credentials

import ssm_engagements as se
from ssm_engagements import errors
from tests import _clients as clients

CONTRACT_NAMES = {
    "EngagementsClient", "AsyncEngagementsClient", "TimeRange", "Engagement",
    "ListEngagementsResponse", "ResponseMetadata", "ValidationExceptionField",
    "SSMContactsError", "ParamValidationError", "ConfigurationError", "NoCredentialsError",
    "ServiceError", "AccessDeniedException", "InternalServerException",
    "ThrottlingException", "ValidationException", "ResponseParseError", "PaginationError",
    "TransportError", "TransportTimeoutError", "PageIterator", "EngagementIterator",
    "AsyncPageIterator", "AsyncEngagementIterator", "__version__",
}  # fmt: skip


def test_the_contracts_names_are_exported() -> None:
    assert set(se.__all__) >= CONTRACT_NAMES
    assert "CassetteMissError" not in se.__all__  # the cassette kit's, in .testing
    for name in se.__all__:
        assert getattr(se, name) is not None


def test_every_exported_class_shows_the_package_as_its_module() -> None:
    # Whatever __all__ holds, classes added to it later included.
    classes = [getattr(se, name) for name in se.__all__ if isinstance(getattr(se, name), type)]
    assert len(classes) >= len(CONTRACT_NAMES) - 1
    for cls in classes:
        assert cls.__module__ == "ssm_engagements", cls
        assert repr(cls) == f"<class 'ssm_engagements.{cls.__qualname__}'>"
        typing.get_type_hints(cls)  # annotations still resolve


def test_errors_pickle_and_show_their_public_path() -> None:
    err = se.TransportTimeoutError("Request to https://x/ timed out", attempts=2)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is se.TransportTimeoutError and again.attempts == 2
    assert (
        isinstance(err, se.TransportError)
        and errors.TransportTimeoutError is se.TransportTimeoutError
    )
    assert se.SSMContactsError("x").attempts is None
    assert se.PaginationError("cycle", next_token="A").attempts is None


def test_both_clients_return_the_public_iterator_classes(client_kind: str) -> None:
    client = clients.make(
        client_kind, "us-east-1", endpoint_url="http://127.0.0.1:9",
        credentials=Credentials("AKIDEXAMPLE", "secret"),
    )  # fmt: skip
    inner = client.aclient if client_kind == "async" else client
    pages, items = inner.iter_pages(), inner.iter_engagements(starting_token="abc")
    expected = (
        (se.AsyncPageIterator, se.AsyncEngagementIterator)
        if client_kind == "async"
        else (se.PageIterator, se.EngagementIterator)
    )
    assert (type(pages), type(items)) == expected
    assert pages.resume_token is None and items.resume_token == "abc"
    assert repr(items) == f"<{expected[1].__name__} resume_token='abc'>"
