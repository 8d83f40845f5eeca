"""Fixtures for tests that talk HTTP over loopback to the scripted server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.credentials import Credentials

from ssm_engagements import EngagementsClient
from tests import _clients as clients
from tests._server import ScriptedServer

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.close()


MakeClient = Callable[..., EngagementsClient]


@pytest.fixture
def make_client(server: ScriptedServer, client_kind: str) -> Iterator[MakeClient]:
    """Clients pointed at the scripted server, one test run per client kind (the async
    client driven through tests._clients); sleeps are recorded, not slept."""
    made: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("region_name", "us-east-1")
        kwargs.setdefault("endpoint_url", server.url)
        kwargs.setdefault("credentials", Credentials(ACCESS_KEY, SECRET_KEY))
        kwargs.setdefault("max_backoff", 0.01)
        client = clients.record_sleeps(clients.make(client_kind, **kwargs))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> EngagementsClient:
    return make_client()
