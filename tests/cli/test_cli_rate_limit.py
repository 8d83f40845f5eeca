"""``ssm-engagements emulator --rate-limit``: bad values are usage errors (exit status 2)."""

from __future__ import annotations

import pytest

from ssm_engagements._cli import main


@pytest.mark.parametrize(
    "args",
    [
        ["--rate-limit", "0"],
        ["--rate-limit", "-3"],
        ["--rate-limit", "nan"],
        ["--rate-limit", "fast"],
        ["--rate-limit", "20", "--rate-burst", "0"],
    ],
)
def test_bad_rate_limit_options_are_usage_errors(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = main(["emulator", *args])
    except SystemExit as exc:  # argparse's own errors exit
        status = exc.code
    assert status == 2
    assert "--rate-" in capsys.readouterr().err
