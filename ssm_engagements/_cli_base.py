"""What the command-line modules share: the program's name, usage errors, notes on
stderr, the options that choose the client and the time window (with what reads them),
and the command line's wording of the SDK's errors."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import sys
from datetime import datetime, timezone
from typing import Any

from . import _cli_time
from ._client import EngagementsClient
from ._models import TimeRange
from .errors import (
    ConfigurationError,
    NoCredentialsError,
    ParamValidationError,
    ServiceError,
    SSMContactsError,
    TransportError,
)
from .hooks import Hook, RetryDecision

__all__ = [
    "INSECURE_HTTP_ENV",
    "PROG",
    "RetryNotes",
    "UsageError",
    "add_client_options",
    "add_connection_options",
    "add_window_options",
    "DEMO_MAX_ITEMS",
    "check_demo_options",
    "client_settings",
    "describe_error",
    "incident_hint",
    "note",
    "open_client",
    "positive_number",
    "run_scope",
    "window",
]

PROG = "ssm-engagements"
INSECURE_HTTP_ENV = "SSM_ENGAGEMENTS_ALLOW_INSECURE_HTTP"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")
DEMO_MAX_ITEMS = 25
"""How many engagements ``list --demo`` shows in one run unless --max-items says otherwise."""


class UsageError(Exception):
    """A bad combination of options, found after parsing (exit status 2)."""


def note(message: str) -> None:
    """A line for the person at the terminal, on stderr, prefixed with the program's name."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """``--incident-id``, ``--start`` and ``--end`` (absolute or relative; see window)."""
    parser.add_argument("--incident-id", metavar="ARN", help="only this incident's engagements")
    parser.add_argument("--start", type=_cli_time.when, metavar="WHEN", help="started at/after")
    parser.add_argument("--end", type=_cli_time.when, metavar="WHEN", help="started at/before")


def run_scope(args: argparse.Namespace) -> tuple[datetime, str | None]:
    """The run's one "now", which relative --start/--end count from, and its incident.

    With --demo: the demo's fixed DEMO_NOW (the same for every command), and the demo
    incident unless --incident-id (or list's --demo-all) says otherwise. Else the clock's
    now, taken once, and --incident-id."""
    if not args.demo:
        return datetime.now(timezone.utc), args.incident_id
    from ._demo_data import DEMO_INCIDENT_ID, DEMO_NOW

    everything = getattr(args, "demo_all", False)
    return DEMO_NOW, args.incident_id or (None if everything else DEMO_INCIDENT_ID)


def window(args: argparse.Namespace, now: datetime) -> TimeRange | None:
    """The ``--start``/``--end`` window, relative values counted from now (taken once per
    run); None when neither is given. Raises UsageError when start is after end."""
    start, end = _cli_time.resolve(args.start, now), _cli_time.resolve(args.end, now)
    if start and end and start > end:
        raise UsageError("argument --start: must not be after --end")
    return TimeRange(start_time=start, end_time=end) if start or end else None


_INCIDENT_ARN = re.compile(r"arn:aws[a-z-]*:ssm-incidents::\d{12}:incident-record/[^/\s]+/\S+")


def incident_hint(incident_id: str | None) -> str | None:
    """A hint when ``--incident-id`` is not shaped like an incident record's ARN (the
    service matches the whole ARN, so a name or a bare id matches nothing); else None."""
    if incident_id is None or _INCIDENT_ARN.fullmatch(incident_id):
        return None
    return (
        f"hint: --incident-id {incident_id!r} does not look like an incident ARN "
        "(arn:aws:ssm-incidents::ACCOUNT:incident-record/RESPONSE-PLAN/ID); engagements "
        "carry the whole ARN, as 'aws ssm-incidents list-incident-records' shows it"
    )


