"""Side-by-side benchmark: ssm_engagements against boto3 on ListEngagements.

    nox -s bench                        # or: python tests/benchmarks/bench.py [--reps N]

A fast local server (bench_server.py, its own process) answers every request from
pre-rendered pages, so the clients are what is measured. Every figure is measured in a
fresh interpreter (bench_child.py) for each library, interleaved and repeated; the table
shows the median [min-max] over runs and the ratio ssm_engagements / boto3. The raw
floors (urllib3 + botocore SigV4 + json.loads; the same plus frozen attrs objects) are
measured the same way, for reference. Results are also written as JSON to .bench/.

The async rows put AsyncEngagementsClient beside aiobotocore, and run the fan-out of a
paging audit (32 listings of 4 pages, 16 at a time) with both async clients, both
blocking clients on 16 threads, and a bare aiohttp + SigV4 + json.loads floor.
``--only sync,async,fanout`` picks scenarios; ``--before REF`` also measures the
package as it was at a git commit (import, CPU per page, streaming).

Not part of the test suite (pytest does not collect these files).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHILD = HERE / "bench_child.py"
SERVER = HERE / "bench_server.py"
LIBS = ("ours", "boto3")
FLOORS = ("raw", "rawattrs")
ASYNC_LIBS = ("aio", "aiobotocore")
ASYNC_FLOOR = "rawaio"
FANOUT_LIBS = ("aio", "aiobotocore", "ours", "boto3", ASYNC_FLOOR)
NAMES = {
    "ours": "ssm_engagements",
    "boto3": "boto3",
    "raw": "raw urllib3+SigV4+json",
    "rawattrs": "raw + attrs objects",
    "aio": "ssm_engagements async",
    "aiobotocore": "aiobotocore",
    "rawaio": "bare aiohttp+SigV4+json",
    "before": "ssm_engagements before",
}
FANOUT_NAMES = {
    "aio": "ssm_engagements async, 1 client",
    "aiobotocore": "aiobotocore, 1 client",
    "ours": "ssm_engagements, 16 threads",
    "boto3": "boto3, 16 threads",
    "rawaio": "bare aiohttp+SigV4+json (floor)",
}
STREAM_TOTAL = 200_000  # bench_server.TOTAL
STREAM_100 = 50_000  # engagements streamed at 100 per page (500 pages)
# The fan-out of a paging audit: listings, pages each, at a time, page size, timed runs.
FANOUT = (32, 4, 16, 100, 5)

# (key, label). Values are per-run numbers; the table shows their medians.
FIGURES: list[tuple[str, str]] = [
    ("import_ms", "cold import, ms (wall)"),
    ("client_ms", "first client construction, ms (wall)"),
    ("coldstart_ms", "cold start to first page, ms (wall)"),
    ("coldstart_cpu_ms", "cold start to first page, ms (CPU)"),
    ("cpu_page_100_ms", "CPU per page, 100 items, ms"),
    ("cpu_page_1000_ms", "CPU per page, 1,000 items, ms"),
    ("wall_page_100_ms", "wall per page, 100 items, ms"),
    ("wall_page_1000_ms", "wall per page, 1,000 items, ms"),
    ("eng_per_s", "engagements/s, 1,000 per page (wall)"),
    ("eng_per_s_cpu", "engagements/s, 1,000 per page (CPU)"),
    ("rss_growth_kib", "peak RSS growth, 200,000 engagements, KiB"),
]


def child_env(tmp: Path, package_root: Path = ROOT) -> dict[str, str]:
    """The environment of every measurement: no AWS settings from this machine, Lambda-like
    credentials and region in the environment, no shared config files, no proxies."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(("AWS_", "SSM_ENGAGEMENTS_", "PYTHONPROFILE"))
        and k.upper() not in {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"}
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        AWS_ACCESS_KEY_ID="AKIDBENCHMARKEXAMPLE",
        AWS_SECRET_ACCESS_KEY="bench/secret/not/a/real/key/EXAMPLEKEY",
        AWS_SESSION_TOKEN="IQoJb3JpZ2luX2VjEBenchmarkSessionTokenExample" * 8,
        AWS_REGION="us-east-1",  # Lambda sets both; boto3 reads only the second
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp / "absent-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp / "absent-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=os.pathsep.join(filter(None, [str(package_root), os.environ.get("PYTHONPATH")])),
    )
    return env


