"""Side-by-side benchmark: ssm_engagements against boto3 on ListEngagements.

    nox -s bench                        # or: python tests/benchmarks/bench.py [--reps N]

A fast local server (bench_server.py, its own process) answers every request from
pre-rendered pages, so the clients are what is measured. Every figure is measured in a
fresh interpreter (bench_child.py) for each library, interleaved and repeated; the table
shows the median [min-max] over runs and the ratio ssm_engagements / boto3. The raw
floors (urllib3 + botocore SigV4 + json.loads; the same plus frozen attrs objects) are
measured the same way, for reference. Results are also written as JSON to .bench/.

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
NAMES = {
    "ours": "ssm_engagements",
    "boto3": "boto3",
    "raw": "raw urllib3+SigV4+json",
    "rawattrs": "raw + attrs objects",
}
STREAM_TOTAL = 200_000  # bench_server.TOTAL

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
    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url = url
        self.env = env
        self.runs: dict[str, dict[str, list[float]]] = {}

    def child(self, what: str, lib: str, *args: object) -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, str(CHILD), what, lib, self.url, *map(str, args)],
            env=self.env,
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

    def cold(self, lib: str) -> None:
        r = self.child("import", lib)
        self.add("import_ms", lib, r["wall_ms"])
        self.add("import_cpu_ms", lib, r["cpu_ms"])
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
    for dist in ("ssm-engagements", "boto3", "botocore", "urllib3", "attrs", "cattrs"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "versions": versions,
    }


def report(runner: Runner, elapsed: float, reps: int) -> dict[str, Any]:
    results = {
        fig: {lib: summary(v) for lib, v in libs.items()} for fig, libs in runner.runs.items()
    }
    ratios = {
        fig: results[fig]["ours"]["median"] / results[fig]["boto3"]["median"]
        for fig in results
        if "ours" in results[fig] and "boto3" in results[fig]
    }
    for size in (100, 1000):
        fig = f"cpu_page_{size}_ms"
        ratios[f"{fig}_vs_rawattrs"] = (
            results[fig]["ours"]["median"] / results[fig]["rawattrs"]["median"]
        )
    targets = {
        "CPU/page at 100 <= 1.2x raw+attrs floor": ratios["cpu_page_100_ms_vs_rawattrs"] <= 1.2,
        "CPU/page at 100 >= 4x less than boto3": ratios["cpu_page_100_ms"] <= 0.25,
        "CPU/page at 1,000 >= 6x less than boto3": ratios["cpu_page_1000_ms"] <= 1 / 6,
        "first client construction < 1 ms": results["client_ms"]["ours"]["median"] < 1.0,
        "cold start to first page <= 0.6x boto3": ratios["coldstart_ms"] <= 0.6,
        "import <= 0.6x boto3": ratios["import_ms"] <= 0.6,
        "RSS growth <= 2 MiB over 200,000": results["rss_growth_kib"]["ours"]["median"] <= 2048,
    }

    width = 44
    lines = [
        f"{'figure':<{width}} {NAMES['ours']:<26} {NAMES['boto3']:<26} ours/boto3",
    ]
    for fig, label in FIGURES:
        row = results[fig]
        lines.append(
            f"{label:<{width}} {cell(row['ours']):<26} {cell(row['boto3']):<26} "
            f"{fmt_ratio(ratios[fig])}"
        )
    lines.append("")
    lines.append(
        f"{'CPU per page, ms (floors for reference)':<{width}} {'100 items':<26} 1,000 items"
    )
    for lib in (*FLOORS, "ours", "boto3"):
        lines.append(
            f"{NAMES[lib]:<{width}} {cell(results['cpu_page_100_ms'][lib]):<26} "
            f"{cell(results['cpu_page_1000_ms'][lib])}"
        )
    lines.append(
        f"{'ssm_engagements / raw + attrs objects':<{width}} "
        f"{ratios['cpu_page_100_ms_vs_rawattrs']:<26.2f} "
        f"{ratios['cpu_page_1000_ms_vs_rawattrs']:.2f}"
    )
    lines.append("")
    for name, ok in targets.items():
        lines.append(f"  [{'ok' if ok else 'MISSED'}] {name}")
    info = machine()
    lines.append("")
    lines.append(
        f"{reps} runs each, interleaved; median [min-max]. {info['nproc']} CPUs, {info['python']}, "
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
        "machine": info,
        "results": results,
        "ratios": ratios,
        "targets": targets,
        "table": table,
    }


def markdown(data: dict[str, Any]) -> str:
    """The tables as Markdown, for docs/performance.md."""
    results, ratios = data["results"], data["ratios"]

    def md(s: dict[str, Any]) -> str:
        return f"{fmt(s['median'])} ({fmt(s['min'])}-{fmt(s['max'])})"

    rows = ["| Figure | ssm_engagements | boto3 | ours / boto3 |", "| --- | ---: | ---: | ---: |"]
    for fig, label in FIGURES:
        row = results[fig]
        rows.append(
            f"| {label} | {md(row['ours'])} | {md(row['boto3'])} | {fmt_ratio(ratios[fig])} |"
        )
    rows += ["", "| CPU per page, ms | 100 items | 1,000 items |", "| --- | ---: | ---: |"]
    for lib in (*FLOORS, "ours", "boto3"):
        rows.append(
            f"| {NAMES[lib]} | {md(results['cpu_page_100_ms'][lib])} "
            f"| {md(results['cpu_page_1000_ms'][lib])} |"
        )
    rows.append(
        f"| ssm_engagements / raw + attrs objects | {ratios['cpu_page_100_ms_vs_rawattrs']:.2f}x "
        f"| {ratios['cpu_page_1000_ms_vs_rawattrs']:.2f}x |"
    )
    rows += ["", "| Target | Held |", "| --- | --- |"]
    rows += [f"| {name} | {'yes' if ok else 'no'} |" for name, ok in data["targets"].items()]
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="runs of each measurement (5)")
    parser.add_argument(
        "--cold-reps", type=int, default=None, help="runs of the cold-start figures (3 x reps)"
    )
    parser.add_argument("--out", default=str(ROOT / ".bench"), help="folder for the JSON")
    parser.add_argument(
        "--ours-from",
        default=str(ROOT),
        help="a folder holding another ssm_engagements package to measure instead of this "
        "checkout's (e.g. `git archive <commit> ssm_engagements | tar -x -C DIR`)",
    )
    opts = parser.parse_args()
    cold_reps = opts.cold_reps or 3 * opts.reps
    started = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(Path(tmp), Path(opts.ours_from).resolve())
        server = subprocess.Popen(
            [sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            url = f"http://127.0.0.1:{int(server.stdout.readline())}"
            runner = Runner(url, env)
            for lib in (*LIBS, *FLOORS):  # bytecode written, page cache warm
                runner.child("coldstart", lib)
            print(f"server {url}; {cold_reps} cold runs, {opts.reps} runs of the rest", flush=True)
            interleaved(cold_reps, LIBS, runner.cold)
            interleaved(opts.reps, (*LIBS, *FLOORS), lambda lib: runner.pages(lib, 100, 30, 7, 30))
            interleaved(opts.reps, (*LIBS, *FLOORS), lambda lib: runner.pages(lib, 1000, 4, 7, 6))
            interleaved(opts.reps, LIBS, runner.stream)
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