def add_client_options(parser: argparse.ArgumentParser, demo_help: str) -> None:
    """``--region``, ``--profile``, ``--endpoint-url``, ``--demo`` and the connection
    options (add_connection_options), read by open_client: every command that talks to
    the service takes the same ones."""
    parser.add_argument("--region", metavar="R", help="AWS region (default: AWS_REGION, profile)")
    parser.add_argument("--profile", metavar="P", help="shared config / credentials profile")
    parser.add_argument("--endpoint-url", metavar="URL", help="send requests to this endpoint")
    parser.add_argument("--demo", action="store_true", help=demo_help)
    add_connection_options(parser)


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """``--allow-insecure-http``, ``--connect-timeout``, ``--read-timeout`` and
    ``--max-attempts``, read by client_settings (a command without them gets the SDK's
    defaults)."""
    parser.add_argument(
        "--allow-insecure-http", action="store_true",
        help=f"allow a plain http:// --endpoint-url on another host (or {INSECURE_HTTP_ENV}=1)",
    )  # fmt: skip
    parser.add_argument(
        "--connect-timeout", type=_seconds, metavar="S",
        help="seconds to wait for a connection, per attempt (default: 60)",
    )  # fmt: skip
    parser.add_argument(
        "--read-timeout", type=_seconds, metavar="S",
        help="seconds to wait for each read of a response, per attempt (default: 60)",
    )  # fmt: skip
    parser.add_argument(
        "--max-attempts", type=_attempts, metavar="N",
        help="attempts per request, the first included (default: AWS_MAX_ATTEMPTS, profile, 3)",
    )  # fmt: skip


def positive_number(text: str, unit: str) -> float:
    """An option's value that must be a finite number > 0, in ``unit`` (for the message);
    argparse.ArgumentTypeError otherwise."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0 ({unit}): {text!r}")
    return value


def _seconds(text: str) -> float:
    """--connect-timeout / --read-timeout. Unlike the AWS CLI, 0 is refused: it means "wait
    forever" there, which lets a hung endpoint hang the command."""
    return positive_number(text, "seconds")


