"""One benchmark measurement in a fresh interpreter; bench.py runs it and reads its JSON.

    python bench_child.py WHAT LIB URL [ARGS...]

WHAT: import | client | coldstart | pages SIZE WARMUP BATCHES PER_BATCH |
      stream SIZE [MAX_ITEMS] | fanout LISTINGS PAGES CONCURRENCY SIZE REPS
LIB:  ours (ssm_engagements) | boto3 | raw (urllib3 + botocore SigV4 + json.loads) |
      rawattrs (raw + frozen attrs objects with aware datetimes) |
      aio (ssm_engagements' AsyncEngagementsClient) | aiobotocore |
      rawaio (aiohttp + botocore SigV4 + json.loads: dicts, no models)

The async libraries (ASYNC) run every measurement inside one ``asyncio.run``. In
``fanout``, the async libraries run LISTINGS listings as tasks, CONCURRENCY at a time
(a semaphore), on one client; the others run them on a thread pool of CONCURRENCY
threads sharing one client. Every client gets a pool of CONCURRENCY connections.

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
ASYNC = ("aio", "aiobotocore", "rawaio")
POOL = 16  # connections per client: the fan-out's concurrency


def import_lib(lib: str) -> None:
    if lib in ("ours", "aio"):
        import ssm_engagements  # noqa: F401
    elif lib == "boto3":
        import boto3  # noqa: F401
    elif lib == "aiobotocore":
        import aiobotocore.session  # noqa: F401
    elif lib == "rawaio":
        import json

        import aiohttp  # noqa: F401
        import botocore.auth
        import botocore.awsrequest
    else:
        import json  # noqa: F401

        import botocore.auth
        import botocore.awsrequest  # noqa: F401
        import urllib3  # noqa: F401

        if lib == "rawattrs":
            import attrs  # noqa: F401


def make_client(lib: str, url: str, pool: int | None = None) -> object:
    """A blocking client; with pool, one that keeps that many connections."""
    if lib == "ours":
        import ssm_engagements

        if pool is None:
            return ssm_engagements.EngagementsClient(endpoint_url=url)
        return ssm_engagements.EngagementsClient(endpoint_url=url, max_pool_connections=pool)
    if lib == "boto3":
        import boto3

        if pool is None:
            return boto3.client("ssm-contacts", endpoint_url=url)
        from botocore.config import Config

        return boto3.client(
            "ssm-contacts", endpoint_url=url, config=Config(max_pool_connections=pool)
        )
    return RawClient(url, build=lib == "rawattrs", pool=pool or 1)


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

    def __init__(self, url: str, *, build: bool, pool: int = 1) -> None:
        import json
        import os
        from datetime import datetime, timezone
        from urllib.parse import urlsplit

        import urllib3
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        parts = urlsplit(url)
        self._pool = urllib3.HTTPConnectionPool(parts.hostname, parts.port, maxsize=pool)
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
        items, token = self.page(size, token)
        return len(items), token

    def page(
        self, size: int, token: str | None
    ) -> tuple[list[object] | tuple[object, ...], str | None]:
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
        return items, data.get("NextToken")


class RawAioClient:
    """The async floor: one aiohttp ClientSession (keep-alive pool), botocore SigV4Auth
    per request, json.loads; plain dicts, no models."""

    def __init__(self, url: str, pool: int) -> None:
        import json
        import os

        import aiohttp
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=pool))
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

    async def call(self, size: int, token: str | None) -> tuple[int, str | None]:
        params: dict[str, object] = {"MaxResults": size}
        if token:
            params["NextToken"] = token
        body = self._json.dumps(params).encode()
        headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET}
        request = self._request("POST", self._url, headers, body)
        self._signer(self._creds, "ssm-contacts", self._region).add_auth(request)
        async with self._session.post(
            self._url, data=body, headers=dict(request.headers.items())
        ) as response:
            data = self._json.loads(await response.read())
        return len(data["Engagements"]), data.get("NextToken")

    async def close(self) -> None:
        await self._session.close()


class AsyncLib:
    """An async library's client, made and closed inside the running event loop."""

    def __init__(self, lib: str, url: str, pool: int = POOL) -> None:
        self.lib, self.url, self.pool = lib, url, pool
        self.client: object = None
        self._context: object = None

    async def __aenter__(self) -> AsyncLib:
        if self.lib == "aio":
            import ssm_engagements

            self.client = ssm_engagements.AsyncEngagementsClient(
                endpoint_url=self.url, max_pool_connections=self.pool
            )
        elif self.lib == "aiobotocore":
            from aiobotocore.config import AioConfig
            from aiobotocore.session import get_session

            self._context = get_session().create_client(
                "ssm-contacts",
                endpoint_url=self.url,
                config=AioConfig(max_pool_connections=self.pool),
            )
            self.client = await self._context.__aenter__()
        else:
            self.client = RawAioClient(self.url, self.pool)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._context is not None:
            await self._context.__aexit__(None, None, None)
        else:
            await self.client.close()

    def caller(self):
        """call(page_size, token) -> awaitable (number of engagements, next token)."""
        client = self.client
        if self.lib == "aio":

            async def call_aio(size: int, token: str | None) -> tuple[int, str | None]:
                page = await client.list_engagements(max_results=size, next_token=token)
                return len(page.engagements), page.next_token

            return call_aio
        if self.lib == "aiobotocore":

            async def call_aiobotocore(size: int, token: str | None) -> tuple[int, str | None]:
                kwargs: dict[str, object] = {"MaxResults": size}
                if token:
                    kwargs["NextToken"] = token
                out = await client.list_engagements(**kwargs)
                return len(out["Engagements"]), out.get("NextToken")

            return call_aiobotocore
        return client.call

    async def stream(self, size: int, max_items: int | None = None) -> int:
        """Iterate engagements the way a user would (async iterator / paginator)."""
        count = 0
        client = self.client
        if self.lib == "aio":
            async for _ in client.iter_engagements(page_size=size, max_items=max_items):
                count += 1
        elif self.lib == "aiobotocore":
            config: dict[str, int] = {"PageSize": size}
            if max_items is not None:
                config["MaxItems"] = max_items
            paginator = client.get_paginator("list_engagements")
            async for page in paginator.paginate(PaginationConfig=config):
                for _ in page["Engagements"]:
                    count += 1
        else:
            call, token = self.caller(), None
            while True:
                n, token = await call(size, token)
                count += n
                if not token or (max_items is not None and count >= max_items):
                    break
        return count


