"""The ``ssm-engagements`` command line: ``list`` engagements, draw a ``timeline``,
``follow`` engagements as they happen, or run the local ``emulator``.

Stdlib argparse only. The emulator is imported only for ``--demo`` and ``emulator``;
nothing in the library imports this module.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import NoReturn

from . import _cli_follow, _cli_time, _cli_timeline
from ._cli_base import (
    DEMO_MAX_ITEMS,
    PROG,
    add_client_options,
    add_window_options,
    check_demo_options,
    client_settings,
    describe_error,
    incident_hint,
    open_client,
    positive_number,
    run_scope,
    window,
)
from ._cli_base import UsageError as _UsageError
from ._cli_base import note as _note
from ._cli_output import Output
from ._constraints import REGION_RE
from ._models import TimeRange
from ._paginator import PageIterator
from ._params import check_incident_id
from ._version import __version__
from ._walk import make_walk
from .errors import (
    ConfigurationError,
    ParamValidationError,
    SSMContactsError,
    ValidationException,
)

__all__ = ["main"]
_EXAMPLES = f"""\
Examples:
  {PROG} list --demo                       # the demo incident, from a local emulator
  {PROG} list --region us-east-2 --output json
  {PROG} timeline --demo -o timeline.html  # who was paged, when: a picture
  {PROG} follow --demo                     # engagements as they start and stop, live
  {PROG} emulator --demo-data              # a local endpoint for boto3 / the AWS CLI

Run '{PROG} COMMAND --help' for a command's options."""
_LIST_EXAMPLES = f"""\
Examples:
  {PROG} list --demo                        # the demo incident, 25 at a time
  {PROG} list --demo --start=-2h            # from the demo's "now", 2024-03-14 16:00Z
  {PROG} list --demo --max-items 250 --output csv > engagements.csv
  {PROG} list --region us-east-2 --profile oncall --output jsonl | jq -r .ContactArn
  {PROG} list --incident-id arn:aws:ssm-incidents::111122223333:incident-record/x/1 \\
      --start 2024-05-01 --end 2024-05-02T12:00:00Z
  {PROG} list --start=-2h                   # the last two hours
  {PROG} list --max-items 50                # stderr: NextToken: <token>
  {PROG} list --max-items 50 --starting-token <token>
  {PROG} list --endpoint-url http://127.0.0.1:4566
  {PROG} list --endpoint-url http://localstack:4566 --allow-insecure-http
  {PROG} list --read-timeout 10 --max-attempts 2   # give up on a hung endpoint sooner

--start/--end take ISO-8601 (2024-05-01, 2024-05-01T12:30:00Z, 2024-05-01T14:30+02:00;
no offset means UTC) or a time relative to now: now, -30m, -2h, -7d, -1h30m.
At a terminal the table fits its width (--wide: never shortened); piped, it is never
shortened. json, jsonl and csv keep every ARN whole.
Exit status: 0 ok, 1 service or network error, 2 bad usage or configuration, 130 Ctrl-C.
SSM_ENGAGEMENTS_LOG=debug logs every request to stderr;
SSM_ENGAGEMENTS_ALLOW_INSECURE_HTTP=1 is --allow-insecure-http."""
_EMULATOR_EXAMPLES = f"""\
Examples:
  {PROG} emulator --demo-data
  {PROG} emulator --port 4566 --data engagements.json --region us-east-2
  {PROG} emulator --no-verify-signatures      # accept any credentials
  {PROG} emulator --rate-limit 20 --rate-burst 5   # throttle above 20 requests/s

--data files hold {{"Engagements": [...]}} as ListEngagements returns it (ISO-8601 or
epoch times). The emulator serves until Ctrl-C (exit status 130)."""


