"""The ``ssm-engagements`` command line: ``list`` engagements, draw a ``timeline``,
``follow`` engagements as they happen, or run the local ``emulator``.

Stdlib argparse only. The emulator is imported only for ``--demo`` and ``emulator``;
nothing in the library imports this module.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import NoReturn

from . import _cli_follow, _cli_time, _cli_timeline
from ._cli_base import (
    PROG,
    add_client_options,
    add_window_options,
    check_demo_options,
    open_client,
    positive_number,
    window,
)
from ._cli_base import UsageError as _UsageError
from ._cli_base import note as _note
from ._cli_output import Output
from ._paginator import PageIterator
from ._version import __version__
from .errors import (
    ConfigurationError,
    ParamValidationError,
    SSMContactsError,
    ValidationException,
)

__all__ = ["main"]

_ARGUMENT_OPTIONS = (
    ("region_name=", "--region"),
    ("profile_name=", "--profile"),
    ("endpoint_url=", "--endpoint-url"),
)
_OPTION_PARAMS = frozenset({"incident_id", "max_items", "page_size", "starting_token"})
_EXAMPLES = f"""\
Examples:
  {PROG} list --demo                       # sample data from a local emulator
  {PROG} list --region us-east-2 --output json
  {PROG} timeline --demo -o timeline.html  # who was paged, when: a picture
  {PROG} follow --demo                     # engagements as they start and stop, live
  {PROG} emulator --demo-data              # a local endpoint for boto3 / the AWS CLI