async def async_main(what: str, lib: str, url: str, args: list[int]) -> dict[str, object]:
    if what == "coldstart":
        wall0, cpu0 = time.perf_counter(), time.process_time()
        import_lib(lib)
        async with AsyncLib(lib, url) as made:
            n, _ = await made.caller()(100, None)
        assert n == 100, n
        return {"wall_ms": (time.perf_counter() - wall0) * 1e3, "cpu_ms": _cpu_ms(cpu0)}
    import_lib(lib)
    async with AsyncLib(lib, url) as made:
        if what == "pages":
            size, warmup, batches, per_batch = args
            call, token = made.caller(), None
            for _ in range(warmup):
                _, token = await call(size, token)
            cpu_per_page, wall_per_page = [], []
            for _ in range(batches):
                wall0, cpu0 = time.perf_counter(), time.process_time()
                for _ in range(per_batch):
                    n, token = await call(size, token)
                    assert n == size, n
                cpu_per_page.append(_cpu_ms(cpu0) / per_batch)
                wall_per_page.append((time.perf_counter() - wall0) * 1e3 / per_batch)
            return {"cpu_ms_per_page": cpu_per_page, "wall_ms_per_page": wall_per_page}
        if what == "fanout":
            import asyncio

            listings, pages, concurrency, size, reps = args
            gate = asyncio.Semaphore(concurrency)

            async def listing() -> int:
                async with gate:
                    return await made.stream(size, max_items=pages * size)

            async def fan_out() -> int:
                return sum(await asyncio.gather(*(listing() for _ in range(listings))))

            return await timed_fanouts(fan_out, listings * pages * size, reps)
    raise SystemExit(f"unknown async measurement {what!r}")


async def timed_fanouts(fan_out, expected: int, reps: int) -> dict[str, object]:
    """One warm-up fan-out (connections opened), then reps timed ones."""
    assert await fan_out() == expected
    wall, cpu = [], []
    for _ in range(reps):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        count = await fan_out()
        cpu.append(_cpu_ms(cpu0))
        wall.append((time.perf_counter() - wall0) * 1e3)
        assert count == expected, count
    return {"wall_ms": wall, "cpu_ms": cpu}


def threaded_fanout(lib: str, url: str, args: list[int]) -> dict[str, object]:
    """LISTINGS listings on a pool of CONCURRENCY threads sharing one client."""
    from concurrent.futures import ThreadPoolExecutor

    listings, pages, concurrency, size, reps = args
    client = make_client(lib, url, pool=concurrency)
    expected = listings * pages * size
    with ThreadPoolExecutor(concurrency) as pool:

        def one(_: int) -> int:
            return stream(lib, client, size, max_items=pages * size)

        assert sum(pool.map(one, range(listings))) == expected  # threads and connections up
        wall, cpu = [], []
        for _ in range(reps):
            wall0, cpu0 = time.perf_counter(), time.process_time()
            count = sum(pool.map(one, range(listings)))
            cpu.append(_cpu_ms(cpu0))
            wall.append((time.perf_counter() - wall0) * 1e3)
            assert count == expected, count
    return {"wall_ms": wall, "cpu_ms": cpu}


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
    else:  # the floors: a page at a time, its items one by one
        token = None
        while True:
            items, token = client.page(size, token)
            for _ in items:
                count += 1
            if not token or (max_items is not None and count >= max_items):
                break
    return count


def main(argv: list[str]) -> dict[str, object]:
    what, lib, url, *args = argv
    wall0, cpu0 = time.perf_counter(), time.process_time()
    if what == "import":
        import_lib(lib)
        wall_ms, cpu_ms = (time.perf_counter() - wall0) * 1e3, _cpu_ms(cpu0)
        return {"wall_ms": wall_ms, "cpu_ms": cpu_ms, "aiohttp_loaded": "aiohttp" in sys.modules}
    if lib in ASYNC:
        import asyncio

        return asyncio.run(async_main(what, lib, url, [int(a) for a in args]))
    if what == "fanout":
        return threaded_fanout(lib, url, [int(a) for a in args])
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
        size, *limit = (int(a) for a in args)
        stream(lib, client, size, max_items=size)  # lazy imports, paginator models, buffers
        before = high_water_kib()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        count = stream(lib, client, size, max_items=limit[0] if limit else None)
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
