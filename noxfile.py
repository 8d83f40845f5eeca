"""Developer sessions: tests on every installed Python, lint, type checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

ALL_PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


def _expose_pyenv_pythons() -> None:
    """Let pyenv's shims run every installed 3.10-3.13, not only the selected version."""
    if not shutil.which("pyenv") or "PYENV_VERSION" in os.environ:
        return
    found = subprocess.run(
        ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=False
    ).stdout.split()
    wanted = [v for v in found if any(v.startswith(p + ".") for p in ALL_PYTHONS)]
    current = subprocess.run(
        ["pyenv", "version-name"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if wanted:
        os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys([current, *wanted]))


def _runs(version: str) -> bool:
    exe = shutil.which(f"python{version}")
    return exe is not None and subprocess.run([exe, "-c", ""], check=False).returncode == 0


_expose_pyenv_pythons()
# Only the interpreters this machine has, so `nox` works wherever some are missing.
PYTHONS = [v for v in ALL_PYTHONS if _runs(v)] or None


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The default test suite (what .ci/run and the README run)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


# The ends of the supported range: the lowest dependency versions on the oldest and the
# newest Python (aiohttp's floor differs on 3.13, see pyproject.toml).
LOWEST_PYTHONS = [v for v in ("3.10", "3.13") if v in (PYTHONS or [])] or None

# opentelemetry-instrumentation before 0.49b0 (the test floor is 0.41b0) imports
# pkg_resources, which setuptools 81 dropped; a constraint, not a requirement, so the
# lowest resolution still takes the newest setuptools that has it.
LOWEST_CONSTRAINTS = "setuptools<81\n"


@nox.session(name="tests-lowest", python=LOWEST_PYTHONS)
def tests_lowest(session: nox.Session) -> None:
    """The default suite with the lowest versions pyproject.toml allows for each direct
    dependency (uv's lowest-direct resolution): botocore 1.34.0, attrs 23.1.0,
    cattrs 23.2.1, aiohttp 3.9.1 (3.10.5 on Python 3.13), opentelemetry-api 1.20.0 and
    the test tools' floors. botocore 1.34.0 brings urllib3 2.0.7, whose errors quote a
    proxy URL with its password: the scrubbing tests run against it here.
    """
    session.install("uv")
    constraints = os.path.join(session.create_tmp(), "lowest-constraints.txt")
    with open(constraints, "w") as file:
        file.write(LOWEST_CONSTRAINTS)
    python = os.path.join(session.bin, "python")
    session.run(
        "uv", "pip", "install", "--quiet", "--python", python, "--resolution", "lowest-direct",
        "--constraint", constraints, "-e", ".[test]",
        env={"UV_PYTHON_DOWNLOADS": "never"},
    )  # fmt: skip
    session.run(
        "python", "-c",
        "from importlib.metadata import version as v; print(' '.join(f'{n}=={v(n)}' for n in "
        "('botocore', 'urllib3', 'attrs', 'cattrs', 'aiohttp', 'opentelemetry-api', "
        "'boto3', 'pytest', 'pytest-asyncio')))",
    )  # fmt: skip
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict and pyright on the package and tests/typing."""
    session.install("-e", ".[dev]")
    session.run("mypy")
    session.run("pyright")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation warning-free (what .ci/run builds) and run its examples."""
    shutil.rmtree("docs/_build", ignore_errors=True)  # no stale pages hiding warnings
    session.install("-e", ".[docs,test]")
    session.run(
        "sphinx-build", "-W", "--keep-going", "-n", "-b", "html", "docs", "docs/_build/html"
    )
    session.run("python", "-m", "pytest", "tests/docs", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """The property tests with the "fuzz" hypothesis profile: 2,000 examples each, not 25."""
    session.install("-e", ".[test]")
    session.run(
        "python", "-m", "pytest", "tests/fuzz", "tests/reliability", "--hypothesis-profile=fuzz",
        *session.posargs,
    )  # fmt: skip


@nox.session
def soak(session: nox.Session) -> None:
    """The load and leak runs left out of the default suite (pytest -m soak); prints figures."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-m", "soak", "-s", "tests/reliability", *session.posargs)


@nox.session(name="reliability-doc")
def reliability_doc(session: nox.Session) -> None:
    """Rewrite the fault matrix in docs/reliability.md from tests/reliability's cases."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.reliability.test_fault_matrix", "--write")


@nox.session
def bench(session: nox.Session) -> None:
    """ssm_engagements against boto3 and aiobotocore, side by side
    (tests/benchmarks/bench.py, ~4 min).

    Prints the tables and writes them as JSON to .bench/ (git-ignored). Options after
    ``--``: ``--reps N`` (5), ``--cold-reps N`` (3 x reps), ``--only sync,async,fanout``,
    ``--before REF`` (also measure the package at a git commit), ``--out DIR``.
    """
    session.install("-e", ".[bench]")
    session.run("python", "tests/benchmarks/bench.py", *session.posargs)


@nox.session
def screenshot(session: nox.Session) -> None:
    """Remake docs/_static/timeline-demo.png: `timeline --demo` in headless Chromium.

    Needs Debian's chromium package (apt-get install chromium).
    """
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.timeline.screenshot", *session.posargs)


@nox.session(name="bench_follow")
def bench_follow(session: nox.Session) -> None:
    """What an idle poll of follow_engagements costs with a 1,000-engagement window
    (tests/benchmarks/bench_follow.py, ~5 s): the feed's own CPU per poll, the page
    fetching, and their ratio. Options after ``--``: ``--engagements N``, ``--polls N``.
    """
    session.install("-e", ".[test]")
    session.run("python", "tests/benchmarks/bench_follow.py", *session.posargs)


@nox.session(name="bench_adaptive")
def bench_adaptive(session: nox.Session) -> None:
    """Retry modes under throttling (tests/benchmarks/bench_adaptive.py, ~6 min): 16
    workers list 160 incidents from an emulator limited to 20 requests/s, burst 5, with
    ssm_engagements and boto3 in standard and adaptive mode. Options after ``--``:
    ``--reps N`` (3), ``--rate``, ``--burst``, ``--workers``, ``--listings``, ``--rows``.
    """
    session.install("-e", ".[test]")
    session.run("python", "tests/benchmarks/bench_adaptive.py", *session.posargs)


# A process that keeps one CPU busy for at most argv[1] seconds, then exits by itself.
_BURN = (
    "import sys, time\n"
    "end = time.monotonic() + float(sys.argv[1])\n"
    "while time.monotonic() < end: pass\n"
)
BURNERS = 2
BURN_LIMIT_SECONDS = 30 * 60  # per run: no burner outlives a hung run by long


def _failed_ids(junit: Path) -> list[str]:
    """The ids (module::test) of the failed or erroring tests in a JUnit XML report."""
    if not junit.exists():
        return []
    failed = []
    for case in ET.parse(junit).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname', '')}::{case.get('name', '')}")
    return failed


@nox.session
def flakes(session: nox.Session) -> None:
    """The default suite N times in a row beside two CPU-burning processes, to find tests
    that depend on the machine being fast: ``nox -s flakes -- 10`` (N defaults to 5;
    further arguments go to pytest). Prints each run's failed test ids and a summary;
    fails if any run failed.
    """
    session.install("-e", ".[test]")
    args = list(session.posargs)
    runs = int(args.pop(0)) if args and args[0].isdigit() else 5
    reports = Path(session.create_tmp()) / "flakes"
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    failures: dict[int, list[str]] = {}
    try:
        for run in range(1, runs + 1):
            failures[run] = _flakes_run(session, reports / f"run-{run}.xml", args)
            session.log(
                f"flakes: run {run}/{runs}: {len(failures[run])} failed"
                + "".join(f"\n    {test_id}" for test_id in failures[run])
            )
    finally:  # the summary of the runs made, even when one could not finish
        counts = Counter(test_id for failed in failures.values() for test_id in failed)
        bad_runs = sum(1 for failed in failures.values() if failed)
        session.log(f"flakes: {bad_runs} of {len(failures)} runs had failures")
        for test_id, count in counts.most_common():
            session.log(f"    {count}/{len(failures)}  {test_id}")
    if bad_runs:
        session.error(f"{len(counts)} test(s) failed in {bad_runs} of {runs} runs")


def _flakes_run(session: nox.Session, junit: Path, args: list[str]) -> list[str]:
    """One run of the suite beside the burners, which are always stopped after it; the
    failed test ids. A run pytest cannot finish (exit code 2 and up) ends the session."""
    burners = [
        subprocess.Popen([sys.executable, "-c", _BURN, str(BURN_LIMIT_SECONDS)])
        for _ in range(BURNERS)
    ]
    try:
        session.run(
            "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
            f"--junitxml={junit}", *args, success_codes=[0, 1],
        )  # fmt: skip
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            try:
                burner.wait(timeout=10)
            except subprocess.TimeoutExpired:
                burner.kill()
                burner.wait()
    return _failed_ids(junit)


# What `nox -s mutate` mutates, by name: mutmut's mutant names (``package.module.x_function
# __mutmut_N``, methods as ``xǁClassǁmethod__mutmut_N``) matching the pattern. Each
# module's file must also be in [tool.mutmut] only_mutate in pyproject.toml, and its
# tests in pytest_add_cli_args_test_selection there.
MUTATE: dict[str, tuple[str, ...]] = {
    "_core": ("ssm_engagements._core.*",),
    "_walk": ("ssm_engagements._walk.*",),
    "_tokens": ("ssm_engagements._tokens.*",),
    "_retry": ("ssm_engagements._retry.*",),
    "_ratelimit": ("ssm_engagements._ratelimit.*",),
    "emulator._sigv4": ("ssm_engagements.emulator._sigv4.*",),
    "timeline._escape": ("ssm_engagements.timeline._escape.*",),
}

_KILLED = {1, 3}  # a failing test; pytest's internal error while running it
_TIMED_OUT = {24, -24, 36, 152, 255}  # a mutant that hangs is caught too


@nox.session
def mutate(session: nox.Session) -> None:
    """Mutation testing (mutmut) of the decision modules (MUTATE above) against the pure
    suite (tests/core), the emulator's SigV4 tests and the timeline's rendering tests;
    one to two minutes per module.

    ``nox -s mutate -- _core`` or ``-- _walk _tokens`` mutates only those. Prints each
    module's score (killed / mutants) and every survivor; ``mutmut show NAME`` (in
    .nox/mutate) prints a survivor's diff. Results stay in mutants/ (git-ignored) until
    the next run.
    """
    session.install("-e", ".[dev]")
    chosen = list(session.posargs) or list(MUTATE)
    unknown = [name for name in chosen if name not in MUTATE]
    if unknown:
        session.error(f"not in MUTATE: {', '.join(unknown)}; choose from {', '.join(MUTATE)}")
    shutil.rmtree("mutants", ignore_errors=True)  # no stale verdicts from older code
    session.run("mutmut", "run", *(pattern for name in chosen for pattern in MUTATE[name]))
    _mutation_report(session, chosen)


def _mutation_report(session: nox.Session, chosen: list[str]) -> None:
    import fnmatch
    import json

    verdicts: dict[str, int | None] = {}
    for meta in Path("mutants").rglob("*.py.meta"):
        verdicts.update(json.loads(meta.read_text())["exit_code_by_key"])
    for name in chosen:
        codes = {
            key: code
            for key, code in verdicts.items()
            if any(fnmatch.fnmatch(key, pattern) for pattern in MUTATE[name])
        }
        if not codes:
            session.error(f"{name}: no mutants (is its file in [tool.mutmut] only_mutate?)")
        killed = sum(1 for c in codes.values() if c in _KILLED or c in _TIMED_OUT)
        survivors = sorted(k for k, c in codes.items() if c == 0)
        other = len(codes) - killed - len(survivors)
        session.log(
            f"{name}: {100 * killed / len(codes):.1f} % killed ({killed} of {len(codes)}; "
            f"{len(survivors)} survived, {other} not run or without tests)"
        )
        for survivor in survivors:
            session.log(f"    survived: {survivor}")
