"""Developer sessions: tests on every installed Python, lint, type checks."""

from __future__ import annotations

import os
import shutil
import subprocess

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


@nox.session(name="bench_adaptive")
def bench_adaptive(session: nox.Session) -> None:
    """Retry modes under throttling (tests/benchmarks/bench_adaptive.py, ~6 min): 16
    workers list 160 incidents from an emulator limited to 20 requests/s, burst 5, with
    ssm_engagements and boto3 in standard and adaptive mode. Options after ``--``:
    ``--reps N`` (3), ``--rate``, ``--burst``, ``--workers``, ``--listings``, ``--rows``.
    """
    session.install("-e", ".[test]")
    session.run("python", "tests/benchmarks/bench_adaptive.py", *session.posargs)