_DEMO_DATA_NOTE = f"""
  {PROG} list --start=-2h --incident-id {{incident}}

The demo incident stands as 'list --demo' shows it at its "now", but today: its last
page was sent minutes ago, so relative times select what they select under --demo."""


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
    ls.add_argument(
        "--wide", action="store_true",
        help="table: every column, values whole, even at a terminal",
    )  # fmt: skip
    add_client_options(
        ls, demo_help=f"list the demo incident from a local emulator, {DEMO_MAX_ITEMS} at a time"
    )
    ls.add_argument(
        "--demo-all", action="store_true",
        help="with --demo: every sample engagement, the AWS documentation's (2021-2022, "
        "no incident) too",
    )  # fmt: skip

    _cli_timeline.add_parser(commands)
    _cli_follow.add_parser(commands)

    emu = commands.add_parser(
        "emulator", help="run a local ListEngagements endpoint", epilog=_EMULATOR_EXAMPLES,
        formatter_class=fmt, description="Serve ListEngagements locally until interrupted.",
    )  # fmt: skip
    emu.set_defaults(run=_cmd_emulator)
    emu.add_argument(
        "--host", default="127.0.0.1",
        help="address to bind (default: 127.0.0.1; 0.0.0.0: every IPv4 interface, "
        "'::': every interface, IPv6 and IPv4; ::1: IPv6 loopback)",
    )  # fmt: skip
    emu.add_argument("--port", type=_port, default=0, help="TCP port (default: 0, any free port)")
    emu.add_argument("--data", action="append", metavar="FILE", help="load engagements")
    emu.add_argument(
        "--demo-data", action="store_true",
        help="load the --demo sample data, its incident as it stands now",
    )  # fmt: skip
    emu.add_argument(
        "--region", type=_region,
        help="region to accept (default: us-east-1; with --demo-data, us-east-2, the region "
        "of the demo data's ARNs)",
    )  # fmt: skip
    emu.add_argument(
        "--no-verify-signatures", action="store_true", help="accept any or no credentials"
    )
    emu.add_argument(
        "--token-key", metavar="KEY",
        help="sign NextTokens with KEY so they outlive a restart (default: random, "
        "or the demo's key with the demo data)",
    )  # fmt: skip
    emu.add_argument(
        "--rate-limit", type=_positive_rate, metavar="RPS",
        help="answer requests above RPS per second with ThrottlingException (default: off)",
    )  # fmt: skip
    emu.add_argument(
        "--rate-burst", type=int, default=1, metavar="N",
        help="requests admitted at once under --rate-limit (default: 1)",
    )  # fmt: skip
    return parser


def _port(text: str) -> int:
    """--port: a TCP port, 0 to 65535 (0: any free one)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a TCP port from 0 to 65535: {text!r}")
    return value


def _region(text: str) -> str:
    """--region: a region name, as it would appear in an endpoint's host name."""
    if not REGION_RE.match(text):
        raise argparse.ArgumentTypeError(
            f"must be a region name (letters, digits and inner hyphens): {text!r}"
        )
    return text


def _positive_rate(text: str) -> float:
    """--rate-limit: requests per second, a finite number > 0."""
    return positive_number(text, "requests per second")


# -- output ---------------------------------------------------------------------------------


# -- commands ------------------------------------------------------------------------------


def _cmd_list(args: argparse.Namespace) -> int:
    now, incident_id = run_scope(args)  # once: relative --start and --end share it
    time_range = window(args, now)
    # Every usage error before the demo emulator starts or the endpoint is checked.
    check_demo_options(args)
    if args.demo_all and not args.demo:
        raise _UsageError("argument --demo-all: only with --demo")
    check_incident_id(args.incident_id)
    max_items = args.max_items
    if args.demo and max_items is None:
        max_items = DEMO_MAX_ITEMS  # a screenful; the NextToken printed continues
    make_walk(page_size=args.page_size, max_items=max_items, starting_token=args.starting_token)
    client_settings(args)
    fit = args.output == "table" and not args.wide and sys.stdout.isatty()
    output = Output(
        args.output, sys.stdout, width=shutil.get_terminal_size().columns if fit else None
    )
    with contextlib.ExitStack() as stack:
        client = open_client(args, stack, "listing")
        pages = client.iter_pages(
            incident_id=incident_id, time_range=time_range, page_size=args.page_size,
            max_items=max_items, starting_token=args.starting_token,
        )  # fmt: skip
        status = _write(pages, output)
        if output.count == 0:
            _nothing_matched(args, time_range, client.region_name)
        return status


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
    if output.cut:
        _note("some values were cut to fit the terminal; --wide shows them whole")
    if pages.resume_token:  # stopped by --max-items with more left, as the AWS CLI reports
        print(f"NextToken: {pages.resume_token}", file=sys.stderr, flush=True)
    return 0