class Runner:
    def __init__(self, url: str, env: dict[str, str], before_env: dict[str, str] | None) -> None:
        self.url = url
        self.env = env
        # "before" runs the child's "ours" with another copy of the package on the path.
        self.before_env = before_env
        self.runs: dict[str, dict[str, list[float]]] = {}
        self.flags: dict[str, list[bool]] = {}

    def child(self, what: str, lib: str, *args: object) -> dict[str, Any]:
        env = self.env
        if lib == "before":
            assert self.before_env is not None
            lib, env = "ours", self.before_env
        out = subprocess.run(
            [sys.executable, str(CHILD), what, lib, self.url, *map(str, args)],
            env=env,
            cwd=str(ROOT),
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"bench_child {what} {lib} failed:\n{out.stderr}")
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return result

    def add(self, figure: str, lib: str, value: float) -> None:
        self.runs.setdefault(figure, {}).setdefault(lib, []).append(value)

    def imported(self, lib: str) -> None:
        r = self.child("import", lib)
        self.add("import_ms", lib, r["wall_ms"])
        self.add("import_cpu_ms", lib, r["cpu_ms"])
        self.flags.setdefault(f"aiohttp_loaded_{lib}", []).append(r["aiohttp_loaded"])

    def cold(self, lib: str) -> None:
        if lib == "before":
            self.imported(lib)
            return
        self.imported(lib)
        r = self.child("client", lib)
        self.add("client_ms", lib, r["wall_ms"])
        self.add("client_cpu_ms", lib, r["cpu_ms"])
        r = self.child("coldstart", lib)
        self.add("coldstart_ms", lib, r["wall_ms"])
        self.add("coldstart_cpu_ms", lib, r["cpu_ms"])

    def pages(self, lib: str, size: int, warmup: int, batches: int, per_batch: int) -> None:
        r = self.child("pages", lib, size, warmup, batches, per_batch)
        self.add(f"cpu_page_{size}_ms", lib, statistics.median(r["cpu_ms_per_page"]))
        self.add(f"wall_page_{size}_ms", lib, statistics.median(r["wall_ms_per_page"]))

    def stream(self, lib: str) -> None:
        r = self.child("stream", lib, 1000)
        if r["count"] != STREAM_TOTAL:
            raise SystemExit(f"{lib} streamed {r['count']} engagements, not {STREAM_TOTAL}")
        self.add("eng_per_s", lib, r["per_s_wall"])
        self.add("eng_per_s_cpu", lib, r["per_s_cpu"])
        self.add("rss_growth_kib", lib, r["rss_growth_kib"])

    def stream_100(self, lib: str) -> None:
        r = self.child("stream", lib, 100, STREAM_100)
        if r["count"] != STREAM_100:
            raise SystemExit(f"{lib} streamed {r['count']} engagements, not {STREAM_100}")
        self.add("eng_per_s_100", lib, r["per_s_wall"])
        self.add("eng_per_s_cpu_100", lib, r["per_s_cpu"])

    def fanout(self, lib: str) -> None:
        r = self.child("fanout", lib, *FANOUT)
        self.add("fanout_wall_ms", lib, statistics.median(r["wall_ms"]))
        self.add("fanout_cpu_ms", lib, statistics.median(r["cpu_ms"]))


