"""One benchmark measurement in a fresh interpreter; bench.py runs it and reads its JSON.

    python bench_child.py WHAT LIB URL [ARGS...]

WHAT: import | client | coldstart | pages SIZE WARMUP BATCHES PER_BATCH | stream SIZE
LIB:  ours (ssm_engagements) | boto3 | raw (urllib3 + botocore SigV4 + json.loads) |
      rawattrs (raw + frozen attrs objects with aware datetimes)

Only ``sys`` and ``time`` are imported before a measurement starts, so a cold import
is measured from the same starting point for every library. CPU is
``time.process_time()`` of this (the client) process; the server runs in another.
Credentials and the region come from the environment (as in a Lambda), for every LIB.
"""

from __future__ import annotations

import sys
import time

TARGET = "SSMContacts.ListEngagements"
CONTENT_TYPE = "application/x-amz-json-1.1"


def import_lib(lib: str) -> None:
    if lib == "ours":
        import ssm_engagements  # noqa: F401
    elif lib == "boto3":
        import boto3  # noqa: F401
    else:
        import json  # noqa: F401

        import botocore.auth
        import botocore.awsrequest  # noqa: F401
        import urllib3  # noqa: F401

        if lib == "rawattrs":
            import attrs  # noqa: F401


def make_client(lib: str, url: str) -> object:
    if lib == "ours":
        import ssm_engagements

        return ssm_engagements.EngagementsClient(endpoint_url=url)
    if lib == "boto3":
        import boto3

        return boto3.client("ssm-contacts", endpoint_url=url)
    return RawClient(url, build=lib == "rawattrs")


def caller(lib: str, client):
    """call(page_size, token) -> (number of engagements, next token)."""
    if lib == "ours":

        def call_ours(size: int, token: str | None) -> tuple[int, str | None]:
            page = client.list_engagements(max_results=size, next_token=token)
            return len(page.engagements), page.next_token

        return call_ours
    if lib == "boto3":

        def call_boto3(size: int, token: str | None) -> tuple[int, str | None]:
            kwargs: dict[str, object] = {"MaxResults": size}
            if token:
                kwargs["NextToken"] = token
            out = client.list_engagements(**kwargs)
            return len(out["Engagements"]), out.get("NextToken")

        return call_boto3
    return client.call


class RawClient:
    """The floor: urllib3 keep-alive, botocore SigV4Auth per request, json.loads; with
    ``build``, also frozen attrs objects with aware UTC datetimes."""

    def __init__(self, url: str, *, build: bool) -> None:
        import json
        import os
        from datetime import datetime, timezone
        from urllib.parse import urlsplit

        import urllib3
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        parts = urlsplit(url)
        self._pool = urllib3.HTTPConnectionPool(parts.hostname, parts.port, maxsize=1)
        self._url = url.rstrip("/") + "/"
        self._creds = Credentials(
            os.environ["AWS_ACCESS_KEY_ID"],
            os.environ["AWS_SECRET_ACCESS_KEY"],
            os.environ.get("AWS_SESSION_TOKEN"),
        )
        self._region = os.environ["AWS_REGION"]
        self._json = json
        self._signer = SigV4Auth
        self._request = AWSRequest
        self._build = None
        if build:
            import attrs

            @attrs.frozen(kw_only=True)
            class Engagement:
                engagement_arn: str
                contact_arn: str
                sender: str
                incident_id: str | None = None
                start_time: datetime | None = None
                stop_time: datetime | None = None

            utc = timezone.utc
            stamp = datetime.fromtimestamp

            def build_page(items: list[dict[str, object]]) -> tuple[object, ...]:
                return tuple(
                    [
                        Engagement(
                            engagement_arn=i["EngagementArn"],
                            contact_arn=i["ContactArn"],
                            sender=i["Sender"],
                            incident_id=i.get("IncidentId"),
                            start_time=stamp(i["StartTime"], utc) if "StartTime" in i else None,
                            stop_time=stamp(i["StopTime"], utc) if "StopTime" in i else None,
                        )
                        for i in items
                    ]
                )

            self._build = build_page

    def call(self, size: int, token: str | None) -> tuple[int, str | None]:
        params: dict[str, object] = {"MaxResults": size}
        if token:
            params["NextToken"] = token
        body = self._json.dumps(params).encode()
        headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET}
        request = self._request("POST", self._url, headers, body)
        self._signer(self._creds, "ssm-contacts", self._region).add_auth(request)
        response = self._pool.urlopen("POST", "/", body=body, headers=dict(request.headers.items()))
        data = self._json.loads(response.data)
        items = data["Engagements"]
        if self._build is not None:
            items = self._build(items)
        return len(items), data.get("NextToken")


