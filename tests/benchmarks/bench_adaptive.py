"""Retry modes under throttling: a paging audit against a rate-limited emulator.

    nox -s bench_adaptive            # or: python tests/benchmarks/bench_adaptive.py [--reps N]

WORKERS threads share one client and list LISTINGS incidents' engagements, two pages
each, from the emulator (``ssm-engagements emulator``, its own process, a fresh one per
run so each starts with a full bucket) limited to RATE requests/s with a burst of BURST.
Rows: ssm_engagements in standard and adaptive mode (the blocking client, and the async
client with WORKERS tasks), and boto3 in the same two modes, each run in turn and
repeated; the table shows the median [min-max] of each figure. Throttled answers and
attempts are counted client-side, from every attempt's response (the hooks of
ssm_engagements, botocore's ``needs-retry`` event); a listing fails when its iteration
raises. "ideal" is the requests the audit needs (2 per listing) at RATE per second.

Not part of the test suite (pytest does not collect these files).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ACCOUNT = "111122223333"
REGION = "us-east-1"
PER_INCIDENT = 4  # two pages of PAGE_SIZE
PAGE_SIZE = 2
THROTTLING = {"ThrottlingException", "Throttling", "TooManyRequestsException"}
ROWS = (
    ("ours", "standard"),
    ("ours", "adaptive"),
    ("ours-async", "standard"),
    ("ours-async", "adaptive"),
    ("boto3", "standard"),
    ("boto3", "adaptive"),
)
NAMES = {"ours": "ssm_engagements", "ours-async": "ssm_engagements async", "boto3": "boto3"}


def incident(n: int) -> str:
    return f"arn:aws:ssm-incidents::{ACCOUNT}:incident-record/audit/{n:08d}"


def write_data(path: Path, listings: int) -> None:
    items = [
        {
            "EngagementArn": f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:engagement/oncall/{n}-{i}",
            "ContactArn": f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/oncall",
            "Sender": "incident-manager",
            "IncidentId": incident(n),
            "StartTime": 1_700_000_000 + n * 60 + i,
        }
        for n in range(listings)
        for i in range(PER_INCIDENT)
    ]
    path.write_text(json.dumps({"Engagements": items}))


class Emulator:
    """``ssm-engagements emulator`` in a child process, stopped with Ctrl-C's signal."""

    def __init__(self, data: Path, rate: float, burst: int) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "ssm_engagements", "emulator", "--port", "0",
                "--data", str(data), "--region", REGION,
                "--rate-limit", str(rate), "--rate-burst", str(burst),
            ],
            stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        assert self.proc.stdout is not None
        env: dict[str, str] = {}
        for line in self.proc.stdout:
            line = line.strip()
            if line.startswith("export "):
                for pair in line[len("export ") :].split():
                    key, _, value = pair.partition("=")
                    env[key] = value
            if line.startswith("unset"):
                break
        self.url = env["AWS_ENDPOINT_URL_SSM_CONTACTS"]
        self.access_key = env["AWS_ACCESS_KEY_ID"]
        self.secret_key = env["AWS_SECRET_ACCESS_KEY"]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.attempts = 0
        self.throttled = 0

    def add(self, throttled: bool) -> None:
        with self.lock:
            self.attempts += 1
            self.throttled += throttled


def run_ours(emu: Emulator, mode: str, workers: int, listings: int) -> dict[str, Any]:
    import botocore.credentials

    import ssm_engagements as se
    from ssm_engagements.hooks import AttemptEnd, Hook

    counts = Counts()

    class Count(Hook):
        def on_attempt(self, event: AttemptEnd) -> None:
            error = event.error
            counts.add(isinstance(error, se.ServiceError) and error.code in THROTTLING)

    client = se.EngagementsClient(
        REGION, endpoint_url=emu.url, retry_mode=mode, max_pool_connections=workers,
        credentials=botocore.credentials.Credentials(emu.access_key, emu.secret_key),
        hooks=[Count()],
    )  # fmt: skip

    def listing(n: int) -> int:
        return sum(
            len(p.engagements)
            for p in client.iter_pages(incident_id=incident(n), page_size=PAGE_SIZE)
        )

    return _threads(listing, workers, listings, counts, lambda: client.send_rate)


def run_boto3(emu: Emulator, mode: str, workers: int, listings: int) -> dict[str, Any]:
    import boto3
    from botocore.config import Config

    counts = Counts()
    client = boto3.session.Session(
        aws_access_key_id=emu.access_key, aws_secret_access_key=emu.secret_key,
        region_name=REGION,
    ).client(
        "ssm-contacts", endpoint_url=emu.url,
        config=Config(retries={"mode": mode, "max_attempts": 3}, max_pool_connections=workers),
    )  # fmt: skip

    def attempt(response: Any = None, **_: Any) -> None:
        code = response[1].get("Error", {}).get("Code") if response is not None else None
        counts.add(code in THROTTLING)

    client.meta.events.register("needs-retry.ssm-contacts.ListEngagements", attempt)
    paginator = client.get_paginator("list_engagements")

    def listing(n: int) -> int:
        pages = paginator.paginate(IncidentId=incident(n), PaginationConfig={"PageSize": PAGE_SIZE})
        return sum(len(p["Engagements"]) for p in pages)

    return _threads(listing, workers, listings, counts, lambda: None)


