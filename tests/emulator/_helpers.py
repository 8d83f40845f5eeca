"""Helpers for the emulator tests: boto3 clients, raw signed requests, sample engagements."""

from __future__ import annotations

import calendar
import http.client
import json
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import boto3
import botocore.config
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ssm_engagements import EngagementsClient
from ssm_engagements.emulator import Emulator
from tests.cli._helpers import HANG_SECONDS, cli_env, read_lines_until, start

TARGET = "SSMContacts.ListEngagements"

# The SigV4 tests' request: signed by these keys, for this region, at this instant.
SIGV4_CREDS = Credentials("AKIDTEST", "secret/KEY+value")
SIGV4_REGION = "us-west-2"
SIGNED_AT = float(calendar.timegm((2024, 2, 29, 12, 0, 0, 0, 0, 0)))
SIGNED_HEADERS = {
    "X-Amz-Target": TARGET,
    "Content-Type": "application/x-amz-json-1.1",
    "Host": "127.0.0.1:8080",
}


def boto3_client(emulator: Emulator, **config: Any) -> Any:
    """A boto3 ssm-contacts client on the emulator: one attempt, the emulator's keys."""
    creds = emulator.credentials
    return boto3.client(
        "ssm-contacts",
        region_name=emulator.region,
        endpoint_url=emulator.url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token,
        config=botocore.config.Config(retries={"total_max_attempts": 1}, **config),
    )


@attrs.frozen
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


RawPost = Callable[..., RawResponse]
"""The ``post`` fixture: raw_post bound to the test's emulator."""


def raw_post(
    emulator: Emulator,
    body: bytes | dict[str, Any] = b"{}",
    *,
    target: str | None = TARGET,
    sign: bool = True,
    credentials: Credentials | None = None,
    region: str | None = None,
    service: str = "ssm-contacts",
    headers: dict[str, str] | None = None,
) -> RawResponse:
    """POST with http.client, signed by botocore's SigV4Auth unless ``sign`` is False."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    all_headers = {"Content-Type": "application/x-amz-json-1.1", **(headers or {})}
    if target is not None:
        all_headers["X-Amz-Target"] = target
    if sign:
        request = AWSRequest(method="POST", url=emulator.url + "/", data=data, headers=all_headers)
        SigV4Auth(credentials or emulator.credentials, service, region or emulator.region).add_auth(
            request
        )
        all_headers = dict(request.headers.items())
    return raw_request(emulator, "/", list(all_headers.items()), data)


def raw_request(
    emulator: Emulator, target: str, headers: list[tuple[str, str]], body: bytes
) -> RawResponse:
    """POST ``target`` (path and query) over loopback with these header lines, repeats
    and order kept, plus Content-Length and (unless given) Host."""
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    try:
        has_host = any(name.lower() == "host" for name, _ in headers)
        conn.putrequest("POST", target, skip_host=has_host, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return RawResponse(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=response.read(),
        )
    finally:
        conn.close()


def sign_at(
    signer: SigV4Auth, request: AWSRequest, at: float, *, drop_from_url: str | None = None
) -> AWSRequest:
    """Sign ``request`` in place with botocore's ``signer`` as if the time were ``at``
    (epoch seconds), as check_signature verifies at one instant; ``drop_from_url`` (a
    pattern) is removed from the URL just before the signature is computed. Returns it."""
    request.context["timestamp"] = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(at))
    signer._modify_request_before_signing(request)
    if drop_from_url is not None:
        request.url = re.sub(drop_from_url, "", request.url)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    return request


def engagement(i: int, **overrides: Any) -> dict[str, Any]:
    """A wire-shaped engagement number ``i``, started ``i`` seconds after a fixed instant."""
    item: dict[str, Any] = {
        "EngagementArn": f"arn:aws:ssm-contacts:us-east-1:111122223333:engagement/plan/{i:04d}",
        "ContactArn": "arn:aws:ssm-contacts:us-east-1:111122223333:contact/plan",
        "Sender": "cli",
        "IncidentId": "arn:aws:ssm-incidents::111122223333:incident-record/plan/a",
        "StartTime": 1_660_675_730 + i,
    }
    item.update(overrides)
    return item


class Served:
    """A running ``emulator`` command: its banner, settings and stderr."""

    def __init__(self, proc: subprocess.Popen[str], banner: str) -> None:
        self.proc = proc
        self.banner = banner
        self.settings = dict(re.findall(r"export (AWS_\w+)=(\S+)", banner))
        self.url = self.settings["AWS_ENDPOINT_URL_SSM_CONTACTS"]
        self.credentials = Credentials(
            self.settings["AWS_ACCESS_KEY_ID"], self.settings["AWS_SECRET_ACCESS_KEY"]
        )
        self.stderr = ""

    def client(self, url: str | None = None) -> EngagementsClient:
        return EngagementsClient(
            self.settings["AWS_REGION"],
            endpoint_url=url or self.url,
            credentials=self.credentials,
            max_attempts=1,
        )

    def env(self) -> dict[str, str]:
        return cli_env(**{k: v for k, v in self.settings.items() if k != "AWS_DEFAULT_REGION"})


@contextmanager
def serving(*args: str) -> Iterator[Served]:
    """Run ``ssm-engagements emulator --port 0 ARGS`` until the block ends (then Ctrl-C,
    which must end it with status 130); yields it once its banner is out."""
    proc = start("emulator", "--port", "0", *args, env=cli_env())
    try:
        lines = read_lines_until(proc, r"unset AWS_SESSION_TOKEN")
        served = Served(proc, "".join(lines))
        yield served
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=HANG_SECONDS) == 130
        assert proc.stderr is not None
        served.stderr = proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