def interleaved(reps: int, libs: tuple[str, ...], run: Callable[[str], None]) -> None:
    """Run every library reps times, alternating the order so drift hits both alike."""
    for rep in range(reps):
        for lib in libs if rep % 2 == 0 else libs[::-1]:
            run(lib)


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": values,
    }


def fmt(value: float) -> str:
    if value >= 10_000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}"


def fmt_ratio(value: float) -> str:
    return f"{value:.3f}x" if value < 0.1 else f"{value:.2f}x"


def cell(s: dict[str, Any]) -> str:
    return f"{fmt(s['median'])} [{fmt(s['min'])}-{fmt(s['max'])}]"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    versions = {}
    for dist in (
        "ssm-engagements", "boto3", "botocore", "urllib3", "attrs", "cattrs", "aiohttp",
        "aiobotocore",
    ):  # fmt: skip
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "loadavg_at_end": os.getloadavg(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "versions": versions,
    }


def ratio(results: dict[str, Any], fig: str, lib: str, other: str) -> float | None:
    """median(lib) / median(other) for fig, or None when either was not measured."""
    row = results.get(fig, {})
    if lib not in row or other not in row:
        return None
    return float(row[lib]["median"] / row[other]["median"])


def evaluate(runner: Runner) -> tuple[dict[str, Any], dict[str, float], dict[str, bool]]:
    """Summaries, ratios and the targets for what was measured."""
    results = {
        fig: {lib: summary(v) for lib, v in libs.items()} for fig, libs in runner.runs.items()
    }
    ratios: dict[str, float] = {}

    def put(name: str, fig: str, lib: str, other: str) -> None:
        value = ratio(results, fig, lib, other)
        if value is not None:
            ratios[name] = value

    for fig in results:
        put(fig, fig, "ours", "boto3")
    for size in (100, 1000):
        fig = f"cpu_page_{size}_ms"
        put(f"{fig}_vs_rawattrs", fig, "ours", "rawattrs")
        put(f"{fig}_async_vs_aiobotocore", fig, "aio", "aiobotocore")
        put(f"{fig}_async_vs_sync", fig, "aio", "ours")
        put(f"{fig}_before_vs_rawattrs", fig, "before", "rawattrs")
    # Engagements per CPU-second: the floor's over ours is ours' CPU per engagement
    # over the floor's.
    for fig in ("eng_per_s_cpu", "eng_per_s_cpu_100"):
        put(f"{fig}_floor_over_ours", fig, "rawattrs", "ours")
        put(f"{fig}_floor_over_before", fig, "rawattrs", "before")
    put("import_ms_vs_before", "import_ms", "ours", "before")
    for fig in ("fanout_wall_ms", "fanout_cpu_ms"):
        for other in ("aiobotocore", "boto3", "ours", ASYNC_FLOOR):
            put(f"{fig}_async_vs_{other}", fig, "aio", other)

    checks: list[tuple[str, str, float]] = [  # (label, ratio or figure, most allowed)
        ("CPU/page at 100 <= 1.2x raw+attrs floor", "cpu_page_100_ms_vs_rawattrs", 1.2),
        ("CPU/page at 100 >= 4x less than boto3", "cpu_page_100_ms", 0.25),
        ("CPU/page at 1,000 >= 6x less than boto3", "cpu_page_1000_ms", 1 / 6),
        ("cold start to first page <= 0.6x boto3", "coldstart_ms", 0.6),
        ("import <= 0.6x boto3", "import_ms", 0.6),
        ("engagements/CPU-s at 1,000 >= 6x boto3", "eng_per_s_cpu_inverse", 1 / 6),
        ("stream CPU/engagement at 100 <= 1.15x raw+attrs", "eng_per_s_cpu_100_floor_over_ours",
         1.15),
        ("stream CPU/engagement at 1,000 <= 1.15x raw+attrs", "eng_per_s_cpu_floor_over_ours",
         1.15),
        ("import unchanged (<= 1.1x before)", "import_ms_vs_before", 1.1),
        ("async CPU/page at 100 <= 0.25x aiobotocore", "cpu_page_100_ms_async_vs_aiobotocore",
         0.25),
        ("fan-out wall <= 0.5x aiobotocore", "fanout_wall_ms_async_vs_aiobotocore", 0.5),
        ("fan-out wall <= 0.5x boto3 on 16 threads", "fanout_wall_ms_async_vs_boto3", 0.5),
        ("fan-out CPU <= 0.3x aiobotocore", "fanout_cpu_ms_async_vs_aiobotocore", 0.3),
        ("fan-out CPU <= 0.3x boto3 on 16 threads", "fanout_cpu_ms_async_vs_boto3", 0.3),
        ("fan-out wall <= ours on 16 threads", "fanout_wall_ms_async_vs_ours", 1.0),
        ("fan-out wall <= 2x bare aiohttp floor", "fanout_wall_ms_async_vs_rawaio", 2.0),
    ]  # fmt: skip
    if "eng_per_s_cpu" in ratios:
        ratios["eng_per_s_cpu_inverse"] = 1 / ratios["eng_per_s_cpu"]
    targets = {label: ratios[key] <= most for label, key, most in checks if key in ratios}
    if "client_ms" in results:
        targets["first client construction < 1 ms"] = results["client_ms"]["ours"]["median"] < 1
    if "rss_growth_kib" in results:
        targets["RSS growth <= 2 MiB over 200,000"] = (
            results["rss_growth_kib"]["ours"]["median"] <= 2048
        )
    if "aiohttp_loaded_ours" in runner.flags:
        targets["import ssm_engagements loads no aiohttp"] = not any(
            runner.flags["aiohttp_loaded_ours"]
        )
    return results, ratios, targets