def _threads(
    listing: Callable[[int], int],
    workers: int,
    listings: int,
    counts: Counts,
    rate: Callable[[], float | None],
) -> dict[str, Any]:
    failed = 0
    items = 0

    def one(n: int) -> int | None:
        try:
            return listing(n)
        except Exception:
            return None

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, range(listings)))
    elapsed = time.perf_counter() - started
    for result in results:
        if result is None:
            failed += 1
        else:
            items += result
    return _row(counts, failed, items, elapsed, rate())


def run_ours_async(emu: Emulator, mode: str, workers: int, listings: int) -> dict[str, Any]:
    import botocore.credentials

    import ssm_engagements as se
    from ssm_engagements.hooks import AttemptEnd, Hook

    counts = Counts()

    class Count(Hook):
        def on_attempt(self, event: AttemptEnd) -> None:
            error = event.error
            counts.add(isinstance(error, se.ServiceError) and error.code in THROTTLING)

    async def main() -> dict[str, Any]:
        client = se.AsyncEngagementsClient(
            REGION, endpoint_url=emu.url, retry_mode=mode, max_pool_connections=workers,
            credentials=botocore.credentials.Credentials(emu.access_key, emu.secret_key),
            hooks=[Count()],
        )  # fmt: skip
        todo = iter(range(listings))
        failed = items = 0

        async def worker() -> None:
            nonlocal failed, items
            for n in todo:
                try:
                    async for page in client.iter_pages(
                        incident_id=incident(n), page_size=PAGE_SIZE
                    ):
                        items += len(page.engagements)
                except Exception:
                    failed += 1

        async with client:
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(workers)))
            elapsed = time.perf_counter() - started
        return _row(counts, failed, items, elapsed, client.send_rate)

    return asyncio.run(main())


def _row(
    counts: Counts, failed: int, items: int, elapsed: float, rate: float | None
) -> dict[str, Any]:
    return {
        "failed": failed,
        "items": items,
        "attempts": counts.attempts,
        "throttled": counts.throttled,
        "throttled_pct": 100 * counts.throttled / max(counts.attempts, 1),
        "seconds": elapsed,
        "final_rate": rate,
    }


RUNNERS = {"ours": run_ours, "ours-async": run_ours_async, "boto3": run_boto3}


def _cell(values: list[float], fmt: str) -> str:
    med = statistics.median(values)
    if len(values) == 1 or min(values) == max(values):
        return format(med, fmt)
    return f"{format(med, fmt)} [{format(min(values), fmt)}-{format(max(values), fmt)}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="runs of each row (default 3)")
    parser.add_argument("--rate", type=float, default=20.0, help="emulator requests/s (20)")
    parser.add_argument("--burst", type=int, default=5, help="emulator burst (5)")
    parser.add_argument("--workers", type=int, default=16, help="threads or tasks (16)")
    parser.add_argument("--listings", type=int, default=160, help="incidents listed (160)")
    parser.add_argument("--rows", default=",".join(f"{lib}:{mode}" for lib, mode in ROWS))
    parser.add_argument("--out", default=str(ROOT / ".bench"), help="JSON output directory")
    args = parser.parse_args()
    rows = [tuple(r.split(":")) for r in args.rows.split(",")]
    needed = 2 * args.listings
    ideal = needed / args.rate
    results: dict[str, list[dict[str, Any]]] = {f"{lib}:{mode}": [] for lib, mode in rows}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "engagements.json"
        write_data(data, args.listings)
        for rep in range(args.reps):
            for lib, mode in rows:
                emu = Emulator(data, args.rate, args.burst)
                try:
                    row = RUNNERS[lib](emu, mode, args.workers, args.listings)
                finally:
                    emu.stop()
                results[f"{lib}:{mode}"].append(row)
                print(
                    f"rep {rep + 1} {NAMES[lib]:>22} {mode:>8}: failed {row['failed']:3d}, "
                    f"attempts {row['attempts']:4d}, throttled {row['throttled']:4d} "
                    f"({row['throttled_pct']:.1f} %), {row['seconds']:.2f} s "
                    f"({row['seconds'] / ideal:.2f}x ideal), items {row['items']}",
                    file=sys.stderr, flush=True,
                )  # fmt: skip
    print(
        f"\n{args.workers} workers, one client, {args.listings} listings x 2 pages "
        f"({needed} requests needed); emulator limited to {args.rate:g} requests/s, "
        f"burst {args.burst}; ideal {ideal:.1f} s; median [min-max] of {args.reps} runs\n"
    )
    head = "| client | mode | failed listings | requests | throttled | throttled % | seconds | x ideal |"
    print(head)
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for key, runs in results.items():
        lib, mode = key.split(":")
        print(
            f"| {NAMES[lib]} | {mode} | {_cell([r['failed'] for r in runs], '.0f')} | "
            f"{_cell([r['attempts'] for r in runs], '.0f')} | "
            f"{_cell([r['throttled'] for r in runs], '.0f')} | "
            f"{_cell([r['throttled_pct'] for r in runs], '.1f')} | "
            f"{_cell([r['seconds'] for r in runs], '.1f')} | "
            f"{_cell([r['seconds'] / ideal for r in runs], '.2f')} |"
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "adaptive.json").write_text(
        json.dumps({"args": vars(args), "results": results}, indent=1)
    )


if __name__ == "__main__":
    main()