def _attempts(text: str) -> int:
    """--max-attempts: an integer >= 1 (1: no retries)."""
    if not re.fullmatch(r"\s*\+?\d+\s*", text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1 (1: no retries): {text!r}")
    return int(text)


def check_demo_options(args: argparse.Namespace) -> None:
    """--demo talks to its own emulator: refuse the options that would choose another."""
    if args.demo and (args.region or args.profile or args.endpoint_url):
        raise UsageError("--demo cannot be combined with --region, --profile or --endpoint-url")


def client_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The client's keyword arguments that add_connection_options' options (and
    SSM_ENGAGEMENTS_ALLOW_INSECURE_HTTP) ask for; options not given are left to the SDK.
    Raises UsageError for a bad SSM_ENGAGEMENTS_ALLOW_INSECURE_HTTP value."""
    given = vars(args)
    raw = os.environ.get(INSECURE_HTTP_ENV, "")
    if raw.strip().lower() not in _TRUE + _FALSE:
        raise UsageError(
            f"{INSECURE_HTTP_ENV} must be one of {', '.join(_TRUE)} (allow) or "
            f"{', '.join(_FALSE[:-1])} (refuse), or empty; got {raw!r}"
        )
    settings: dict[str, Any] = {
        "allow_insecure_http": bool(given.get("allow_insecure_http"))
        or raw.strip().lower() in _TRUE
    }
    for name in ("connect_timeout", "read_timeout", "max_attempts"):
        if given.get(name) is not None:
            settings[name] = given[name]
    return settings


class RetryNotes(Hook):
    """One line on stderr per retry, for the person at a terminal: what failed, which
    attempt of how many, and how long the command waits before the next."""

    def __init__(self) -> None:
        self.max_attempts = 0  # set once the client has resolved it

    def on_retry(self, event: RetryDecision) -> None:
        wait = f"retrying in {event.delay_seconds:.1f} s" if event.delay_seconds else "retrying"
        note(
            f"attempt {event.attempt} of {self.max_attempts} failed "
            f"({_what_failed(event.error)}); {wait}"
        )


def _what_failed(error: SSMContactsError) -> str:
    if isinstance(error, ServiceError):
        return f"{error.code}, HTTP {error.status_code}"
    if _refused(error):
        return "connection refused"
    if _timed_out(error):
        causes = " ".join(type(e).__name__ for e in _causes(error))
        return "connect timeout" if "ConnectTimeout" in causes else "read timeout"
    return type(error).__name__


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    cause = error.__cause__ or error.__context__
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain


def _refused(error: BaseException) -> bool:
    return any(isinstance(cause, ConnectionRefusedError) for cause in _causes(error))


def _timed_out(error: BaseException) -> bool:
    return any(isinstance(cause, TimeoutError) for cause in _causes(error))


def open_client(
    args: argparse.Namespace, stack: contextlib.ExitStack, doing: str
) -> EngagementsClient:
    """The client a command's options ask for, closed with stack: with ``--demo``, one on
    a local emulator holding the demo data (fixed data and token key, so a NextToken one
    demo prints the next accepts); else one for ``--region``/``--profile``/
    ``--endpoint-url`` and client_settings. ``doing`` completes the demo's note
    ("listing", "drawing"). With stderr a terminal, each retry is told there (RetryNotes).
    """
    settings = client_settings(args)
    notes = RetryNotes()
    if sys.stderr.isatty():
        settings["hooks"] = [notes]
    if args.demo:
        from ._demo_data import DEMO_REGION, DEMO_TOKEN_KEY, demo_engagements
        from .emulator import Emulator

        demo = Emulator(
            region=DEMO_REGION, engagements=demo_engagements(), token_key=DEMO_TOKEN_KEY
        )
        emu = stack.enter_context(demo)
        note(f"demo: {doing} {len(emu)} sample engagements from a local emulator at {emu.url}")
        client = emu.client(user_agent_extra="cli", **settings)
    else:
        client = EngagementsClient(
            args.region, profile_name=args.profile, endpoint_url=args.endpoint_url,
            user_agent_extra="cli", **settings,
        )  # fmt: skip
    # The client resolved it (option, AWS_MAX_ATTEMPTS, profile, default); no public accessor.
    notes.max_attempts = client._config.max_attempts  # pyright: ignore[reportPrivateUsage]
    return stack.enter_context(client)


# -- the SDK's errors, in the command line's words ------------------------------------------

_OPTION_PARAMS = frozenset({"incident_id", "max_items", "page_size", "starting_token"})
_ARGUMENT_OPTIONS = (
    ("region_name=", "--region"),
    ("profile_name=", "--profile"),
    ("endpoint_url=", "--endpoint-url"),
    ("pass allow_insecure_http=True", f"pass --allow-insecure-http (or set {INSECURE_HTTP_ENV}=1)"),
)
_NOTHING_FOUND = "No AWS credentials found."
_NO_CREDENTIALS = (
    "No AWS credentials found. Run `aws configure` (or `aws sso login`), choose a profile that "
    "has them with --profile or AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
    "(plus AWS_SESSION_TOKEN for temporary ones)."
)


def describe_error(error: SSMContactsError, args: argparse.Namespace | None = None) -> str:
    """The error's message as a command-line user reads it: options instead of Python
    arguments, how many attempts a network failure took and what to check."""
    text = str(error)
    if isinstance(error, NoCredentialsError) and text.startswith(_NOTHING_FOUND):
        # The chain found nothing (not a failure to load what it found): say what to run.
        return _NO_CREDENTIALS
    if isinstance(error, ParamValidationError) and error.param in _OPTION_PARAMS:
        option = "--" + error.param.replace("_", "-")  # name the option the user typed
        return text.replace(f"parameter {error.param!r}", f"argument {option}")
    if isinstance(error, ConfigurationError):
        for argument, option in _ARGUMENT_OPTIONS:
            text = text.replace(argument, option)
        return text
    if isinstance(error, TransportError):
        tried = "1 attempt" if error.attempts == 1 else f"{error.attempts} attempts"
        if _refused(error):
            return (
                f"{text} (connection refused; {tried} made). Is the endpoint running? "
                "Check --endpoint-url (or AWS_ENDPOINT_URL_SSM_CONTACTS, AWS_ENDPOINT_URL)."
            )
        text = f"{text} ({tried} made)"
        if _timed_out(error) and args is not None and "read_timeout" in vars(args):
            text += "; --connect-timeout, --read-timeout and --max-attempts set how long to wait"
    return text