# (figure, label) rows of each table, with the libraries in its columns.
SYNC_ROWS = FIGURES
ASYNC_ROWS = [
    ("cpu_page_100_ms", "CPU per page, 100 items, ms"),
    ("cpu_page_1000_ms", "CPU per page, 1,000 items, ms"),
    ("wall_page_100_ms", "wall per page, 100 items, ms"),
    ("wall_page_1000_ms", "wall per page, 1,000 items, ms"),
]
STREAM_ROWS = [
    ("eng_per_s_cpu_100", "engagements/CPU-s, 100 per page"),
    ("eng_per_s_cpu", "engagements/CPU-s, 1,000 per page"),
    ("cpu_page_100_ms", "CPU per page, 100 items, ms"),
    ("cpu_page_1000_ms", "CPU per page, 1,000 items, ms"),
    ("import_ms", "cold import, ms (wall)"),
]


def tables(results: dict[str, Any], ratios: dict[str, float]) -> list[dict[str, Any]]:
    """Each table: title, header cells, rows of cells (medians with [min-max])."""
    out = []

    def grid(
        title: str,
        rows: list[tuple[str, str]],
        libs: list[str],
        extra: list[tuple[str, Any]],
        needs: tuple[str, str],
    ) -> None:
        libs = [lib for lib in libs if any(lib in results.get(fig, {}) for fig, _ in rows)]
        if needs[1] not in results.get(needs[0], {}):  # that scenario did not run
            return
        body = []
        for fig, label in rows:
            row = results.get(fig)
            if row is None:
                continue
            cells = [label] + [cell(row[lib]) if lib in row else "" for lib in libs]
            cells += [how(fig) for _, how in extra]
            body.append(cells)
        if body and libs:
            header = ["figure"] + [NAMES[lib] for lib in libs] + [name for name, _ in extra]
            out.append({"title": title, "header": header, "rows": body})

    def r(name: str) -> str:
        return fmt_ratio(ratios[name]) if name in ratios else ""

    grid(
        "Blocking client and boto3",
        SYNC_ROWS,
        ["ours", "boto3"],
        [("ours/boto3", r)],
        ("cpu_page_100_ms", "boto3"),
    )
    grid(
        "Async client and aiobotocore (one task, pages in a row)",
        ASYNC_ROWS,
        ["aio", "aiobotocore", ASYNC_FLOOR, "ours"],
        [
            ("async/aiobotocore", lambda fig: r(f"{fig}_async_vs_aiobotocore")),
            ("async/blocking", lambda fig: r(f"{fig}_async_vs_sync")),
        ],
        ("cpu_page_100_ms", "aio"),
    )
    fan_rows = [("fanout_wall_ms", "wall, ms"), ("fanout_cpu_ms", "CPU, ms")]
    if "fanout_wall_ms" in results:
        libs = [lib for lib in FANOUT_LIBS if lib in results["fanout_wall_ms"]]
        body = []
        for lib in libs:
            cells = [FANOUT_NAMES[lib]]
            cells += [cell(results[fig][lib]) for fig, _ in fan_rows]
            cells += [r(f"{fig}_async_vs_{lib}") if lib != "aio" else "" for fig, _ in fan_rows]
            body.append(cells)
        label = (
            f"Fan-out: {FANOUT[0]} listings of {FANOUT[1]} pages ({FANOUT[3]} items), "
            f"{FANOUT[2]} at a time"
        )
        header = ["client", "wall, ms", "CPU, ms", "async/this wall", "async/this CPU"]
        out.append({"title": label, "header": header, "rows": body})
    grid(
        "Streaming and floors (CPU)",
        STREAM_ROWS,
        ["ours", "before", "rawattrs", "raw", "boto3"],
        [
            ("ours/raw+attrs", lambda fig: r(f"{fig}_vs_rawattrs") or r(f"{fig}_floor_over_ours")),
            (
                "before/raw+attrs",
                lambda fig: r(f"{fig}_before_vs_rawattrs") or r(f"{fig}_floor_over_before"),
            ),
        ],
        ("eng_per_s_cpu", "rawattrs"),
    )
    return out