def _nothing_matched(args: argparse.Namespace, time_range: TimeRange | None, region: str) -> None:
    """Say on stderr (stdout stays clean for pipes) that nothing matched, and under which
    filters: an empty header alone looks like a failure."""
    used = [f"region {region}"]
    if args.incident_id is not None:
        used.append(f"incident {args.incident_id}")
    if time_range is not None:
        start, end = time_range.start_time, time_range.end_time
        since = f"{start.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S}" if start else "any time"
        until = f"{end.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S}" if end else "now"
        used.append(f"started {since} to {until} UTC")
    if args.starting_token is not None:
        used.append("after --starting-token")
    _note(f"0 engagements matched ({', '.join(used)})")
    hint = incident_hint(args.incident_id)
    if hint:
        _note(hint)


def _token_rejected(error: SSMContactsError) -> bool:
    """True when the service refused the NextToken itself: printing the resume token
    (that same token) again would only invite the user to retry it."""
    if not isinstance(error, ValidationException):
        return False
    if any(field.name.lower() == "nexttoken" for field in error.fields):
        return True
    return "token" in (error.message or "").lower()


def _cmd_emulator(args: argparse.Namespace) -> int:
    from ._demo_data import DEMO_INCIDENT_ID, DEMO_REGION, DEMO_TOKEN_KEY, demo_engagements
    from .emulator import Emulator
    from .emulator._server import loopback_for

    token_key = args.token_key
    if token_key is None and args.demo_data:
        token_key = DEMO_TOKEN_KEY
    if token_key == "":
        raise _UsageError("argument --token-key: must not be empty")
    if args.rate_burst < 1:
        raise _UsageError(f"argument --rate-burst: must be an integer >= 1: {args.rate_burst}")
    region = args.region or (DEMO_REGION if args.demo_data else "us-east-1")
    emu = Emulator(
        host=args.host, port=args.port, region=region,
        verify_signatures=not args.no_verify_signatures, token_key=token_key,
    )  # fmt: skip
    if args.rate_limit is not None:
        emu.set_rate_limit(args.rate_limit, burst=args.rate_burst)
    for path in args.data or ():
        try:
            emu.load(path)
        except (OSError, ValueError) as exc:
            raise _UsageError(f"argument --data: {exc}") from None
    if args.demo_data:
        # Its clients count relative times from their own clocks: the demo incident
        # stands as it would at DEMO_NOW, now.
        emu.add_engagements(*demo_engagements(datetime.now(timezone.utc)))
    try:
        emu.start()
    except (OSError, OverflowError) as exc:
        _note(f"error: cannot listen on {args.host} port {args.port}: {exc}")
        return 1
    url = emu.url
    loopback = loopback_for(args.host)
    if loopback is None:
        where = url
    else:
        every = "every interface, IPv6 and IPv4" if ":" in loopback else "every IPv4 interface"
        where = f"{every} ({args.host or '0.0.0.0'}), port {emu.port}; on this machine: {url}"
        _note(
            f"warning: listening on {every}: anyone who can reach port {emu.port} can read "
            "the emulator's engagements (its keys are the fake ones printed below)"
        )
    limit = emu.rate_limit
    throttling = "" if limit is None else f", throttling above {limit[0]:g} requests/s"
    try:
        creds = emu.credentials
        print(
            f"SSM Contacts emulator listening on {where} (region {emu.region}, "
            f"{len(emu)} engagements{throttling}). Press Ctrl-C to stop.\n\n"
            "Point boto3, the AWS CLI or another SDK at it (these keys are fake):\n"
            f"  export AWS_ACCESS_KEY_ID={creds.access_key}\n"
            f"  export AWS_SECRET_ACCESS_KEY={creds.secret_key}\n"
            f"  export AWS_REGION={emu.region} AWS_DEFAULT_REGION={emu.region}\n"
            f"  export AWS_ENDPOINT_URL_SSM_CONTACTS={url}\n"
            "  unset AWS_SESSION_TOKEN\n\n"
            "Then, for example:\n"
            "  aws ssm-contacts list-engagements\n"
            f"  {PROG} list --output json"
            + (_DEMO_DATA_NOTE.format(incident=DEMO_INCIDENT_ID) if args.demo_data else ""),
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
            return _fail(describe_error(exc, args), 2, exc)
        except ConfigurationError as exc:
            return _fail(describe_error(exc, args), 2, exc)
        except SSMContactsError as exc:
            return _fail(describe_error(exc, args), 1, exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
