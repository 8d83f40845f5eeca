"""Endpoints people really use: plain http:// to LocalStack or an emulator on another host
(``--allow-insecure-http`` / SSM_ENGAGEMENTS_ALLOW_INSECURE_HTTP), and usage errors
before anything starts.

"Another host" without leaving the machine: the endpoint is ``http://localstack:4566``
and HTTP_PROXY points at a proxy on loopback (a scripted server), which forwards each
request to an emulator on 127.0.0.1. The name ``localstack`` is never resolved: the CLI
sends to the proxy, and the proxy does not look at the host.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from ssm_engagements._cli import main
from ssm_engagements._demo_data import BOTOCORE_EXAMPLE
from ssm_engagements.emulator import Emulator
from tests._server import Reply, ScriptedServer, Seen, scripted_server
from tests.cli._helpers import arns_from_jsonl, cli_env, run

REMOTE = "http://localstack:4566"
ENV = "SSM_ENGAGEMENTS_ALLOW_INSECURE_HTTP"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(engagements=BOTOCORE_EXAMPLE) as emulator:
        yield emulator


@pytest.fixture
def proxy(emu: Emulator) -> Iterator[ScriptedServer]:
    """A forwarding HTTP proxy on loopback whose only upstream is the emulator."""
    upstream = urlsplit(emu.url)

    def forward(seen: Seen) -> Reply:
        conn = http.client.HTTPConnection(upstream.hostname or "", upstream.port, timeout=10)
        try:
            # The headers as signed (Host: localstack:4566); the path without the origin.
            conn.request(seen.method, urlsplit(seen.path).path or "/", seen.body, seen.headers)
            answer = conn.getresponse()
            keep = {"content-type", "x-amzn-requestid"}
            headers = {k: v for k, v in answer.getheaders() if k.lower() in keep}
            return Reply(answer.status, answer.read(), headers)
        finally:
            conn.close()

    with scripted_server() as server:
        server.fallback = forward
        yield server


def remote_env(emu: Emulator, proxy: ScriptedServer, **extra: str) -> dict[str, str]:
    return cli_env(emu, HTTP_PROXY=proxy.url, NO_PROXY="", **extra)


def test_plain_http_to_another_host_is_refused_naming_the_flag_and_the_variable(
    emu: Emulator, proxy: ScriptedServer
) -> None:
    result = run("list", "--endpoint-url", REMOTE, env=remote_env(emu, proxy))
    assert result.returncode == 2
    assert "--allow-insecure-http" in result.stderr and ENV in result.stderr
    assert "allow_insecure_http" not in result.stderr  # the Python argument means nothing here
    assert proxy.requests == []  # refused before anything was sent


@pytest.mark.parametrize(
    ("option", "value"), [(["--allow-insecure-http"], None), ([], "1"), ([], "TRUE"), ([], " yes")]
)
def test_plain_http_to_another_host_when_allowed(
    emu: Emulator, proxy: ScriptedServer, option: list[str], value: str | None
) -> None:
    env = remote_env(emu, proxy, **({ENV: value} if value is not None else {}))
    result = run("list", "--endpoint-url", REMOTE, *option, "--output", "jsonl", env=env)
    assert result.returncode == 0, result.stderr
    assert arns_from_jsonl(result.stdout) == [e["EngagementArn"] for e in BOTOCORE_EXAMPLE]
    assert [seen.path for seen in proxy.requests] == [f"{REMOTE}/"]  # through the proxy


@pytest.mark.parametrize("value", ["0", "false", "No", "off", ""])
def test_the_variable_can_say_no(emu: Emulator, proxy: ScriptedServer, value: str) -> None:
    result = run("list", "--endpoint-url", REMOTE, env=remote_env(emu, proxy, **{ENV: value}))
    assert result.returncode == 2
    assert "--allow-insecure-http" in result.stderr
    assert proxy.requests == []


@pytest.mark.parametrize("value", ["maybe", "2", "y"])
def test_an_unknown_value_of_the_variable_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, value)
    assert main(["list", "--region", "us-east-1", "--endpoint-url", REMOTE]) == 2
    err = capsys.readouterr().err
    assert ENV in err and repr(value) in err and "true" in err and "false" in err


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--page-size", "0"], "--page-size"),
        (["--max-items", "0"], "--max-items"),
        (["--starting-token", "sse1.nonsense"], "--starting-token"),
        (["--incident-id", "bad<id>"], "--incident-id"),
    ],
)
@pytest.mark.parametrize(
    "where",
    [[], ["--demo"], ["--region", "us-east-1", "--endpoint-url", REMOTE]],
    ids=["no-region", "demo", "insecure-endpoint"],
)
def test_usage_errors_come_first(
    args: list[str], named: str, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", *where, *args]) == 2
    err = capsys.readouterr().err
    assert named in err
    assert "demo:" not in err  # the demo emulator never started
    assert "region" not in err.replace("--region", "") and "http://" not in err