def report(runner: Runner, elapsed: float, reps: int) -> dict[str, Any]:
    results, ratios, targets = evaluate(runner)
    lines: list[str] = []
    for table in tables(results, ratios):
        widths = [
            max(len(str(row[i])) for row in [table["header"], *table["rows"]])
            for i in range(len(table["header"]))
        ]
        lines.append(table["title"])
        for row in [table["header"], *table["rows"]]:
            lines.append("  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip())
        lines.append("")
    for name, ok in targets.items():
        lines.append(f"  [{'ok' if ok else 'MISSED'}] {name}")
    info = machine()
    lines.append("")
    lines.append(
        f"{reps} runs each, interleaved; median [min-max]. {info['nproc']} CPUs (load average "
        f"{info['loadavg_at_end'][0]:.1f} at the end), {info['python']}, "
        + ", ".join(f"{k} {v}" for k, v in info["versions"].items())
        + f". Took {elapsed:.0f} s."
    )
    table = "\n".join(lines)
    print(table)
    args = " ".join(sys.argv[1:])
    if os.environ.get("NOX_CURRENT_SESSION") == "bench":
        command = "nox -s bench" + (f" -- {args}" if args else "")
    else:
        command = "python tests/benchmarks/bench.py" + (f" {args}" if args else "")
    return {
        "command": command,
        "reps": reps,
        "elapsed_s": elapsed,
        "date": time.strftime("%Y-%m-%d"),
        "machine": info,
        "results": results,
        "ratios": ratios,
        "targets": targets,
        "tables": tables(results, ratios),
        "table": table,
    }


def markdown(data: dict[str, Any]) -> str:
    """The tables as Markdown, for docs/performance.md."""
    out = []
    for table in data["tables"]:
        out.append(f"**{table['title']}**")
        out.append("")
        out.append("| " + " | ".join(table["header"]) + " |")
        out.append("| --- |" + " ---: |" * (len(table["header"]) - 1))
        for row in table["rows"]:
            cells = [c.replace(" [", " (").replace("]", ")") for c in row]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    out += ["| Target | Held |", "| --- | --- |"]
    out += [f"| {name} | {'yes' if ok else 'no'} |" for name, ok in data["targets"].items()]
    return "\n".join(out) + "\n"


def package_at(ref: str, into: Path) -> Path:
    """The ssm_engagements package as it was at git ref, unpacked under into."""
    archive = subprocess.run(
        ["git", "archive", ref, "ssm_engagements"], cwd=str(ROOT), capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise SystemExit(f"git archive {ref} failed:\n{archive.stderr.decode()}")
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


SCENARIOS = ("sync", "async", "fanout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="runs of each measurement (5)")
    parser.add_argument(
        "--cold-reps", type=int, default=None, help="runs of the cold-start figures (3 x reps)"
    )
    parser.add_argument("--out", default=str(ROOT / ".bench"), help="folder for the JSON")
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help="comma-separated scenarios to run: sync (the table against boto3, with "
        "streaming and floors), async (pages against aiobotocore), fanout; all by default",
    )
    parser.add_argument(
        "--ours-from",
        default=str(ROOT),
        help="a folder holding another ssm_engagements package to measure instead of this "
        "checkout's (e.g. `git archive <commit> ssm_engagements | tar -x -C DIR`)",
    )
    parser.add_argument(
        "--before",
        metavar="REF",
        help="also measure the package as it was at this git commit, as a 'before' "
        "column (import, CPU per page, streaming; with the sync scenario)",
    )
    opts = parser.parse_args()
    only = set(opts.only.split(","))
    if not only <= set(SCENARIOS):
        parser.error(f"--only takes {', '.join(SCENARIOS)}; got {opts.only!r}")
    cold_reps = opts.cold_reps or 3 * opts.reps
    started = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(Path(tmp), Path(opts.ours_from).resolve())
        before_env = None
        if opts.before:
            before_env = child_env(Path(tmp), package_at(opts.before, Path(tmp) / "before"))
        before = ("before",) if before_env else ()
        server = subprocess.Popen(
            [sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            url = f"http://127.0.0.1:{int(server.stdout.readline())}"
            runner = Runner(url, env, before_env)
            warm = (*LIBS, *FLOORS, *before) if "sync" in only else ()
            if only & {"async", "fanout"}:
                warm += (*ASYNC_LIBS, ASYNC_FLOOR)
            for lib in warm:  # bytecode written, page cache warm
                runner.child("coldstart", lib)
            print(f"server {url}; {cold_reps} cold runs, {opts.reps} runs of the rest", flush=True)
            page_libs: tuple[str, ...] = ()
            if "sync" in only:
                interleaved(cold_reps, (*LIBS, *before), runner.cold)
                page_libs += (*LIBS, *FLOORS, *before)
            if "async" in only:
                page_libs += (*ASYNC_LIBS, ASYNC_FLOOR)
                if "sync" not in only:
                    page_libs += ("ours",)
            if page_libs:
                interleaved(opts.reps, page_libs, lambda lib: runner.pages(lib, 100, 30, 7, 30))
                interleaved(opts.reps, page_libs, lambda lib: runner.pages(lib, 1000, 4, 7, 6))
            if "sync" in only:
                interleaved(opts.reps, (*LIBS, "rawattrs", *before), runner.stream)
                interleaved(opts.reps, (*LIBS, "rawattrs", *before), runner.stream_100)
            if "fanout" in only:
                interleaved(opts.reps, FANOUT_LIBS, runner.fanout)
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=10)

    data = report(runner, time.perf_counter() - started, opts.reps)
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (out / name).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out / "latest.md").write_text(markdown(data), encoding="utf-8")
    print(f"Written to {out.name}/: latest.json, bench-{stamp}.json, latest.md (Markdown tables)")


if __name__ == "__main__":
    main()