def high_water_kib() -> int:
    """Peak RSS of this process so far, in KiB (VmHWM, else ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def stream(lib: str, client, size: int, max_items: int | None = None) -> int:
    """Iterate engagements the way a user would (iterator / paginator); return the count."""
    count = 0
    if lib == "ours":
        for _ in client.iter_engagements(page_size=size, max_items=max_items):
            count += 1
    elif lib == "boto3":
        config: dict[str, int] = {"PageSize": size}
        if max_items is not None:
            config["MaxItems"] = max_items
        for page in client.get_paginator("list_engagements").paginate(PaginationConfig=config):
            for _ in page["Engagements"]:
                count += 1
    else:
        call, token = caller(lib, client), None
        while True:
            n, token = call(size, token)
            count += n
            if not token or (max_items is not None and count >= max_items):
                break
    return count


def main(argv: list[str]) -> dict[str, object]:
    what, lib, url, *args = argv
    wall0, cpu0 = time.perf_counter(), time.process_time()
    if what == "import":
        import_lib(lib)
        return {"wall_ms": (time.perf_counter() - wall0) * 1e3, "cpu_ms": _cpu_ms(cpu0)}
    if what == "coldstart":
        import_lib(lib)
        n, _ = caller(lib, make_client(lib, url))(100, None)
        assert n == 100, n
        return {"wall_ms": (time.perf_counter() - wall0) * 1e3, "cpu_ms": _cpu_ms(cpu0)}
    import_lib(lib)
    if what == "client":
        wall0, cpu0 = time.perf_counter(), time.process_time()
        make_client(lib, url)
        return {"wall_ms": (time.perf_counter() - wall0) * 1e3, "cpu_ms": _cpu_ms(cpu0)}
    client = make_client(lib, url)
    if what == "pages":
        size, warmup, batches, per_batch = (int(a) for a in args)
        call, token = caller(lib, client), None
        for _ in range(warmup):
            _, token = call(size, token)
        cpu_per_page, wall_per_page = [], []
        for _ in range(batches):
            wall0, cpu0 = time.perf_counter(), time.process_time()
            for _ in range(per_batch):
                n, token = call(size, token)
                assert n == size, n
            cpu_per_page.append(_cpu_ms(cpu0) / per_batch)
            wall_per_page.append((time.perf_counter() - wall0) * 1e3 / per_batch)
        return {"cpu_ms_per_page": cpu_per_page, "wall_ms_per_page": wall_per_page}
    if what == "stream":
        (size,) = (int(a) for a in args)
        stream(lib, client, size, max_items=size)  # lazy imports, paginator models, buffers
        before = high_water_kib()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        count = stream(lib, client, size)
        wall_s, cpu_s = time.perf_counter() - wall0, time.process_time() - cpu0
        return {
            "count": count,
            "per_s_wall": count / wall_s,
            "per_s_cpu": count / cpu_s,
            "rss_growth_kib": high_water_kib() - before,
            "hwm_before_kib": before,
        }
    raise SystemExit(f"unknown measurement {what!r}")


def _cpu_ms(cpu0: float) -> float:
    return (time.process_time() - cpu0) * 1e3


if __name__ == "__main__":
    result = main(sys.argv[1:])
    import json

    print(json.dumps(result))
