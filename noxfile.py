"""Developer sessions: tests on every installed Python, lint, type checks."""

from __future__ import annotations

import shutil

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

ALL_PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# Only the interpreters this machine has, so `nox` works wherever some are missing.
PYTHONS = [v for v in ALL_PYTHONS if shutil.which(f"python{v}")] or None


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The default test suite (what .ci/run and the README run)."""
    session.install("-e", ".[test]")
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