Run '{PROG} COMMAND --help' for a command's options."""
_LIST_EXAMPLES = f"""\
Examples:
  {PROG} list --demo
  {PROG} list --demo --output csv > engagements.csv
  {PROG} list --region us-east-2 --profile oncall --output jsonl | jq -r .ContactArn
  {PROG} list --incident-id arn:aws:ssm-incidents::111122223333:incident-record/x/1 \\
      --start 2024-05-01 --end 2024-05-02T12:00:00Z
  {PROG} list --start=-2h                   # the last two hours
  {PROG} list --max-items 50                # stderr: NextToken: <token>
  {PROG} list --max-items 50 --starting-token <token>
  {PROG} list --endpoint-url http://127.0.0.1:4566

--start/--end take ISO-8601 (2024-05-01, 2024-05-01T12:30:00Z, 2024-05-01T14:30+02:00;
no offset means UTC) or a time relative to now: now, -30m, -2h, -7d, -1h30m.
The table shortens ARNs to fit the terminal; json, jsonl and csv keep them whole.
Exit status: 0 ok, 1 service or network error, 2 bad usage or configuration, 130 Ctrl-C.
SSM_ENGAGEMENTS_LOG=debug logs every request to stderr."""
_EMULATOR_EXAMPLES = f"""\
Examples:
  {PROG} emulator --demo-data
  {PROG} emulator --port 4566 --data engagements.json --region us-east-2
  {PROG} emulator --no-verify-signatures      # accept any credentials
  {PROG} emulator --rate-limit 20 --rate-burst 5   # throttle above 20 requests/s

--data files hold {{"Engagements": [...]}} as ListEngagements returns it (ISO-8601 or
epoch times). The emulator serves until Ctrl-C (exit status 130)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block, so scripts' logs stay readable.
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        description="List AWS SSM Incident Manager engagements (ssm-contacts ListEngagements).",
        epilog=_EXAMPLES,
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ls = commands.add_parser(
        "list", help="list engagements", epilog=_LIST_EXAMPLES, formatter_class=fmt,
        description="List engagements, newest first, following pages as needed.",
    )  # fmt: skip
    ls.set_defaults(run=_cmd_list)
    add_window_options(ls)
    ls.add_argument("--max-items", type=int, metavar="N", help="stop after N engagements")
    ls.add_argument("--page-size", type=int, metavar="N", help="engagements per request")
    ls.add_argument("--starting-token", metavar="T", help="continue from a NextToken")
    ls.add_argument(
        "--output", choices=("table", "json", "jsonl", "csv"), default="table",
        help="output format (default: table)",
    )  # fmt: skip
    add_client_options(ls, demo_help="list sample data from a local emulator")

    _cli_timeline.add_parser(commands)
    _cli_follow.add_parser(commands)

    emu = commands.add_parser(
        "emulator", help="run a local ListEngagements endpoint", epilog=_EMULATOR_EXAMPLES,
        formatter_class=fmt, description="Serve ListEngagements locally until interrupted.",
    )  # fmt: skip
    emu.set_defaults(run=_cmd_emulator)
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    emu.add_argument("--port", type=int, default=0, help="TCP port (default: 0, any free port)")
    emu.add_argument("--data", action="append", metavar="FILE", help="load engagements")
    emu.add_argument("--demo-data", action="store_true", help="load the --demo sample data")
    emu.add_argument("--region", default="us-east-1", help="region to accept (default: us-east-1)")
    emu.add_argument(
        "--no-verify-signatures", action="store_true", help="accept any or no credentials"
    )
    emu.add_argument(
        "--token-key", metavar="KEY",
        help="sign NextTokens with KEY so they outlive a restart (default: random, "
        "or the demo's key with the demo data)",
    )  # fmt: skip
    emu.add_argument(
        "--rate-limit", type=positive_number("requests per second"), metavar="RPS",
        help="answer requests above RPS per second with ThrottlingException (default: off)",
    )  # fmt: skip
    emu.add_argument(
        "--rate-burst", type=int, default=1, metavar="N",
        help="requests admitted at once under --rate-limit (default: 1)",
    )  # fmt: skip
    return parser


# -- output ---------------------------------------------------------------------------------


# -- commands ------------------------------------------------------------------------------


def _cmd_list(args: argparse.Namespace) -> int:
    now = datetime.now(timezone.utc)  # once: relative --start and --end share it
    time_range = window(args, now)
    output = Output(args.output, sys.stdout)
    check_demo_options(args)
    with contextlib.ExitStack() as stack:
        client = open_client(args, stack, "listing")
        pages = client.iter_pages(
            incident_id=args.incident_id, time_range=time_range, page_size=args.page_size,
            max_items=args.max_items, starting_token=args.starting_token,
        )  # fmt: skip
        return _write(pages, output)


def _write(pages: PageIterator, output: Output) -> int:
    """Print every page; report the resume token when stopped with more left."""
    try:
        for page in pages:
            output.page(page.engagements)
    except (SSMContactsError, KeyboardInterrupt) as exc:
        # Print what was fetched; the resume token continues right after it.
        token = pages.resume_token
        if isinstance(exc, SSMContactsError) and _token_rejected(exc):
            token = exc.resume_token = None  # retrying it would fail the same way
        output.end(token, complete=False)
        if isinstance(exc, KeyboardInterrupt) and pages.resume_token:
            print(f"NextToken: {pages.resume_token}", file=sys.stderr, flush=True)
        raise
    output.end(pages.resume_token, complete=True)
    if pages.resume_token:  # stopped by --max-items with more left, as the AWS CLI reports
        print(f"NextToken: {pages.resume_token}", file=sys.stderr, flush=True)
    return 0


def _token_rejected(error: SSMContactsError) -> bool:
    """True when the service refused the NextToken itself: printing the resume token
    (that same token) again would only invite the user to retry it."""
    if not isinstance(error, ValidationException):
        return False
    if any(field.name.lower() == "nexttoken" for field in error.fields):
        return True
    return "token" in (error.message or "").lower()


def _cmd_emulator(args: argparse.Namespace) -> int:
    from ._demo_data import DEMO_TOKEN_KEY, demo_engagements
    from .emulator import Emulator

    token_key = args.token_key
    if token_key is None and args.demo_data:
        token_key = DEMO_TOKEN_KEY
    if token_key == "":
        raise _UsageError("argument --token-key: must not be empty")
    emu = Emulator(
        host=args.host, port=args.port, region=args.region,
        verify_signatures=not args.no_verify_signatures, token_key=token_key,
    )  # fmt: skip
    if args.rate_burst < 1:
        raise _UsageError(f"argument --rate-burst: must be an integer >= 1: {args.rate_burst}")
    if args.rate_limit is not None:
        emu.set_rate_limit(args.rate_limit, burst=args.rate_burst)
    for path in args.data or ():
        try:
            emu.load(path)
        except (OSError, ValueError) as exc:
            raise _UsageError(f"argument --data: {exc}") from None
    if args.demo_data:
        emu.add_engagements(*demo_engagements())
    try:
        emu.start()
    except (OSError, OverflowError) as exc:
        _note(f"error: cannot listen on {args.host} port {args.port}: {exc}")
        return 1
    # A wildcard address is where it listens, not one a client can call.
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(args.host)
    url = f"http://{wildcard}:{emu.port}" if wildcard else emu.url
    limit = emu.rate_limit
    throttling = "" if limit is None else f", throttling above {limit[0]:g} requests/s"
    try:
        creds = emu.credentials
        print(
            f"SSM Contacts emulator listening on {url} (region {emu.region}, "
            f"{len(emu)} engagements{throttling}). Press Ctrl-C to stop.\n\n"
            "Point boto3, the AWS CLI or another SDK at it (these keys are fake):\n"
            f"  export AWS_ACCESS_KEY_ID={creds.access_key}\n"
            f"  export AWS_SECRET_ACCESS_KEY={creds.secret_key}\n"
            f"  export AWS_REGION={emu.region} AWS_DEFAULT_REGION={emu.region}\n"
            f"  export AWS_ENDPOINT_URL_SSM_CONTACTS={url}\n"
            "  unset AWS_SESSION_TOKEN\n\n"
            "Then, for example:\n"
            "  aws ssm-contacts list-engagements\n"
            f"  {PROG} list --output json",
            flush=True,
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 130
    finally:
        emu.stop()
        _note("emulator stopped")


# -- entry point ---------------------------------------------------------------------------


def _fail(message: str, status: int, error: SSMContactsError | None = None) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr, flush=True)
    if error is not None and error.resume_token:
        print(f"NextToken: {error.resume_token}", file=sys.stderr, flush=True)
    return status


def _silence_stdout() -> None:
    # The reader went away (`| head`): point stdout at devnull so the exit flush is quiet too.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: sys.argv[1:]); returns the exit status."""
    try:
        try:
            argv = sys.argv[1:] if argv is None else argv
            args = _parser().parse_args(_cli_time.join_relative(argv))
        except SystemExit as exc:  # --help, --version, usage errors: argparse's own status
            return exc.code if isinstance(exc.code, int) else 0
        try:
            status: int = args.run(args)
            return status
        except _UsageError as exc:
            return _fail(str(exc), 2)
        except ParamValidationError as exc:
            text = str(exc)
            if exc.param in _OPTION_PARAMS:  # name the option the user typed
                option = "--" + exc.param.replace("_", "-")
                text = text.replace(f"parameter {exc.param!r}", f"argument {option}")
            return _fail(text, 2, exc)
        except ConfigurationError as exc:
            text = str(exc)
            for argument, option in _ARGUMENT_OPTIONS:  # speak the command line's language
                text = text.replace(argument, option)
            return _fail(text, 2, exc)
        except SSMContactsError as exc:
            return _fail(str(exc), 1, exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
